// The run result's `optimization_summary` (the specification's {total_improvement, cost, roi,
// targets_met}): the figures come from the run record, the arithmetic from common/rules/roi.ts.
import { z } from 'zod';
import type { RunRecord } from './contract-record';
import { optimizationSummary, type Improvement, type OptimizationSummary } from './rules/roi';

const pct = z.number().nullable();
const money = z.number().min(0).nullable();

export const OptimizationSummarySchema = z
  .object({
    total_improvement: z.object({
      latency_p95_reduction_percent: pct,
      latency_p99_reduction_percent: pct,
      throughput_increase_percent: pct,
      error_rate_reduction_percent: pct,
    }),
    cost: z.object({
      currency: z.string(),
      effort_days: z.number().min(0), // of the changes applied and kept
      engineering_per_day: money,
      one_time: money,
      infrastructure_per_month: money,
      monthly_savings: z.number(),
      savings_note: z.string().nullable(),
    }),
    business_value_per_month: money,
    roi: z.number().nullable(), // 12 x (monthly savings + monthly business value) / one-time cost: per year
    roi_period: z.literal('year'),
    roi_per_month: z.number().nullable(),
    roi_reason: z.string().nullable(), // why roi is null
    targets_met: z.boolean(),
  })
  .strict();

/** The changes applied and not undone. */
function keptItemIds(r: RunRecord): string[] {
  const undone = new Set((r.optimization?.rolledBack ?? []).filter((x) => x.ok).map((x) => x.itemId));
  return (r.optimization?.applied ?? []).map((a) => a.itemId).filter((id) => !undone.has(id));
}

/** The validation's before/after changes (positive = better), when changes were kept; null otherwise. */
function improvement(r: RunRecord, kept: boolean): Improvement {
  const row = (m: string) => (kept ? (r.validation?.comparison.find((c) => c.metric === m)?.changePct ?? null) : null);
  return {
    latency_p95_reduction_percent: row('p95Ms'),
    latency_p99_reduction_percent: row('p99Ms'),
    throughput_increase_percent: row('throughputRps'),
    error_rate_reduction_percent: row('errorRatePct'),
  };
}

export function runOptimizationSummary(r: RunRecord): OptimizationSummary {
  const kept = new Set(keptItemIds(r));
  const effort = r.plan.items.filter((i) => kept.has(i.id)).reduce((sum, i) => sum + i.effortDays, 0);
  return optimizationSummary({
    improvement: improvement(r, kept.size > 0),
    keptEffortDays: effort,
    costs: r.input.target.costs,
    targetsMet: r.validation?.targetsMet ?? false,
    monthlySavings: null, // the cost-optimization-analyzer supplies them (not built yet)
  });
}
