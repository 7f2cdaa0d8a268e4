// The specification's abort conditions: those decided after profiling, and the cost one on the plan. Pure.
//   no baseline:          the baseline load test got no successful answer: nothing to measure against
//   targets already met:  no optimization needed (unless the profile says targets.whenMetAtBaseline: continue)
import { measuredOf, meetsAllTargets } from '../compare';
import type { SloTargets } from '../profile';
import type { LoadTestSummary, Plan } from '../types';
import type { CostInputs } from '../profile-costs';
import { defaultApprovalIds } from '../plan';
import { round } from '../round';

export type AbortReason = { kind: 'no_baseline'; why: string } | { kind: 'targets_already_met'; why: string };

export function abortAfterProfiling(
  baseline: Pick<LoadTestSummary, 'requests' | 'errors' | 'latencyMs' | 'throughputRps' | 'errorRatePct'>,
  targets: SloTargets & { whenMetAtBaseline?: 'stop' | 'continue' },
): AbortReason | null {
  if (baseline.requests === 0 || baseline.errors >= baseline.requests) {
    const what = baseline.requests === 0 ? 'no request was answered' : `all ${baseline.requests} requests failed`;
    return { kind: 'no_baseline', why: `no baseline: ${what} in the baseline load test, so no change could be measured` };
  }
  if ((targets.whenMetAtBaseline ?? 'stop') === 'continue') return null;
  if (!meetsAllTargets(measuredOf(baseline), targets)) return null;
  return {
    kind: 'targets_already_met',
    why: 'targets already met at baseline: no optimization needed (set targets.whenMetAtBaseline: continue to analyze and tune anyway)',
  };
}

/**
 * The abort condition "cost of optimization exceeds business value", decided on the plan when the
 * profile gives both an engineer-day cost and a monthly business value: the changes the tool would
 * apply by default cost more than a year of that value (the ROI's period) -> the run stops at the
 * plan, nothing applied. Without both inputs it never triggers.
 */
export function costAboveValue(plan: Plan, costs: CostInputs | undefined): string | null {
  if (costs?.engineeringPerDay === undefined || costs.businessValuePerMonth === undefined) return null;
  const ids = new Set(defaultApprovalIds(plan));
  const days = plan.items.filter((i) => ids.has(i.id)).reduce((s, i) => s + i.effortDays, 0);
  const cost = round(days * costs.engineeringPerDay, 2);
  const yearly = round(12 * costs.businessValuePerMonth, 2);
  if (ids.size === 0 || cost <= yearly) return null;
  const c = costs.currency;
  return (
    `plan only: its changes cost ${cost} ${c} (${round(days, 2)} engineer-days x ${costs.engineeringPerDay}) ` +
    `and are worth ${yearly} ${c} a year (costs.businessValuePerMonth x 12): the cost exceeds the business value, nothing applied`
  );
}
