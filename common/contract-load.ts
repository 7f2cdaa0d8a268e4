// The contract's stress steps and soak series (extensions beside stress_breaking_point and soak), pure.
import type { z } from 'zod';
import type { StressStepContractSchema } from './output-contract-parts';
import type { StressStep } from './stages';
import { round } from './round';

export const MAX_SERIES_POINTS = 120;

export function stressStepsContract(steps: readonly StressStep[]): z.infer<typeof StressStepContractSchema>[] {
  return steps.map((s) => ({
    rate_rps: s.rateRps ?? null,
    concurrency: s.concurrency,
    throughput_rps: s.throughputRps,
    p99_ms: s.p99Ms,
    error_rate_pct: s.errorRatePct,
    failed_pct: s.failedPct ?? null,
    within_slo: s.withinSlo,
    reason: s.reason ?? null,
  }));
}

/**
 * A per-second p95 series cut to at most `maxPoints` equal buckets, each its worst second (a spike
 * stays visible), and the seconds between two points; null without a series.
 */
export function soakSeries(
  p95Ms: readonly number[] | undefined,
  maxPoints = MAX_SERIES_POINTS,
): { p95_series_ms: number[]; series_interval_s: number } | null {
  const xs = (p95Ms ?? []).filter((x) => Number.isFinite(x));
  if (xs.length === 0) return null;
  const k = Math.min(Math.max(1, maxPoints), xs.length);
  const out: number[] = [];
  for (let i = 0; i < k; i++) {
    const part = xs.slice(Math.round((i * xs.length) / k), Math.round(((i + 1) * xs.length) / k));
    out.push(round(Math.max(...part), 3));
  }
  return { p95_series_ms: out, series_interval_s: round(xs.length / k, 3) };
}
