// Stress test logic, pure (the validation workflow runs it): open-model rate steps from the
// measured throughput under the baseline load, each judged against the SLO; the breaking point is
// the highest rate that still met it.
import type { SloTargets } from './profile';
import type { LoadTestSummary } from './types';
import { round } from './round';

// Below 1: the baseline-load throughput of a closed model is often the saturation point already, so an
// open model asking for exactly that rate can miss the SLO; the ramp starts below it to find the knee.
export const DEFAULT_STRESS_MULTIPLIERS = [0.25, 0.5, 0.75, 1, 1.5, 2, 3, 4, 6, 8, 12, 16];
/** Highest rate a stress step asks for (the generator's bound). */
export const MAX_STRESS_RPS = 200_000;
export const MAX_STRESS_CONNECTIONS = 10_000;

export interface StressStepResult {
  rateRps: number; // offered (open model)
  concurrency: number; // most connections the step used
  throughputRps: number;
  p99Ms: number;
  errorRatePct: number; // errors among the requests sent
  failedPct: number; // (errors + dropped + unfinished) among the arrivals: what the SLO is checked on
  dropped: number;
  withinSlo: boolean;
  reason: string | null; // why the step missed the SLO
  loadTestId: string;
}

/** The rates to try, in order: baseRps x each multiplier, rounded, increasing, at least 1 req/s, bounded. */
export function stressRates(
  baseRps: number,
  multipliers: readonly number[] = DEFAULT_STRESS_MULTIPLIERS,
  maxRps = MAX_STRESS_RPS,
): number[] {
  const base = Math.max(1, baseRps);
  const out: number[] = [];
  for (const m of multipliers) {
    const r = round(base * m, 1);
    if (r > maxRps) break;
    if (r < 1 || (out.length && r <= out[out.length - 1])) continue;
    out.push(r);
  }
  if (out.length === 0) out.push(Math.min(maxRps, round(base, 1)));
  return out;
}

/**
 * Connections an open-model test may open: enough for the rate at twice the p99 target (Little's
 * law), so arrivals are only dropped when answers take far longer than the SLO allows (which fails
 * a stress step anyway). At least 64, at most 10000; a profile's maxConnections, when set, wins.
 */
export function connectionsForRate(rateRps: number, p99TargetMs: number, configured?: number): number {
  if (configured !== undefined) return configured;
  return Math.min(MAX_STRESS_CONNECTIONS, Math.max(64, Math.ceil(((rateRps * Math.max(p99TargetMs, 50)) / 1000) * 2)));
}

/** Judges one step against the SLO: failures (errors, dropped, unanswered) <= errorRatePct and p99 <= p99Ms. */
export function judgeStressStep(s: LoadTestSummary, rateRps: number, t: SloTargets): StressStepResult {
  const dropped = s.dropped ?? 0;
  const unfinished = s.unfinished ?? 0;
  const arrivals = s.requests + dropped + unfinished;
  const failedPct = arrivals > 0 ? round(((s.errors + dropped + unfinished) / arrivals) * 100, 3) : 100;
  const reasons: string[] = [];
  if (arrivals === 0) reasons.push('no request completed');
  if (failedPct > t.errorRatePct) reasons.push(`failed ${failedPct}% > ${t.errorRatePct}%` + (dropped ? ` (${dropped} dropped)` : ''));
  if (s.latencyMs.p99 > t.p99Ms) reasons.push(`p99 ${s.latencyMs.p99} ms > ${t.p99Ms} ms`);
  return {
    rateRps,
    concurrency: s.concurrency,
    throughputRps: s.throughputRps,
    p99Ms: s.latencyMs.p99,
    errorRatePct: s.errorRatePct,
    failedPct,
    dropped,
    withinSlo: reasons.length === 0,
    reason: reasons.length ? reasons.join('; ') : null,
    loadTestId: s.id,
  };
}

/** The highest-rate step within the SLO, or null when even the first one missed it. */
export function breakingPoint<T extends { rateRps?: number; throughputRps: number; withinSlo: boolean }>(steps: readonly T[]): T | null {
  let best: T | null = null;
  for (const s of steps)
    if (s.withinSlo && (best === null || (s.rateRps ?? s.throughputRps) > (best.rateRps ?? best.throughputRps))) best = s;
  return best;
}
