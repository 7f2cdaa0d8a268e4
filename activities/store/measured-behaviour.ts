// A stored load test's measured behaviour as the alert-rule tests need it: its measured seconds'
// requests and errors (the progress series, warm-up left out) and the share of its responses at or
// under each latency SLO's bucket edge (its HDR histogram, microseconds). The observability skill and
// the monitoring check both read it here, from the store, as the load test activity wrote it.
import type { Pool } from 'pg';
import type { EngineResult } from '../loadtest/engine';
import { decodeHistogram, type Histogram } from '../loadtest/histogram';
import type { MeasuredBehaviour } from '../../common/observability/rule-tests';
import type { Slo, SloSource } from '../../common/observability/slo-rules';
import { loadArtifact } from './artifacts';

/** The engine's result of a stored load test ({ request, result, ... } as the activity stores it; a merged test, the result itself). */
export async function loadEngineResult(store: Pool, id: string): Promise<Pick<EngineResult, 'progress' | 'histograms'> | null> {
  const stored = await loadArtifact<{ result?: EngineResult } & Partial<EngineResult>>(store, id);
  const r = (stored.result ?? stored) as Partial<EngineResult>;
  return r.progress && r.histograms ? { progress: r.progress, histograms: r.histograms } : null;
}

/** The share (0-1) of the histogram's values at or under `us`, by bisection on the percentile (HDR: 3 significant digits). */
export function shareAtOrUnder(h: Histogram, us: number): number {
  if (h.totalCount === 0) return NaN;
  if (h.getValueAtPercentile(100) <= us) return 1;
  if (h.getValueAtPercentile(0) > us) return 0;
  let [lo, hi] = [0, 100];
  for (let i = 0; i < 40; i++) {
    const mid = (lo + hi) / 2;
    if (h.getValueAtPercentile(mid) <= us) lo = mid;
    else hi = mid;
  }
  return lo / 100;
}

export function measuredBehaviour(
  name: string,
  result: Pick<EngineResult, 'progress' | 'histograms'>,
  source: SloSource,
  slos: readonly Slo[],
): MeasuredBehaviour {
  const seconds = result.progress.filter((p) => !p.warmup);
  const h = decodeHistogram(result.histograms.overall);
  const shares: Record<string, number> = {};
  for (const slo of slos) {
    if (slo.le === null) continue;
    const ms = source.buckets.find((b) => b.le === slo.le)!.ms;
    shares[slo.le] = shareAtOrUnder(h, ms * 1000);
  }
  return {
    name,
    requests: seconds.map((p) => p.intervalRequests),
    errors: seconds.map((p) => p.intervalErrors),
    shareAtOrUnder: shares,
  };
}
