// The few statistics a before/after verdict needs: means, sample variances, Student's t quantiles
// for two-sided 95% intervals and 97.5% ones (two metrics judged together at 95%: Bonferroni), other
// levels (m comparisons judged together) from jStat, and the pooled within-group trend that drift
// control takes out. Pure.
import { jStat } from 'jstat';

export function mean(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return xs.length > 0 ? s / xs.length : NaN;
}

/** Unbiased sample variance (n - 1); NaN below two values. */
export function sampleVariance(xs: readonly number[]): number {
  if (xs.length < 2) return NaN;
  const m = mean(xs);
  let s = 0;
  for (const x of xs) s += (x - m) ** 2;
  return s / (xs.length - 1);
}

// t(0.975, df) for df 1..30, then 40, 60, 120 and infinity (any statistics table).
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086,
  2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];
const T975_TAIL: [number, number][] = [
  [40, 2.021],
  [60, 2.0],
  [120, 1.98],
];

// t(0.9875, df), the same df (scipy.stats.t.ppf(0.9875, df)).
const T9875 = [
  25.452, 6.205, 4.177, 3.495, 3.163, 2.969, 2.841, 2.752, 2.685, 2.634, 2.593, 2.56, 2.533, 2.51, 2.49, 2.473, 2.458, 2.445, 2.433, 2.423,
  2.414, 2.405, 2.398, 2.391, 2.385, 2.379, 2.373, 2.368, 2.364, 2.36,
];
const T9875_TAIL: [number, number][] = [
  [40, 2.329],
  [60, 2.299],
  [120, 2.27],
];

/**
 * Two-sided confidence of one interval, between 0 and 1: 95%, 97.5% when two metrics are judged at
 * 95% together, 1 - 0.05 / m for m comparisons (Bonferroni).
 */
export type IntervalLevel = number;

/**
 * The two-sided `level` quantile of Student's t with `df` degrees of freedom (a fractional df, as
 * Welch's, is rounded down: the wider interval). For 95% and 97.5%, between the tabled df above 30
 * the next smaller df's value is used, again the wider side; other levels come from jStat.
 */
export function tQuantile(df: number, level: IntervalLevel = 0.95): number {
  if (!(df >= 1)) return NaN;
  if (!(level > 0 && level < 1)) throw new RangeError(`tQuantile: level must be between 0 and 1 (got ${level})`);
  if (level !== 0.95 && level !== 0.975) return jStat.studentt.inv(1 - (1 - level) / 2, Math.floor(df));
  const [table, tail, limit] = level === 0.95 ? [T975, T975_TAIL, 1.96] : [T9875, T9875_TAIL, 2.241];
  const d = Math.floor(df);
  if (d <= 30) return table[d - 1];
  let q = table[29];
  for (const [at, value] of tail) if (d >= at) q = value;
  return d >= 1000 ? limit : q;
}

/** The 97.5% quantile of Student's t: two-sided 95% intervals. */
export function tQuantile975(df: number): number {
  return tQuantile(df, 0.95);
}

export interface DifferenceInterval {
  difference: number; // mean(b) - mean(a), or the mean of paired differences
  low: number;
  high: number;
  df: number;
}

/** `level` interval of the mean of paired differences; null below two pairs. */
export function pairedInterval(differences: readonly number[], level: IntervalLevel = 0.95): DifferenceInterval | null {
  const n = differences.length;
  if (n < 2) return null;
  const d = mean(differences);
  const half = tQuantile(n - 1, level) * Math.sqrt(sampleVariance(differences) / n);
  return { difference: d, low: d - half, high: d + half, df: n - 1 };
}

/** Welch's `level` interval of mean(b) - mean(a) (unequal variances); null below two values a side. */
export function welchInterval(a: readonly number[], b: readonly number[], level: IntervalLevel = 0.95): DifferenceInterval | null {
  if (a.length < 2 || b.length < 2) return null;
  const va = sampleVariance(a) / a.length;
  const vb = sampleVariance(b) / b.length;
  const d = mean(b) - mean(a);
  const se2 = va + vb;
  if (se2 === 0) return { difference: d, low: d, high: d, df: a.length + b.length - 2 };
  const df = se2 ** 2 / (va ** 2 / (a.length - 1) + vb ** 2 / (b.length - 1));
  const half = tQuantile(df, level) * Math.sqrt(se2);
  return { difference: d, low: d - half, high: d + half, df };
}

/** Paired times and values, e.g. one side's blocks: start time in seconds and log(value). */
export interface TimedSeries {
  t: readonly number[];
  y: readonly number[];
}

export interface PooledTrend {
  slope: number; // change of y per unit of t, common to every group
  low: number; // 95% interval of the slope
  high: number;
  sxx: number; // within-group sum of squares of t
  residualVariance: number;
  df: number; // values - groups - 1
}

/**
 * The common slope of y on t fitted within each group (each group its own level: the pooled
 * within-group regression) with its 95% interval; null without a residual degree of freedom or
 * when t does not vary within any group.
 */
export function pooledTrend(groups: readonly TimedSeries[]): PooledTrend | null {
  let sxx = 0;
  let sxy = 0;
  let n = 0;
  for (const g of groups) {
    const tm = mean(g.t);
    const ym = mean(g.y);
    g.t.forEach((t, i) => {
      sxx += (t - tm) ** 2;
      sxy += (t - tm) * (g.y[i] - ym);
    });
    n += g.t.length;
  }
  const df = n - groups.length - 1;
  if (df < 1 || !(sxx > 0)) return null;
  const slope = sxy / sxx;
  let rss = 0;
  for (const g of groups) {
    const tm = mean(g.t);
    const ym = mean(g.y);
    g.t.forEach((t, i) => (rss += (g.y[i] - ym - slope * (t - tm)) ** 2));
  }
  const residualVariance = rss / df;
  const half = tQuantile975(df) * Math.sqrt(residualVariance / sxx);
  return { slope, low: slope - half, high: slope + half, sxx, residualVariance, df };
}

/**
 * The step from a to b once a trend is taken out: the difference of the sides' mean values minus
 * slope x the distance between their mean times, with its `level` interval from the same regression
 * (the slope's uncertainty, extrapolated over that distance, widens it).
 */
export function stepAfterTrend(a: TimedSeries, b: TimedSeries, trend: PooledTrend, level: IntervalLevel = 0.95): DifferenceInterval {
  const gap = mean(b.t) - mean(a.t);
  const d = mean(b.y) - mean(a.y) - trend.slope * gap;
  const se = Math.sqrt(trend.residualVariance * (1 / a.y.length + 1 / b.y.length + gap ** 2 / trend.sxx));
  const half = tQuantile(trend.df, level) * se;
  return { difference: d, low: d - half, high: d + half, df: trend.df };
}
