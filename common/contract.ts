// Builds the output contract from what a run found and did. Pure: the workflow calls it in finish().
// The specification's fields come first in each object; extensions (common/output-contract.ts says
// which) follow.
import { endpointAttribution } from './contract-endpoints';
import { baselineMeasurement } from './verdict';
import { measurementContract } from './contract-verdict';
import type { OutputContract } from './output-contract';
import { regressionPreventionInPlace, type RunRecord } from './contract-record';
import { contractBottlenecks, contractItems } from './contract-items';
import { monitoringRecommendations, nextSteps, regressionPreventionPlan } from './contract-next-steps';
import { profileMetrics } from './contract-profile';
import { monitoringFiles, observabilityBaseline } from './contract-observability';
import { monitoringConfigured, monitoringRules, withConfigured } from './contract-monitoring';
import { dataSources, sourcesConsulted } from './contract-sources';
import { validationResults } from './contract-validation';
import { runOptimizationSummary } from './contract-roi';

export type { Outcome, RunRecord } from './contract-record';
export { describeAction, describeUndo } from './describe-action';
export { profileMetrics } from './contract-profile';

export function buildOutputContract(r: RunRecord): OutputContract {
  const { target } = r.input;
  const base = r.profiling.baseline;
  return {
    orchestration_timestamp: r.timestamp,
    target_system: target.name,
    target_system_details: {
      name: target.name,
      base_url: target.http.baseUrl,
      database: Boolean(target.database),
      cache: Boolean(target.redis),
      workflow_id: r.workflowId,
      run_id: r.runId,
    },
    optimization_scope: r.scope,
    performance_targets: {
      latency_p95_ms: target.targets.p95Ms,
      latency_p99_ms: target.targets.p99Ms,
      throughput_rps: target.targets.throughputRps,
      error_rate_percent: target.targets.errorRatePct,
    },
    baseline_metrics: {
      latency_p95_ms: base.latencyMs.p95,
      latency_p99_ms: base.latencyMs.p99,
      throughput_rps: base.throughputRps,
      error_rate_percent: base.errorRatePct,
      load_test_id: base.id,
      requests: base.requests,
      latency_p50_ms: base.latencyMs.p50,
      db_share_of_latency_pct: r.profiling.database?.available ? r.profiling.database.dbShareOfLatencyPct : null,
      cache_hit_ratio_pct: r.profiling.cache?.hitRatioPct ?? null,
      app_cpu_pct: r.profiling.process?.cpuPctAvg ?? null,
      network_connect_ms: r.profiling.network?.connectMsAvg ?? null,
      tier: r.plan.tier,
      focus: r.plan.focus,
      ...profileMetrics(r.profiling),
      ...(r.profiling.attribution ? { endpoint_attribution: endpointAttribution(r.profiling.attribution) } : {}),
      ...observabilityBaseline(r),
      ...(base.perSecond ? { measurement: measurementContract(baselineMeasurement(base)) } : {}),
    },
    bottlenecks_identified: contractBottlenecks(r),
    optimizations_implemented: contractItems(r),
    validation_results: validationResults(r),
    optimization_summary: runOptimizationSummary(r),
    // True only when the run installed alert rules, loaded and healthy, proven by promtool on what it measured.
    monitoring_configured: monitoringConfigured(r),
    monitoring_recommendations: withConfigured(r, monitoringRecommendations(r)),
    ...monitoringFiles(r),
    ...monitoringRules(r),
    regression_prevention: regressionPreventionInPlace(r.regressionPrevention),
    regression_prevention_plan: regressionPreventionPlan(r),
    next_steps: nextSteps(r),
    sources_consulted: sourcesConsulted(r),
    data_sources: dataSources(r),
  };
}
