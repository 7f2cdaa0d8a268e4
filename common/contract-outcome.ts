// The output contract's lines for how the run ended (common/rules): an abort after profiling, the
// target attainment (met / partial >= 80% / missed) and the regression analysis. Pure.
import type { MetricComparison } from './compare';
import type { RunRecord } from './contract-record';
import type { AttributionResult } from './endpoint-attribution';
import { attainmentOf, PARTIAL_SHARE_PCT, type AttainmentResult } from './rules/attainment';
import { regressionAnalysis } from './rules/regression-analysis';
import type { ValidationResult } from './stages';
import type { AppliedChange, LoadTestSummary, Plan } from './types';
import type { SloTargets } from './profile';
import { abortAfterProfiling, costAboveValue } from './rules/abort';
import type { CostInputs } from './profile-costs';

/** The per-endpoint passes before and after the changes, for the regression analysis. */
export function endpointsOf(r: Pick<RunRecord, 'profiling' | 'validation'>) {
  return { before: r.profiling.attribution ?? null, after: r.validation?.attribution ?? null };
}

export function attainmentContract(a: AttainmentResult) {
  return { level: a.level, missed: a.missed.map((m) => ({ metric: m.metric, achieved_pct: m.achievedPct })) };
}

/** "accepted: ..." or "below 80% ...": what the missed targets' shares of the needed improvement mean. */
export function attainmentStep(comparison: readonly MetricComparison[]): string {
  const a = attainmentOf(comparison);
  const shares = a.missed.map((m) => `${m.metric} ${m.achievedPct}%`).join(', ');
  return a.level === 'partial'
    ? `accepted: every missed target got at least ${PARTIAL_SHARE_PCT}% of the improvement it needed (${shares}); monitor for regressions`
    : `below ${PARTIAL_SHARE_PCT}% of the needed improvement (${shares}): tuning alone does not reach the targets`;
}

/** The first next steps: why the run stopped after profiling, or what the regression analysis found. */
export function outcomeSteps(
  outcome: string,
  profiling: { baseline: LoadTestSummary; targets: SloTargets; plan: Plan; costs: CostInputs | undefined },
  validation: ValidationResult | null,
  endpoints: { before: AttributionResult | null; after: AttributionResult | null },
  applied: readonly AppliedChange[],
): string[] {
  if (outcome === 'targets_already_met' || outcome === 'aborted_no_baseline') {
    const abort = abortAfterProfiling(profiling.baseline, profiling.targets);
    return abort ? [abort.why] : [];
  }
  if (outcome === 'plan_only_cost_above_value') {
    const why = costAboveValue(profiling.plan, profiling.costs);
    return why ? [why] : [];
  }
  if (outcome === 'regressed_rolled_back' && validation) {
    return regressionAnalysis(validation.comparison, endpoints, applied).map((l) => `regression analysis: ${l}`);
  }
  return [];
}
