// Follows a run until it ends: a progress bar on a terminal, one line per phase otherwise.
import { SingleBar } from 'cli-progress';
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { OutputContract } from '../common/output-contract';
import { PHASE_ORDER, type RunStatus } from '../common/run';
import { statusQuery } from '../workflows/messages';
import { planTable } from './render';
import { currentLoadProgress, describeProgress } from './load-progress';

export async function watchRun(
  client: Client,
  handle: WorkflowHandle,
  runId: string,
  opts: { out?: NodeJS.WriteStream; pollMs?: number } = {},
): Promise<OutputContract> {
  const out = opts.out ?? process.stderr;
  const tty = Boolean(out.isTTY);
  const bar = tty ? new SingleBar({ format: ' {bar} {percentage}% | {phase} | {step}', hideCursor: true, stream: out }) : null;
  bar?.start(PHASE_ORDER.length - 1, 0, { phase: 'starting', step: '' });
  let lastStep = '';
  let lastLoadLine = 0;
  let shownPlan = false;
  let done = false;
  const result = handle.result().finally(() => {
    done = true;
  });
  const poll = (async () => {
    while (!done) {
      try {
        const s: RunStatus = await handle.query(statusQuery);
        const index = Math.max(0, PHASE_ORDER.indexOf(s.phase));
        const step = s.baseline && s.phase === 'analysis' ? `${s.step} (baseline p95 ${s.baseline.latencyMs.p95} ms)` : s.step;
        const load = await currentLoadProgress(client, handle.workflowId, runId, s.phase).catch(() => null);
        bar?.update(index, { phase: s.phase, step: (load ? describeProgress(load) : step).slice(0, 80) });
        const stamp = `[${new Date().toISOString().slice(11, 19)}] ${s.phase}:`;
        if (!tty && step !== lastStep) out.write(`${stamp} ${step}\n`);
        if (!tty && load && Date.now() - lastLoadLine >= 3000) {
          out.write(`${stamp} ${describeProgress(load)}\n`);
          lastLoadLine = Date.now();
        }
        lastStep = step;
        if (s.phase === 'awaiting_approval' && !s.decision && !shownPlan) {
          shownPlan = true;
          bar?.stop();
          out.write(
            `\nPlan awaiting approval (tier ${s.tier}):\n${planTable(s)}\n\n` +
              `Approve: perf-orch approve ${s.workflowId} [--items id,...]\nReject:  perf-orch reject ${s.workflowId} --reason "..."\n\n`,
          );
          bar?.start(PHASE_ORDER.length - 1, index, { phase: s.phase, step });
        }
      } catch {
        // The workflow may be between tasks; the next poll will answer.
      }
      await new Promise((r) => setTimeout(r, opts.pollMs ?? 1000));
    }
  })();
  try {
    const r = (await result) as OutputContract;
    bar?.update(PHASE_ORDER.length - 1, { phase: 'completed', step: r.validation_results.improvement_summary.outcome });
    return r;
  } finally {
    bar?.stop();
    await poll;
  }
}
