// Before/after comparison against the SLO targets, and regression detection.
import type { SloTargets } from './profile';
import type { Measured } from './decisions';
import type { LoadTestSummary } from './types';
import { round } from './round';

export const REGRESSION_THRESHOLD_PCT = 10;

export type Metric = keyof Measured;
const LOWER_IS_BETTER: Record<Metric, boolean> = { p95Ms: true, p99Ms: true, throughputRps: false, errorRatePct: true };
// Error rates near zero move by large relative amounts for a handful of errors; below this
// absolute change they do not count as a regression.
const ERROR_RATE_NOISE_PCT = 0.5;

export interface MetricComparison {
  metric: Metric;
  target: number;
  before: number;
  after: number;
  changePct: number; // positive = better
  metBefore: boolean;
  metAfter: boolean;
  regressed: boolean;
}

/** Whether a lower value of `metric` is the better one (latencies, error rate). */
export function lowerIsBetter(metric: Metric): boolean {
  return LOWER_IS_BETTER[metric];
}

/** A load test's figures as the targets read them. */
export function measuredOf(s: Pick<LoadTestSummary, 'latencyMs' | 'throughputRps' | 'errorRatePct'>): Measured {
  return { p95Ms: s.latencyMs.p95, p99Ms: s.latencyMs.p99, throughputRps: s.throughputRps, errorRatePct: s.errorRatePct };
}

/** Every target met by one set of figures. */
export function meetsAllTargets(m: Measured, targets: SloTargets): boolean {
  return (Object.keys(LOWER_IS_BETTER) as Metric[]).every((metric) => meets(metric, m[metric], targetOf(metric, targets)));
}

function meets(metric: Metric, value: number, target: number): boolean {
  return LOWER_IS_BETTER[metric] ? value <= target : value >= target;
}

function targetOf(metric: Metric, t: SloTargets): number {
  return metric === 'p95Ms' ? t.p95Ms : metric === 'p99Ms' ? t.p99Ms : metric === 'throughputRps' ? t.throughputRps : t.errorRatePct;
}

export function compareRuns(
  before: Measured,
  after: Measured,
  targets: SloTargets,
  thresholdPct = REGRESSION_THRESHOLD_PCT,
): MetricComparison[] {
  return (Object.keys(LOWER_IS_BETTER) as Metric[]).map((metric) => {
    const b = before[metric];
    const a = after[metric];
    // From zero, any increase counts as +100%.
    const raw = b === 0 ? (a === 0 ? 0 : 100) : ((a - b) / b) * 100;
    const changePct = LOWER_IS_BETTER[metric] ? -raw : raw;
    const noise = metric === 'errorRatePct' && Math.abs(a - b) < ERROR_RATE_NOISE_PCT;
    return {
      metric,
      target: targetOf(metric, targets),
      before: b,
      after: a,
      changePct: round(changePct, 1),
      metBefore: meets(metric, b, targetOf(metric, targets)),
      metAfter: meets(metric, a, targetOf(metric, targets)),
      regressed: !noise && changePct < -thresholdPct,
    };
  });
}

export function anyRegression(rows: MetricComparison[]): boolean {
  return rows.some((r) => r.regressed);
}

export function allTargetsMet(rows: MetricComparison[]): boolean {
  return rows.every((r) => r.metAfter);
}
