// The summary's cost-performance line: the ROI per year, or why there is none.
import type { OutputContract } from '../common/output-contract';

export function roiLines(result: OutputContract): string[] {
  const o = result.optimization_summary;
  if (!o) return [];
  const c = o.cost;
  const cost = c.one_time === null ? `${c.effort_days} engineer-days` : `${c.one_time} ${c.currency} (${c.effort_days} engineer-days)`;
  const roi = o.roi === null ? `ROI: none (${o.roi_reason})` : `ROI ${o.roi}x a ${o.roi_period} (${o.roi_per_month}x a month)`;
  return [`cost-performance: one-time cost ${cost}; ${roi}`];
}
