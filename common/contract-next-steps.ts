// The contract's recommendations: the monitoring and regression checks the run recommends (nothing
// configures them yet: monitoring_configured and regression_prevention stay false, and next_steps says
// why), and the next steps. Pure.
import type { OutputContract } from './output-contract';
import { attainmentStep, endpointsOf, outcomeSteps } from './contract-outcome';
import { regressionPreventionInPlace, type RunRecord } from './contract-record';
import { REGRESSION_THRESHOLD_PCT } from './compare';
import { itemState } from './contract-items';
import { createdExtensionStep } from './created-extensions';
import { needsExplicitApproval } from './plan';
import { firstStepShortfall } from './stress';
import { monitoringStep } from './contract-monitoring';

export function regressionPreventionPlan(r: RunRecord): OutputContract['regression_prevention_plan'] {
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
    ...(r.regressionPrevention
      ? {
          in_place: {
            pinned_baseline_id: r.regressionPrevention.pinnedBaselineId,
            watch_schedule_id: r.regressionPrevention.watchScheduleId,
            ci_file: r.regressionPrevention.ciFile,
          },
        }
      : {}),
  };
}

export function monitoringRecommendations(r: RunRecord): OutputContract['monitoring_recommendations'] {
  const t = r.input.target.targets;
  const rows: OutputContract['monitoring_recommendations'] = [
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

export function nextSteps(r: RunRecord): string[] {
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
    const skipped = r.plan.items.filter((i) => itemState(i, r) === 'skipped').map((i) => i.id);
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
  return [
    ...steps,
    monitoringStep(r, monitoringNotConfigured(r)),
    ...regressionPreventionSteps(r),
    ...created,
    ...analysisNotes(r.plan.notes ?? []),
  ];
}

/** Why monitoring_configured is false when the run installed no alert rules. */
export const MONITORING_NOT_CONFIGURED =
  'monitoring not configured: the run installed no alert rules (give the profile observability.prometheusUrl and observability.rulesDir, ' +
  'and approve the alert-rules item); configure the ones in monitoring_recommendations in your monitoring system';

/** Why no alert rules were installed: the profile lacks what it takes, the analysis made no item (its notes say why), or it was not approved. */
function monitoringNotConfigured(r: RunRecord): string {
  const o = r.input.target.observability;
  if (!o?.prometheusUrl || !o.rulesDir) return MONITORING_NOT_CONFIGURED;
  if (!r.plan.items.some((i) => i.action.type === 'install_alert_rules'))
    return (
      'monitoring not configured: the analysis made no alert-rules item to install (the observability-stack-configurator notes ' +
      'say why); configure the ones in monitoring_recommendations in your monitoring system'
    );
  return 'monitoring not configured: the alert-rules item was not approved; approve it in the next run (or install its file by hand)';
}

/** What regression prevention lacks, when anything: a pinned baseline, and a watch or a CI file that checks against it. */
function regressionPreventionSteps(r: RunRecord): string[] {
  const s = r.regressionPrevention;
  if (regressionPreventionInPlace(s)) return [];
  const name = r.input.target.name;
  const missing: string[] = [];
  if (!s?.pinnedBaselineId) missing.push(`no pinned baseline (run with --pin-baseline, or: perf-orch baseline pin --target ${name})`);
  if (!s?.watchScheduleId && !s?.ciFile)
    missing.push(`no check against it (run with --watch-every 1w, or: perf-orch watch create / perf-orch ci init --target <profile>)`);
  return [`regression prevention not configured: ${missing.join('; ')}`];
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
