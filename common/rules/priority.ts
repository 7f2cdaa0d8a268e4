// The specification's implementation priority ("Step 2: Analysis / Decision rules"), per plan item, on
// the estimated reduction of the whole mix's p95: high when > 50% with < 1 day of effort; low when
// < 20% (applied only when the targets are still missed with high and medium); medium otherwise
// (20-50%, or > 50% that takes a day or more).

export type Priority = 'high' | 'medium' | 'low';

export const PRIORITY_RULES = { highAbovePct: 50, highBelowDays: 1, lowBelowPct: 20 } as const;

/** Impact scoring: the plan is sorted by impact score, and the top 5 are applied by default. */
export const TOP_ITEMS = 5;

export function priorityOf(p95ReductionPct: number, effortDays: number): Priority {
  if (p95ReductionPct > PRIORITY_RULES.highAbovePct && effortDays < PRIORITY_RULES.highBelowDays) return 'high';
  if (p95ReductionPct < PRIORITY_RULES.lowBelowPct) return 'low';
  return 'medium';
}

/**
 * The item's share of the total request time it addresses, 0-100: its estimated reduction per request
 * (averaged over all traffic) over the baseline's mean latency. A share of the mix's time, it means the
 * same from one run to the next (unlike the raw impact score, which grows with the request rate).
 * It is also the estimate of the mix's p95 reduction the priority rule reads: a change that removes a
 * share s of the time spent serving the mix lowers its percentiles by about s when the time it removes
 * is spread like the rest (more when it sits in the slow tail, less when in the fast requests).
 */
export function impactSharePct(latencyReductionMs: number, baselineMeanMs: number): number {
  if (!(baselineMeanMs > 0) || !(latencyReductionMs > 0)) return 0;
  return Math.min(100, (100 * latencyReductionMs) / baselineMeanMs);
}
