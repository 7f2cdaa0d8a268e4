// Builds the output contract from what a run found and did. Pure: the workflow calls it.
import { endpointAttribution, endpointsBeforeAfter } from './contract-endpoints';
import { baselineMeasurement } from './verdict';
import { beforeAfterContract, measuredContract, measurementContract } from './contract-verdict';
import type { OutputContract } from './output-contract';
import type { Layer } from './profile';
import type { Decision, RunInput } from './run';
import type { OptimizationResult, ProfilingResult, ValidationResult } from './stages';
import type { ActionSpec, AppliedChange, Plan, PlanItem } from './types';
import { REGRESSION_THRESHOLD_PCT } from './compare';
import { concurrentDefinition } from './index-definition';
import { needsExplicitApproval } from './plan';
import { round } from './round';
import { firstStepShortfall } from './stress';
import { cpuFiguresNote } from './cpu-figures';
import { createdExtensionStep } from './created-extensions';
import { attainmentOf } from './rules/attainment';
import { regressionAnalysis } from './rules/regression-analysis';
import { attainmentContract, attainmentStep, outcomeSteps } from './contract-outcome';
import { runOptimizationSummary } from './contract-roi';

export type Outcome = OutputContract['validation_results']['improvement_summary']['outcome'];

export interface RunRecord {
  input: RunInput;
  scope: Layer[];
  timestamp: string;
  workflowId: string;
  runId: string;
  profiling: ProfilingResult;
  plan: Plan;
  decision: Decision;
  optimization: OptimizationResult | null;
  validation: ValidationResult | null;
  outcome: Outcome;
  escalationWorkflowId: string | null;
}

export function describeAction(a: ActionSpec): string {
  switch (a.type) {
    case 'create_index': {
      const cols = a.columns.map((c) => `"${c.name}"${c.desc ? ' DESC' : ''}`).join(', ');
      const include = a.include?.length ? ` INCLUDE (${a.include.map((c) => `"${c}"`).join(', ')})` : '';
      return `CREATE INDEX CONCURRENTLY "${a.indexName}" ON "${a.schema}"."${a.table}" (${cols})${include}`;
    }
    case 'drop_index':
      return `DROP INDEX CONCURRENTLY "${a.schema}"."${a.indexName}" (on ${a.table}; approve it by id; rollback: ${concurrentDefinition(a.definition)})`;
    case 'feature_toggle':
      return `set feature toggle ${a.toggle} = ${JSON.stringify(a.value)}`;
    case 'manual':
      return `manual: ${a.steps.join(' ')}`;
  }
}

/** What undoing an applied change does, in words. */
export function describeUndo(change: AppliedChange): string {
  const u = change.undo;
  if (u.type === 'drop_index') return `DROP INDEX CONCURRENTLY ${u.schema}.${u.indexName}`;
  if (u.type === 'recreate_index') return `re-create ${u.schema}.${u.indexName} concurrently`;
  if (u.type === 'set_toggle') return `set toggle ${u.toggle} back to ${JSON.stringify(u.value)}`;
  return `nothing to undo (${u.why})`;
}

function itemStatus(item: PlanItem, r: RunRecord): OutputContract['optimizations_implemented'][number]['status'] {
  if (!item.automatic) return 'manual';
  if (r.decision.kind === 'rejected') return 'rejected';
  if (r.decision.kind !== 'approved' || !r.decision.itemIds.includes(item.id)) return 'not_approved';
  if (r.optimization?.failed?.itemId === item.id) return 'failed';
  if (r.optimization?.rolledBack.some((x) => x.itemId === item.id && x.ok)) return 'rolled_back';
  if (r.optimization?.applied.some((x) => x.itemId === item.id)) return 'applied';
  if (r.optimization?.notApplied?.itemIds.includes(item.id)) return 'skipped'; // a stage met the targets first
  // Approved, neither applied nor failed: an earlier item failed and the saga stopped before it.
  return r.optimization?.failed ? 'skipped' : 'not_approved';
}

export function buildOutputContract(r: RunRecord): OutputContract {
  const { target } = r.input;
  const base = r.profiling.baseline;
  return {
    orchestration_timestamp: r.timestamp,
    target_system: {
      name: target.name,
      base_url: target.http.baseUrl,
      database: Boolean(target.database),
      cache: Boolean(target.redis),
      workflow_id: r.workflowId,
      run_id: r.runId,
    },
    optimization_scope: r.scope,
    performance_targets: {
      p95_ms: target.targets.p95Ms,
      p99_ms: target.targets.p99Ms,
      throughput_rps: target.targets.throughputRps,
      error_rate_pct: target.targets.errorRatePct,
    },
    baseline_metrics: {
      load_test_id: base.id,
      requests: base.requests,
      p50_ms: base.latencyMs.p50,
      p95_ms: base.latencyMs.p95,
      p99_ms: base.latencyMs.p99,
      throughput_rps: base.throughputRps,
      error_rate_pct: base.errorRatePct,
      db_share_of_latency_pct: r.profiling.database?.available ? r.profiling.database.dbShareOfLatencyPct : null,
      cache_hit_ratio_pct: r.profiling.cache?.hitRatioPct ?? null,
      app_cpu_pct: r.profiling.process?.cpuPctAvg ?? null,
      network_connect_ms: r.profiling.network?.connectMsAvg ?? null,
      tier: r.plan.tier,
      focus: r.plan.focus,
      ...profileMetrics(r.profiling),
      ...(r.profiling.attribution ? { endpoint_attribution: endpointAttribution(r.profiling.attribution) } : {}),
      ...(base.perSecond ? { measurement: measurementContract(baselineMeasurement(base)) } : {}),
    },
    bottlenecks_identified: r.profiling.bottlenecks.map((b) => ({
      layer: b.layer,
      description: b.description,
      impact_score: b.impactScore,
      evidence: b.evidence,
    })),
    optimizations_implemented: r.plan.items.map((i) => ({
      id: i.id,
      title: i.title,
      layer: i.layer,
      root_cause: i.rootCause,
      action: describeAction(i.action),
      status: itemStatus(i, r),
      estimated_gain_pct: i.estimatedGainPct,
      impact_score: i.impactScore,
      rollback: i.rollback,
      evidence: i.evidence,
      ...measuredContract(r.validation?.items?.find((m) => m.itemId === i.id)),
    })),
    validation_results: validationResults(r),
    monitoring_configured: monitoring(r),
    regression_prevention: regressionPrevention(r),
    next_steps: nextSteps(r),
    sources_consulted: sources(r),
    optimization_summary: runOptimizationSummary(r),
  };
}

function validationResults(r: RunRecord): OutputContract['validation_results'] {
  const v = r.validation;
  const row = (m: string) => v?.comparison.find((c) => c.metric === m) ?? null;
  return {
    load_testing_completed: ['baseline', ...(v?.completed ?? [])],
    targets_met: v?.targetsMet ?? r.outcome === 'targets_already_met',
    improvement_summary: {
      outcome: r.outcome,
      comparison: v?.comparison ?? [],
      target_attainment: v ? attainmentContract(attainmentOf(v.comparison)) : null,
      ...(r.outcome === 'regressed_rolled_back' && v
        ? { regression_analysis: regressionAnalysis(v.comparison, endpointsOf(r), r.optimization?.applied ?? []) }
        : {}),
      p95_improvement_pct: row('p95Ms')?.changePct ?? null,
      throughput_improvement_pct: row('throughputRps')?.changePct ?? null,
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
      soak: v?.soak
        ? {
            duration_s: v.soak.summary.durationSeconds,
            p95_ms: v.soak.summary.latencyMs.p95,
            rss_mb_max: v.soak.rssMbMax,
            rss_slope_mb_per_min: v.soak.rssSlopeMbPerMin ?? null,
            leak_suspected: v.soak.leakSuspected ?? false,
            p95_drift_pct: v.soak.p95Drift?.changePct ?? null,
            flags: v.soak.flags ?? [],
          }
        : null,
      escalation_workflow_id: r.escalationWorkflowId,
      ...(r.profiling.attribution || v?.attribution ? { endpoints: endpointsBeforeAfter(r.profiling.attribution, v?.attribution) } : {}),
      ...(v?.beforeAfter ? { before_after: beforeAfterContract(v.beforeAfter) } : {}),
    },
  };
}

function regressionPrevention(r: RunRecord): OutputContract['regression_prevention'] {
  const threshold = r.input.regressionThresholdPct ?? REGRESSION_THRESHOLD_PCT;
  return {
    regression_threshold_pct: threshold,
    baseline_load_test_id: r.profiling.baseline.id,
    after_load_test_id: r.validation?.after.id ?? null,
    checks: [
      `any target metric worse by more than ${threshold}% after a change rolls the change back`,
      `re-run on each release: perf-orch run --target <profile> --tier T1 --auto-approve --wait`,
      ...r.plan.items
        .filter((i) => i.action.type === 'create_index')
        .map((i) => `keep index ${(i.action as { indexName: string }).indexName}: alert if it becomes unused or invalid`),
    ],
  };
}

type ProfileMetrics = Pick<
  OutputContract['baseline_metrics'],
  'hot_functions' | 'cpu_profile' | 'process' | 'host' | 'http_timing' | 'not_measured'
>;

/** The profiling step's CPU profile, process and host metrics and HTTP timing, as report fields. */
export function profileMetrics(p: ProfilingResult): ProfileMetrics {
  const cpu = p.cpu ?? null;
  const proc = p.process;
  const io = proc?.hostIo ?? null;
  return {
    ...(p.notMeasured?.length ? { not_measured: p.notMeasured.map((m) => ({ what: m.what, reason: m.reason })) } : {}),
    hot_functions: (cpu?.functions ?? []).map((f) => ({
      function: f.functionName,
      location: f.calledFrom ? `(native, called from ${f.calledFrom})` : f.url ? `${f.url}:${f.lineNumber}` : '(native)',
      self_pct: f.selfPct,
      total_pct: f.totalPct,
      hot: f.hot,
    })),
    cpu_profile: cpu
      ? {
          artifact_id: cpu.artifactId,
          file: cpu.file,
          samples: cpu.samples,
          duration_s: round(cpu.durationMs / 1000, 1),
          busy_pct: cpu.busyPct,
          gc_pct: cpu.gcPct,
          threshold_pct: cpu.thresholdPct,
          // py-spy's share sums every Python thread of every process, as /proc does: no main-thread gap to explain.
          problems: [
            ...cpu.problems,
            ...[cpu.profiler === 'py-spy' ? null : cpuFiguresNote(cpu, proc ?? null)].filter((n): n is string => n !== null),
          ],
          ...(cpu.profiler === 'py-spy' ? { profiler: cpu.profiler, pids: cpu.pids ?? [] } : {}),
        }
      : null,
    process:
      proc || cpu
        ? {
            pid: proc?.pid ?? cpu?.pid ?? null,
            ...(proc?.pids && proc.pids.length > 1 ? { processes: proc.pids.length } : {}),
            cpu_pct_avg: proc?.cpuPctAvg ?? null,
            cpu_pct_max: proc?.cpuPctMax ?? null,
            rss_mb_max: proc?.rssMbMax ?? null,
            open_fds_max: proc?.openFdsMax ?? null,
            event_loop_delay_ms: cpu?.eventLoopDelayMs
              ? {
                  p50: cpu.eventLoopDelayMs.p50Ms,
                  p99: cpu.eventLoopDelayMs.p99Ms,
                  max: cpu.eventLoopDelayMs.maxMs,
                  mean: cpu.eventLoopDelayMs.meanMs,
                }
              : null,
          }
        : null,
    host: proc
      ? {
          cpu_pct_avg: proc.hostCpuPctAvg,
          load_avg_1: proc.loadAvg1,
          mem_used_pct: proc.hostMemUsedPct,
          disk_read_bytes_per_s: io?.diskReadBytesPerSec ?? null,
          disk_write_bytes_per_s: io?.diskWriteBytesPerSec ?? null,
          net_rx_bytes_per_s: io?.netRxBytesPerSec ?? null,
          net_tx_bytes_per_s: io?.netTxBytesPerSec ?? null,
          loopback_bytes_per_s: io?.loopbackBytesPerSec ?? null,
        }
      : null,
    http_timing: (p.network?.endpoints ?? []).map((e) => ({
      endpoint: e.name,
      method: e.method,
      samples: e.samples,
      errors: e.errors,
      connect_ms: e.connectMsAvg,
      ttfb_ms: e.ttfbMsAvg,
      transfer_ms: e.transferMsAvg,
      total_ms: e.totalMsAvg,
    })),
  };
}

function monitoring(r: RunRecord): OutputContract['monitoring_configured'] {
  const t = r.input.target.targets;
  const rows: OutputContract['monitoring_configured'] = [
    { metric: 'http p95 latency', threshold: `> ${t.p95Ms} ms for 5 min`, source: 'load balancer / APM', status: 'recommended' },
    { metric: 'http p99 latency', threshold: `> ${t.p99Ms} ms for 5 min`, source: 'load balancer / APM', status: 'recommended' },
    { metric: 'http error rate', threshold: `> ${t.errorRatePct}% for 5 min`, source: 'load balancer / APM', status: 'recommended' },
    {
      metric: 'throughput capacity',
      threshold: `< ${t.throughputRps} req/s at saturation`,
      source: 'perf-orch load test',
      status: 'recommended',
    },
  ];
  if (r.input.target.database) {
    rows.push({ metric: 'database time share', threshold: '> 50% of request time', source: 'pg_stat_statements', status: 'recommended' });
  }
  if (r.input.target.redis) {
    rows.push({ metric: 'cache hit ratio', threshold: '< 70%', source: 'Redis INFO stats', status: 'recommended' });
  }
  return rows;
}

function endpointsOf(r: RunRecord) {
  return { before: r.profiling.attribution ?? null, after: r.validation?.attribution ?? null };
}

function nextSteps(r: RunRecord): string[] {
  const steps: string[] = r.optimization?.notApplied ? [r.optimization.notApplied.why] : [];
  steps.push(
    ...outcomeSteps(
      r.outcome,
      { baseline: r.profiling.baseline, targets: r.input.target.targets, plan: r.plan, costs: r.input.target.costs },
      r.validation,
      endpointsOf(r),
      r.optimization?.applied ?? [],
    ),
  );
  if (r.outcome === 'rejected' && r.decision.kind === 'rejected')
    steps.push(`plan rejected by ${r.decision.by}: ${r.decision.reason}; revise and run again`);
  if (r.outcome === 'approval_timed_out') steps.push('the plan was not approved in time; review it and start a new run');
  if (r.outcome === 'regressed_rolled_back')
    steps.push('validation found a regression and rolled the changes back; apply items one at a time to find the culprit');
  if (r.outcome === 'apply_failed_rolled_back') {
    const failed = r.optimization?.failed;
    steps.push(`applying ${failed?.itemId} failed (${failed?.error}); fix the cause and run again`);
    const skipped = r.plan.items.filter((i) => itemStatus(i, r) === 'skipped').map((i) => i.id);
    if (skipped.length) steps.push(`${skipped.join(', ')}: approved but not attempted: ${failed?.itemId} failed before it`);
  }
  steps.push(...rollbackSteps(r));
  for (const i of r.plan.items.filter((x) => !x.automatic)) steps.push(`manual (${i.layer}): ${i.title}`);
  const approved = r.decision.kind === 'approved' ? r.decision.itemIds : [];
  for (const i of r.plan.items.filter((x) => x.automatic && needsExplicitApproval(x) && !approved.includes(x.id))) {
    steps.push(`${i.title}: the tool drops it when approved by id (perf-orch approve <run> --items ${i.id})`);
  }
  if (r.validation && !r.validation.targetsMet) {
    const missed = r.validation.comparison.filter((c) => !c.metAfter).map((c) => `${c.metric} ${c.after} vs ${c.target}`);
    steps.push(`targets still missed (${missed.join(', ')})`, attainmentStep(r.validation.comparison));
  }
  const cut = [r.profiling.baseline, r.validation?.after, r.validation?.peak, r.validation?.soak?.summary].filter((t) => t?.runBudgetSpent);
  if (cut.length) {
    steps.push(
      `load budget: the ${cut.map((t) => t!.phase).join(', ')} load test(s) stopped early, the run's request budget spent ` +
        `(PERF_MAX_RUN_REQUESTS on the worker, or limits.maxRunRequests); their figures cover a shorter window`,
    );
  }
  for (const f of r.validation?.soak?.flags ?? []) steps.push(`soak: ${f}`);
  if (r.validation?.stress && !r.validation.stress.breakingPoint) {
    steps.push(firstStepShortfall(r.validation.stress, r.input.target.targets, r.validation.after.latencyMs.p50 ?? null));
  }
  if (r.escalationWorkflowId)
    steps.push(`architecture review opened: ${r.escalationWorkflowId} (acknowledge/resolve it with perf-orch escalation)`);
  if (steps.length === 0) steps.push('targets met: keep the regression check in CI and re-profile after major releases');
  const created = (r.profiling.database?.createdExtensions ?? []).map(createdExtensionStep);
  return [...steps, ...created, ...analysisNotes(r.plan.notes ?? [])];
}

/**
 * What became of a failed apply's INVALID leftover, and every rollback that failed (with what to run
 * by hand): a change still in place must not hide in the rollback list.
 */
function rollbackSteps(r: RunRecord): string[] {
  const failedId = r.optimization?.failed?.itemId;
  return (r.optimization?.rolledBack ?? [])
    .filter((x) => x.itemId === failedId || !x.ok)
    .map((x) => (x.itemId === failedId ? `${x.itemId}: ${x.details}` : `rolling back ${x.itemId} failed: ${x.details}`));
}

/** The skills' notes (what they could not analyze and why, what would deepen the analysis), at most 15. */
function analysisNotes(notes: string[]): string[] {
  const MAX = 15;
  const shown = notes.slice(0, MAX).map((n) => `analysis note: ${n}`);
  if (notes.length > MAX) shown.push(`... and ${notes.length - MAX} more analysis notes (perf-orch status shows them all)`);
  return shown;
}

function sources(r: RunRecord): string[] {
  const s = [`load test ${r.profiling.baseline.id} (${r.input.target.load.model} model, HDR histograms)`];
  if (r.profiling.database?.extensions.pgStatStatements) s.push('pg_stat_statements (window diff)', 'EXPLAIN generic plans');
  if (r.profiling.database?.extensions.hypopg) s.push('hypopg hypothetical indexes');
  if (r.profiling.cache?.available) s.push('Redis INFO stats/memory, SLOWLOG');
  if (r.profiling.process?.pid != null) s.push('/proc process and host metrics');
  if (r.profiling.network) s.push('HTTP connect/TTFB/transfer probes per endpoint');
  const cpu = r.profiling.cpu;
  if (cpu?.samples)
    s.push(`CPU profile ${cpu.profiler === 'py-spy' ? 'with py-spy' : 'through the Node.js inspector'} (${cpu.samples} samples)`);
  if (cpu?.eventLoopDelayMs) s.push('event-loop delay (perf_hooks.monitorEventLoopDelay)');
  if (r.validation) s.push(...r.validation.completed.map((p) => `validation load test: ${p}`));
  return s;
}
