// The specification's abort conditions that can be decided after profiling. Pure.
//   no baseline:          the baseline load test got no successful answer: nothing to measure against
//   targets already met:  no optimization needed (unless the profile says targets.whenMetAtBaseline: continue)
import { compareRuns } from '../compare';
import type { SloTargets } from '../profile';
import type { LoadTestSummary } from '../types';

export type AbortReason = { kind: 'no_baseline'; why: string } | { kind: 'targets_already_met'; why: string };

export function abortAfterProfiling(
  baseline: Pick<LoadTestSummary, 'requests' | 'errors' | 'latencyMs' | 'throughputRps' | 'errorRatePct'>,
  targets: SloTargets & { whenMetAtBaseline?: 'stop' | 'continue' },
): AbortReason | null {
  if (baseline.requests === 0 || baseline.errors >= baseline.requests) {
    const what = baseline.requests === 0 ? 'no request was answered' : `all ${baseline.requests} requests failed`;
    return { kind: 'no_baseline', why: `no baseline: ${what} in the baseline load test, so no change could be measured` };
  }
  if ((targets.whenMetAtBaseline ?? 'stop') === 'continue') return null;
  const m = {
    p95Ms: baseline.latencyMs.p95,
    p99Ms: baseline.latencyMs.p99,
    throughputRps: baseline.throughputRps,
    errorRatePct: baseline.errorRatePct,
  };
  if (!compareRuns(m, m, targets).every((c) => c.metBefore)) return null;
  return {
    kind: 'targets_already_met',
    why: 'targets already met at baseline: no optimization needed (set targets.whenMetAtBaseline: continue to analyze and tune anyway)',
  };
}
