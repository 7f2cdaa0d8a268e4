// Stress test logic, pure (the validation workflow runs it): open-model rate steps from the
// measured throughput under the baseline load, each judged against the SLO; the breaking point is
// the highest rate that still met it.
import type { SloTargets } from './profile';
import type { StressStep } from './stages';
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
  failedPct: number; // (errors + dropped) among the arrivals (answered, dropped and unanswered)
  dropped: number;
  unfinished?: number; // unanswered when the step ended: late, counted against the p99
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

/** Share of a step's arrivals beyond its 99th percentile: more of them unanswered and p99 is not measured. */
const P99_TAIL_PCT = 1;

/**
 * Judges one step against the SLO: failures (errors, dropped) <= errorRatePct and p99 <= p99Ms.
 * A request still unanswered when the step ended is late, not failed: it counts against the p99 (more
 * than 1% of arrivals unanswered and the p99 is beyond what the step measured), never as a failure.
 * `unfinishedAsFailed`: the rule of results recorded before (workflow replay only).
 */
export function judgeStressStep(
  s: LoadTestSummary,
  rateRps: number,
  t: SloTargets,
  opts: { unfinishedAsFailed?: boolean } = {},
): StressStepResult {
  const dropped = s.dropped ?? 0;
  const unfinished = s.unfinished ?? 0;
  const arrivals = s.requests + dropped + unfinished;
  const failures = s.errors + dropped + (opts.unfinishedAsFailed ? unfinished : 0);
  const failedPct = arrivals > 0 ? round((failures / arrivals) * 100, 3) : 100;
  const unansweredPct = arrivals > 0 ? round((unfinished / arrivals) * 100, 3) : 0;
  const reasons: string[] = [];
  if (arrivals === 0) reasons.push('no request completed');
  if (failedPct > t.errorRatePct) {
    const what = [`${s.errors} errors`, dropped ? `${dropped} dropped (every connection busy)` : null].filter(Boolean).join(', ');
    reasons.push(`failed ${failedPct}% > ${t.errorRatePct}%: ${what}`);
  }
  if (s.latencyMs.p99 > t.p99Ms) reasons.push(`p99 ${s.latencyMs.p99} ms > ${t.p99Ms} ms`);
  else if (!opts.unfinishedAsFailed && unansweredPct > P99_TAIL_PCT) {
    reasons.push(
      `p99 over ${t.p99Ms} ms: ${unfinished} requests (${unansweredPct}%) were still unanswered when the step ended (late, not failed)`,
    );
  }
  return {
    rateRps,
    concurrency: s.concurrency,
    throughputRps: s.throughputRps,
    p99Ms: s.latencyMs.p99,
    errorRatePct: s.errorRatePct,
    failedPct,
    dropped,
    ...(unfinished ? { unfinished } : {}),
    withinSlo: reasons.length === 0,
    reason: reasons.length ? reasons.join('; ') : null,
    loadTestId: s.id,
  };
}

/**
 * The next step when even the first (lowest) rate missed the SLO. Latency alone (failures within the
 * target) at a rate below the measured throughput means requests barely queue: a single request already
 * takes longer than the target, a latency problem that no capacity fixes. Otherwise capacity is short.
 */
export function firstStepShortfall(
  stress: { steps: readonly StressStep[]; baseRps?: number },
  t: SloTargets,
  medianMsUnderBaselineLoad: number | null,
): string {
  const first = stress.steps[0];
  if (!first) return 'stress: no rate step ran';
  const rate = first.rateRps ?? first.throughputRps;
  const share = stress.baseRps ? ` (${round(rate / stress.baseRps, 2)}x the throughput measured under the baseline load)` : '';
  const at = `even the first step, ${rate} req/s${share}, missed the SLO (${first.reason ?? 'unknown'})`;
  const latencyOnly = (first.failedPct ?? first.errorRatePct) <= t.errorRatePct;
  const lowRate = !stress.baseRps || rate <= stress.baseRps;
  if (latencyOnly && lowRate) {
    const median =
      medianMsUnderBaselineLoad === null ? '' : `; the median request under the baseline load took ${medianMsUnderBaselineLoad} ms`;
    return (
      `stress: ${at}: at a rate this low requests barely queue, so a single request already takes longer than ` +
      `the p99 target of ${t.p99Ms} ms${median}. This is request latency, not capacity: make the slow requests ` +
      `faster (the hot functions and statements) or revise targets.p99Ms`
    );
  }
  return `stress: ${at}: capacity is below ${rate} req/s`;
}

/** The highest-rate step within the SLO, or null when even the first one missed it. */
export function breakingPoint<T extends { rateRps?: number; throughputRps: number; withinSlo: boolean }>(steps: readonly T[]): T | null {
  let best: T | null = null;
  for (const s of steps)
    if (s.withinSlo && (best === null || (s.rateRps ?? s.throughputRps) > (best.rateRps ?? best.throughputRps))) best = s;
  return best;
}
