// The check's measurements: one measured window of the candidate (after a steady warm-up when the
// profile asks for one), or interleaved blocks of a live baseline deployment and the candidate.
import { proxyActivities, setCurrentDetails } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { AlternatingLoadTestResult } from '../common/gate/alternating';
import { LOADGEN_TASK_QUEUE } from '../common/run';
import { loadTestOptions } from './timeouts';
import type { BaselineChoice } from '../common/gate/types';
import type { TargetProfile } from '../common/profile';
import type { LoadTestSummary } from '../common/types';
import { loadTest } from './load-test';

type Interleaved = Extract<BaselineChoice, { kind: 'interleaved' }>;

/** The candidate's window, measured as the orchestration measures its baseline. */
export async function measureCandidate(runId: string, target: TargetProfile): Promise<LoadTestSummary> {
  const { load } = target;
  const req = { runId, phase: 'check' as const, target, concurrency: load.concurrency };
  const warm = load.warmup ? await loadTest({ ...req, durationSeconds: 0, warmupSeconds: load.warmupSeconds, warmup: load.warmup }) : null;
  const measured = await loadTest({ ...req, durationSeconds: load.durationSeconds, warmupSeconds: load.warmupSeconds });
  const warmup = warm?.warmup ? { seconds: warm.warmup.seconds + load.warmupSeconds, steady: warm.warmup.steady } : undefined;
  return warmup ? { ...measured, warmup } : measured;
}

export interface InterleavedRun {
  pairs: { baseline: LoadTestSummary; candidate: LoadTestSummary }[];
}

/**
 * Blocks alternating between the baseline deployment and the candidate; the order within a pair
 * flips every pair (AB, BA, AB, ...) so that neither side always runs first after the other.
 */
export async function measureInterleaved(runId: string, target: TargetProfile, choice: Interleaved): Promise<InterleavedRun> {
  const baselineTarget: TargetProfile = { ...target, http: { ...target.http, baseUrl: choice.baseUrl } };
  const block = (t: TargetProfile) =>
    loadTest({
      runId,
      phase: 'check',
      target: t,
      concurrency: t.load.concurrency,
      durationSeconds: choice.blockSeconds,
      warmupSeconds: Math.min(t.load.warmupSeconds, 2),
    });
  const run: InterleavedRun = { pairs: [] };
  for (let i = 0; i < choice.pairs; i++) {
    setCurrentDetails(
      `**interleaved blocks**: pair ${i + 1} of ${choice.pairs} (baseline ${choice.baseUrl} vs candidate ${target.http.baseUrl})`,
    );
    const baselineFirst = i % 2 === 0;
    const first = await block(baselineFirst ? baselineTarget : target);
    const second = await block(baselineFirst ? target : baselineTarget);
    run.pairs.push(baselineFirst ? { baseline: first, candidate: second } : { baseline: second, candidate: first });
  }
  return run;
}

/** The candidate block with the median p95: the figures thresholds are read on in interleaved mode. */
export function medianCandidate(run: InterleavedRun): LoadTestSummary {
  const sorted = run.pairs.map((p) => p.candidate).sort((a, b) => a.latencyMs.p95 - b.latencyMs.p95);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

/**
 * The baseline deployment and the candidate taking turns every sliceMs over the profile's measured
 * window (common/gate/alternating.ts); a fixed warm-up (the profile's warmupSeconds, taking turns too).
 */
export async function measureAlternating(
  runId: string,
  target: TargetProfile,
  baseUrl: string,
  sliceMs: number,
): Promise<AlternatingLoadTestResult> {
  const { load } = target;
  const { runAlternatingLoadTest } = proxyActivities<Activities>({
    ...loadTestOptions(load.durationSeconds + load.warmupSeconds),
    taskQueue: LOADGEN_TASK_QUEUE,
    scheduleToStartTimeout: '5 minutes',
    summary:
      `baseline ${baseUrl} and candidate ${target.http.baseUrl} taking turns every ${sliceMs} ms, ` +
      `${load.concurrency} connections, ${load.durationSeconds} s`,
  });
  setCurrentDetails(
    `**taking turns** every ${sliceMs} ms: baseline ${baseUrl} and candidate ${target.http.baseUrl}, ${load.durationSeconds} s`,
  );
  const seed = Number.parseInt(runId.replace(/[^0-9a-f]/gi, '').slice(0, 8) || '1', 16);
  return runAlternatingLoadTest({
    runId,
    phase: 'check',
    target,
    concurrency: load.concurrency,
    durationSeconds: load.durationSeconds,
    warmupSeconds: load.warmupSeconds,
    baselineUrl: baseUrl,
    sliceMs,
    seed,
  });
}
