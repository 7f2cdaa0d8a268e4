// The contract's validation_results: the specification's load_testing_completed, targets_met and
// improvement percentages, the load tests, peak, stress, soak and verdicts beside them. Pure.
import type { OutputContract } from './output-contract';
import type { RunRecord } from './contract-record';
import { endpointsBeforeAfter } from './contract-endpoints';
import { beforeAfterContract } from './contract-verdict';
import { attainmentOf } from './rules/attainment';
import { regressionAnalysis } from './rules/regression-analysis';
import { attainmentContract, endpointsOf } from './contract-outcome';
import { soakSeries, stressStepsContract } from './contract-load';

export function validationResults(r: RunRecord): OutputContract['validation_results'] {
  const v = r.validation;
  const row = (m: string) => v?.comparison.find((c) => c.metric === m) ?? null;
  // changePct is positive for better in every metric; + 0 turns a -0 (no change, negated) into 0.
  const better = (m: string) => {
    const pct = row(m)?.changePct;
    return pct === undefined ? null : pct + 0;
  };
  return {
    load_testing_completed: v !== null,
    targets_met: v?.targetsMet ?? r.outcome === 'targets_already_met',
    load_tests_run: ['baseline', ...(v?.completed ?? [])],
    improvement_summary: {
      latency_p95_reduction_percent: better('p95Ms'),
      latency_p99_reduction_percent: better('p99Ms'),
      throughput_increase_percent: better('throughputRps'),
      error_rate_reduction_percent: better('errorRatePct'),
      outcome: r.outcome,
      comparison: v?.comparison ?? [],
      target_attainment: v ? attainmentContract(attainmentOf(v.comparison)) : null,
      ...(r.outcome === 'regressed_rolled_back' && v
        ? { regression_analysis: regressionAnalysis(v.comparison, endpointsOf(r), r.optimization?.applied ?? []) }
        : {}),
      peak: v?.peak
        ? {
            concurrency: v.peak.concurrency,
            p95_ms: v.peak.latencyMs.p95,
            throughput_rps: v.peak.throughputRps,
            error_rate_pct: v.peak.errorRatePct,
          }
        : null,
      stress_breaking_point: v?.stress?.breakingPoint
        ? {
            concurrency: v.stress.breakingPoint.concurrency,
            throughput_rps: v.stress.breakingPoint.throughputRps,
            p99_ms: v.stress.breakingPoint.p99Ms,
            rate_rps: v.stress.breakingPoint.rateRps ?? null,
            // The first step past the breaking point and why it missed the SLO.
            next_step_failure: v.stress.steps.find((s) => !s.withinSlo)?.reason ?? null,
          }
        : null,
      ...(v?.stress?.steps.length ? { stress_steps: stressStepsContract(v.stress.steps) } : {}),
      soak: v?.soak
        ? {
            duration_s: v.soak.summary.durationSeconds,
            p95_ms: v.soak.summary.latencyMs.p95,
            rss_mb_max: v.soak.rssMbMax,
            rss_slope_mb_per_min: v.soak.rssSlopeMbPerMin ?? null,
            leak_suspected: v.soak.leakSuspected ?? false,
            p95_drift_pct: v.soak.p95Drift?.changePct ?? null,
            flags: v.soak.flags ?? [],
            ...soakSeries(v.soak.summary.perSecond?.p95Ms),
          }
        : null,
      escalation_workflow_id: r.escalationWorkflowId,
      ...(r.profiling.attribution || v?.attribution ? { endpoints: endpointsBeforeAfter(r.profiling.attribution, v?.attribution) } : {}),
      ...(v?.beforeAfter ? { before_after: beforeAfterContract(v.beforeAfter) } : {}),
    },
  };
}
