// A load test's small summary from its full result: what the activity returns and what a baseline
// rebuilt from a stored artifact carries. Kept apart from the engine so the CLI can use it.
import { p95Drift } from '../../common/soak';
import { round } from '../../common/round';
import type { LoadTestRequest, LoadTestSummary } from '../../common/types';
import type { LoadProgress, LoadResult } from './load';

export function toSummary(
  id: string,
  req: Pick<LoadTestRequest, 'phase' | 'durationSeconds'>,
  r: LoadResult,
  runBudgetSpent = false,
): LoadTestSummary {
  return {
    ...(runBudgetSpent ? { runBudgetSpent: true } : {}),
    id,
    phase: req.phase,
    concurrency: r.concurrency,
    durationSeconds: req.durationSeconds,
    requests: r.requests,
    errors: r.errors,
    errorRatePct: r.errorRatePct,
    throughputRps: r.throughputRps,
    latencyMs: r.latencyMs,
    endpoints: r.endpoints,
    errorKinds: r.errorKinds,
    warmupRequests: r.warmupRequests,
    model: r.model,
    rateRps: r.rateRps,
    offeredRps: r.offeredRps,
    dropped: r.dropped,
    unfinished: r.unfinished,
    bytesIn: r.bytesIn,
    bytesOut: r.bytesOut,
    p95Drift: p95Drift(r.progress),
    perSecond: perSecondSeries(r.progress),
    ...(r.warmup ? { warmup: r.warmup } : {}),
  };
}

/** The measured seconds' throughput and p95 (the warm-up's left out). */
export function perSecondSeries(progress: readonly LoadProgress[]): { rps: number[]; p95Ms: number[] } {
  const measured = progress.filter((p) => !p.warmup);
  return { rps: measured.map((p) => round(p.currentRps, 1)), p95Ms: measured.map((p) => round(p.p95Ms, 2)) };
}
