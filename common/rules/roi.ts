// The specification's cost-performance analysis (Step 4): the one-time cost of the changes, and
// ROI = (monthly cost savings + monthly business value) x 12 / one-time cost, a ratio per YEAR (the
// spec's example: $5k of work, $2k a month saved and $10k a month of value: 2.4x a month, 28.8x a year).
// Never an invented number: without a business value or a cost, the ROI is null and says why.
import type { CostInputs } from '../profile-costs';
import { round } from '../round';

export interface Improvement {
  latency_p95_reduction_percent: number | null;
  latency_p99_reduction_percent: number | null;
  throughput_increase_percent: number | null;
  error_rate_reduction_percent: number | null;
}

export interface RoiInput {
  improvement: Improvement;
  keptEffortDays: number; // effort of the changes applied and kept (the effort table's days)
  costs: CostInputs | undefined; // the profile's costs section
  targetsMet: boolean;
  // Monthly savings from rightsizing, or null while nothing computes them (counted as 0, with a note).
  monthlySavings: number | null;
}

export interface OptimizationSummary {
  total_improvement: Improvement;
  cost: {
    currency: string;
    effort_days: number;
    engineering_per_day: number | null;
    one_time: number | null; // effort_days x engineering_per_day
    infrastructure_per_month: number | null;
    monthly_savings: number;
    savings_note: string | null;
  };
  business_value_per_month: number | null;
  roi: number | null; // per year (roi_period)
  roi_period: 'year';
  roi_per_month: number | null;
  roi_reason: string | null; // why roi is null
  targets_met: boolean;
}

export const NO_SAVINGS_NOTE =
  'monthly savings counted as 0: they come from the cost-optimization-analyzer (rightsizing), which this tool does not run yet';

/** Why there is no ROI, or null when it can be computed. */
export function noRoiReason(costs: CostInputs | undefined, oneTime: number | null): string | null {
  if (costs?.businessValuePerMonth === undefined)
    return 'no business value: set costs.businessValuePerMonth in the target profile (what meeting the targets is worth a month)';
  if (oneTime === null) return 'no engineering cost: set costs.engineeringPerDay in the target profile (what an engineer-day costs)';
  if (oneTime <= 0) return 'no one-time cost: no change was applied and kept (or it cost nothing), so there is nothing to return';
  return null;
}

export function optimizationSummary(i: RoiInput): OptimizationSummary {
  const perDay = i.costs?.engineeringPerDay ?? null;
  const effort = round(Math.max(0, i.keptEffortDays), 2);
  const oneTime = perDay === null ? null : round(effort * perDay, 2);
  const savings = i.monthlySavings ?? 0;
  const reason = noRoiReason(i.costs, oneTime);
  const perMonth = reason === null ? (savings + (i.costs?.businessValuePerMonth ?? 0)) / oneTime! : null;
  return {
    total_improvement: i.improvement,
    cost: {
      currency: i.costs?.currency ?? 'USD',
      effort_days: effort,
      engineering_per_day: perDay,
      one_time: oneTime,
      infrastructure_per_month: i.costs?.infrastructurePerMonth ?? null,
      monthly_savings: savings,
      savings_note: i.monthlySavings === null ? NO_SAVINGS_NOTE : null,
    },
    business_value_per_month: i.costs?.businessValuePerMonth ?? null,
    roi: perMonth === null ? null : round(perMonth * 12, 2),
    roi_period: 'year',
    roi_per_month: perMonth === null ? null : round(perMonth, 2),
    roi_reason: reason,
    targets_met: i.targetsMet,
  };
}
