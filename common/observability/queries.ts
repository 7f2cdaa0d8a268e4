// The PromQL of the baseline read from an existing Prometheus (pure): over a window of the load test,
// the latency percentiles from the histogram's buckets, the request rate, the error ratio (5xx), and
// the request mix by route. Windows are whole seconds; label values are escaped for PromQL strings.
import type { LatencyHistogram } from './detect';

export const promString = (v: string): string => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;

export interface BaselineQueryInput {
  histogram: LatencyHistogram;
  job: string;
  instance?: string;
  status: string | null; // the status label
  /** A request counter with a status label, when the histogram has none (its 5xx ratio is read from it). */
  statusCounter?: { metric: string; label: string } | null;
  route: string | null; // the route label
  windowSeconds: number;
  /** Routes left out of every figure (the scrape endpoint: Prometheus's own requests are not the load). */
  excludeRoutes?: readonly string[];
}

/** The label matchers of the target's series: its job, its instance, and its routes less the excluded ones. */
export function seriesSelector(q: Pick<BaselineQueryInput, 'job' | 'instance' | 'route' | 'excludeRoutes'>): string {
  const parts = [`job=${promString(q.job)}`];
  if (q.instance) parts.push(`instance=${promString(q.instance)}`);
  if (q.route && q.excludeRoutes?.length) parts.push(`${q.route}!~${promString(q.excludeRoutes.map(regexLiteral).join('|'))}`);
  return parts.join(',');
}

const regexLiteral = (v: string): string => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The PromQL range (whole seconds) and evaluation time for a window [fromS, toS]: for rates, the whole
 * seconds inside the window, ending at its last whole second (a range running past its end counts idle
 * time: a 5.0-s window read over 6 s gave 0.79 of the rate); when those hold fewer than `neededSeconds`
 * (too few scrapes), a range at least that long centred on the window, for latencies only.
 */
export function promRange(
  fromS: number,
  toS: number,
  neededSeconds: number,
): { rateComparable: boolean; rangeSeconds: number; atS: number } {
  const inside = Math.floor(toS) - Math.ceil(fromS);
  if (inside >= neededSeconds) return { rateComparable: true, rangeSeconds: inside, atS: Math.floor(toS) };
  const rangeSeconds = Math.ceil(Math.max(toS - fromS, neededSeconds));
  return { rateComparable: false, rangeSeconds, atS: Math.ceil(toS + (rangeSeconds - (toS - fromS)) / 2) };
}

export interface BaselineQueries {
  p50Ms: string;
  p95Ms: string;
  p99Ms: string;
  rps: string;
  errorRatio: string | null;
  rpsByRoute: string | null;
}

/** The 5xx share of requests counted by `c` (metric and status label) over `w`, for the label matchers `sel`. */
export const errorRatioOf = (c: { metric: string; label: string } | null, sel: string, w: string): string | null =>
  c ? `(sum(rate(${c.metric}{${sel},${c.label}=~"5.."}[${w}])) or vector(0)) / sum(rate(${c.metric}{${sel}}[${w}]))` : null;

export function baselineQueries(q: BaselineQueryInput): BaselineQueries {
  if (!Number.isInteger(q.windowSeconds) || q.windowSeconds < 1)
    throw new RangeError(`windowSeconds must be a whole number of seconds >= 1 (got ${q.windowSeconds})`);
  const sel = seriesSelector(q);
  const w = `${q.windowSeconds}s`;
  const ms = 1000 * q.histogram.secondsPerUnit;
  const quantile = (p: number): string => `histogram_quantile(${p}, sum by (le) (rate(${q.histogram.base}_bucket{${sel}}[${w}]))) * ${ms}`;
  const count = `${q.histogram.base}_count`;
  return {
    p50Ms: quantile(0.5),
    p95Ms: quantile(0.95),
    p99Ms: quantile(0.99),
    rps: `sum(rate(${count}{${sel}}[${w}]))`,
    // "or vector(0)": a service that never answered 5xx has no such series, and its ratio is 0, not missing.
    errorRatio: errorRatioOf(q.status ? { metric: count, label: q.status } : (q.statusCounter ?? null), sel, w),
    rpsByRoute: q.route ? `sum by (${q.route}) (rate(${count}{${sel}}[${w}]))` : null,
  };
}
