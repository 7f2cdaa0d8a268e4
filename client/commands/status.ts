import type { Command } from 'commander';
import type { RunStatus } from '../../common/run';
import { temporalConfig, webUiLink } from '../../common/temporal-config';
import { statusQuery } from '../../workflows/messages';
import { withClient } from '../connect';
import { changeLines, planTable, table } from '../render';
import { statusEndpointSection } from '../render-endpoints';
import { readLaterRollback } from '../later-rollback';
import { describeRun } from '../run-handle';
import { currentLoadProgress, describeProgress } from '../load-progress';

export function registerStatus(program: Command): void {
  program
    .command('status <id>')
    .description('phase, pending plan and figures so far of a run (workflow id, e.g. perf-shop)')
    .option('--json', 'print the raw status as JSON')
    .action(async (id: string, opts: { json?: boolean }) => {
      const cfg = temporalConfig();
      await withClient(async (client) => {
        const { handle, desc } = await describeRun(client, id);
        const s: RunStatus = await handle.query(statusQuery);
        // A finished run's later rollback is recorded beside it (common/later-rollback.ts).
        const later = desc.status.name === 'RUNNING' ? null : await readLaterRollback(client, id, desc.runId);
        if (opts.json) {
          const rollbackAfterRun = later && { workflowId: later.workflowId, running: later.running, closedAt: later.closedAt };
          const rolledBack = [...s.rolledBack, ...(later?.changes ?? [])];
          return console.log(JSON.stringify({ execution: desc.status.name, ...s, rolledBack, rollbackAfterRun }, null, 2));
        }
        console.log(`${id}: ${desc.status.name}, phase ${s.phase}${s.tier ? `, tier ${s.tier}` : ''}`);
        console.log(`now: ${s.step}`);
        const load = desc.status.name === 'RUNNING' ? await currentLoadProgress(client, id, desc.runId, s.phase).catch(() => null) : null;
        if (load) console.log(`      ${describeProgress(load)}`);
        if (s.baseline)
          console.log(
            `baseline: p95 ${s.baseline.latencyMs.p95} ms, p99 ${s.baseline.latencyMs.p99} ms, ` +
              `${s.baseline.throughputRps} req/s, errors ${s.baseline.errorRatePct}%`,
          );
        if (s.after)
          console.log(
            `after:    p95 ${s.after.latencyMs.p95} ms, p99 ${s.after.latencyMs.p99} ms, ${s.after.throughputRps} req/s, errors ${s.after.errorRatePct}%`,
          );
        const endpoints = statusEndpointSection(s);
        if (endpoints.length) console.log(`\n${endpoints.join('\n')}`);
        if (s.plan) console.log(`\nplan:\n${planTable(s)}`);
        if (s.plan?.notes?.length) console.log(`\nanalysis notes:\n${s.plan.notes.map((n) => `- ${n}`).join('\n')}`);
        if (s.decision) console.log(`\ndecision: ${JSON.stringify(s.decision)}`);
        for (const line of changeLines(s, later)) console.log(line);
        if (s.escalationWorkflowId) console.log(`escalation: ${s.escalationWorkflowId}`);
        console.log(`Web UI: ${webUiLink(cfg, id, desc.runId)}`);
      }, cfg);
    });

  program
    .command('list')
    .description('recent orchestration runs')
    .option('--target <name>', 'only runs of this target')
    .option('--limit <n>', 'how many', '20')
    .action(async (opts: { target?: string; limit: string }) => {
      await withClient(async (client) => {
        const query = `WorkflowType = 'performanceOrchestration'${opts.target ? ` AND PerfTarget = '${opts.target.replace(/'/g, '')}'` : ''}`;
        const rows = [['workflow id', 'run id', 'status', 'phase', 'tier', 'started']];
        for await (const w of client.workflow.list({ query, pageSize: Number(opts.limit) })) {
          const sa = w.searchAttributes as Record<string, unknown[] | undefined>;
          rows.push([
            w.workflowId,
            w.runId,
            w.status.name,
            String(sa.PerfPhase?.[0] ?? ''),
            String(sa.PerfTier?.[0] ?? ''),
            w.startTime.toISOString(),
          ]);
          if (rows.length > Number(opts.limit)) break;
        }
        console.log(rows.length > 1 ? table(rows) : 'no runs yet');
      });
    });
}
