// The parent: profile -> analyze -> approve -> optimize -> validate, with rollback and escalation.
// performanceOrchestration reads as the run's story; each step is a short method of OrchestrationRun.
import {
  CancellationScope,
  ParentClosePolicy,
  condition,
  executeChild,
  isCancellation,
  patched,
  proxyActivities,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { buildOutputContract, type Outcome } from '../common/contract';
import { REGRESSION_THRESHOLD_PCT } from '../common/compare';
import { improvedBeyond } from '../common/verdict/outcome';
import { describeValidation } from '../common/decisions';
import { rootCauseMessage } from '../common/failure-cause';
import type { OutputContract } from '../common/output-contract';
import { automaticIds, buildPlan } from '../common/plan';
import { abortAfterProfiling, costAboveValue, type AbortReason } from '../common/rules/abort';
import { attainmentOf } from '../common/rules/attainment';
import type { Phase, RunInput } from '../common/run';
import { PERF_TIER } from '../common/search-attributes';
import type { AnalysisResult, OptimizationResult, ProfilingResult, ValidationResult } from '../common/stages';
import type { Layer } from '../common/profile';
import type { Plan, PrecheckResult, RolledBackChange } from '../common/types';
import { analysisWorkflow } from './analysis';
import { architectureEscalation } from './escalation';
import { optimizationWorkflow, rollbackAll } from './optimization';
import { profilingWorkflow } from './profiling';
import { RunState } from './run-state';
import { validationWorkflow } from './validation';
import { AB_VALIDATION_PATCH } from './ab-validation';
import { STAGED_PATCH, optimizeInStages } from './staged-optimization';
import type { StageGroup } from '../common/rules/stages';
import { COSTLY_BLOCKS_PATCH } from './costly-blocks';
import { leaveRegressionPrevention } from './regression-prevention';
import { checkInstalledMonitoring } from './monitoring-check';
import { NOTIFY_ROLLBACK_PATCH, sendNotifications, wantsNotification } from './notify';
import { rollbackNotification } from '../common/notify/notifications';

function runActivities(summary: string) {
  return proxyActivities<Activities>({
    startToCloseTimeout: '1 minute',
    retry: { maximumAttempts: 5, initialInterval: '2 seconds' },
    summary,
  });
}

const ESCALATION_TIMEOUT_MS = 30 * 24 * 3600 * 1000;

type EscalationReason = 'targets_missed' | 'approval_timeout' | 'tier_t4';

export async function performanceOrchestration(input: RunInput): Promise<OutputContract> {
  const run = new OrchestrationRun(input);
  try {
    return await run.story();
  } catch (err) {
    await run.endEarly(err);
    throw err;
  }
}

class OrchestrationRun {
  readonly state: RunState;
  readonly scope: Layer[];
  readonly threshold: number;
  private readonly workflowId: string;
  private readonly runId: string;
  private pre: PrecheckResult | null = null;
  private profiling: ProfilingResult | null = null;
  private analysis: AnalysisResult | null = null;
  private optimization: OptimizationResult | null = null;
  private validation: ValidationResult | null = null;

  constructor(private readonly input: RunInput) {
    ({ workflowId: this.workflowId, runId: this.runId } = workflowInfo());
    this.scope = input.scope ?? input.target.scope;
    this.threshold = input.regressionThresholdPct ?? REGRESSION_THRESHOLD_PCT;
    this.state = new RunState(this.workflowId, input.target.name);
    this.state.registerHandlers();
  }

  async story(): Promise<OutputContract> {
    await this.precheck();
    const profiling = await this.profile();
    // The specification's abort conditions (histories before them: the run went on).
    const abort = patched('abort-conditions') ? abortAfterProfiling(profiling.baseline, this.input.target.targets) : null;
    if (abort) return this.abortAfterProfiling(abort);
    const plan = await this.analyze(profiling);
    if (automaticIds(plan).length === 0) return this.nothingToApply(plan);
    if (patched('cost-abort') && costAboveValue(plan, this.input.target.costs)) return this.planOnly();
    const approval = await this.state.awaitApproval(this.input, plan);
    if (approval === 'nothing_approved') return this.finish('nothing_to_apply');
    if (approval === 'rejected' || approval === 'rollback_requested') return this.finish('rejected');
    if (approval === 'timed_out') return this.approvalTimedOut();
    const optimization = await this.optimize(plan, profiling);
    if (optimization.failed) {
      // A later stage failed: the earlier stages' changes are undone too (one stage: nothing left to undo).
      await this.rollback(`apply of ${optimization.failed.itemId} failed`);
      return this.finish('apply_failed_rolled_back');
    }
    if (this.state.rollbackRequested) return this.rollBackOnRequest();
    const validation = await this.validate(plan, profiling);
    if (validation === null) return this.rollBackOnRequest();
    if (validation.regressed) return this.rollBackRegression(validation);
    if (this.state.rollbackRequested) return this.rollBackOnRequest();
    // An improvement is claimed only when its interval excludes zero (histories before the intervals: the estimate).
    const improved = patched('verdict-intervals')
      ? improvedBeyond(validation, this.threshold)
      : validation.comparison.some((c) => c.changePct > this.threshold);
    // Every missed target at >= 80% of the improvement it needed: accepted and monitored, no review.
    const accepted = !validation.targetsMet && patched('partial-targets') && attainmentOf(validation.comparison).level === 'partial';
    const esc =
      validation.targetsMet || accepted
        ? null
        : await this.escalate('targets_missed', `targets still missed after tuning (tier ${plan.tier})`);
    return this.finish(improved ? 'improved' : 'no_change', esc);
  }

  /** The changes cost more than a year of the business value: the plan is the result, nothing applied. */
  private async planOnly(): Promise<OutputContract> {
    this.state.decideNothingToApprove();
    return this.finish('plan_only_cost_above_value');
  }

  /** No baseline, or the targets already met: the run ends after profiling, with an empty plan. */
  private async abortAfterProfiling(abort: AbortReason): Promise<OutputContract> {
    const tier = this.input.tier === 'auto' ? 'T1' : this.input.tier;
    this.analysis = { plan: buildPlan([], tier, []) };
    this.state.recordPlan(this.analysis.plan);
    return this.finish(abort.kind === 'no_baseline' ? 'aborted_no_baseline' : 'targets_already_met');
  }

  /** A run that ends early (cancelled, or a step failed for good) leaves nothing half-applied. */
  async endEarly(err: unknown): Promise<void> {
    // The cause inside the wrappers: "Child Workflow execution failed" tells a person nothing.
    const why = isCancellation(err) ? 'run cancelled' : `run failed: ${rootCauseMessage(err)}`;
    await this.rollback(why);
    this.state.fail(isCancellation(err) ? 'cancelled' : 'failed', why);
  }

  private childId(step: string): string {
    return `${this.workflowId}:${step}:${this.runId}`;
  }

  private async precheck(): Promise<void> {
    this.pre = await runActivities('pre-check: the target, its database and its cache answer').precheck(this.input.target);
    await runActivities('record the run in the store').recordRunStarted({
      workflowId: this.workflowId,
      runId: this.runId,
      input: this.input,
    });
  }

  private async profile(): Promise<ProfilingResult> {
    const { target } = this.input;
    const what = `baseline load test (${target.load.concurrency} connections, ${target.load.durationSeconds}s) and profiles`;
    this.state.enter('profiling', what);
    const profiling = await executeChild(profilingWorkflow, {
      workflowId: this.childId('profiling'),
      args: [{ runId: this.runId, target }],
      staticSummary: `Profiling: ${what}`,
    });
    this.profiling = profiling;
    this.state.recordProfiling(profiling.baseline, profiling.bottlenecks, profiling.attribution);
    return profiling;
  }

  private async analyze(profiling: ProfilingResult): Promise<Plan> {
    const what = `running the skills for ${this.scope.join(', ')}`;
    this.state.enter('analysis', what);
    this.analysis = await executeChild(analysisWorkflow, {
      workflowId: this.childId('analysis'),
      args: [{ runId: this.runId, target: this.input.target, scope: this.scope, tier: this.input.tier, profiling }],
      staticSummary: `Analysis: ${what}`,
    });
    const plan = this.analysis.plan;
    this.state.recordPlan(plan);
    upsertSearchAttributes({ [PERF_TIER.name]: [plan.tier] });
    return plan;
  }

  private async nothingToApply(plan: Plan): Promise<OutputContract> {
    this.state.decideNothingToApprove();
    const esc =
      plan.tier === 'T4' ? await this.escalate('tier_t4', 'no automatic optimization found and the gap to the targets is beyond 5x') : null;
    return this.finish('nothing_to_apply', esc);
  }

  private async approvalTimedOut(): Promise<OutputContract> {
    const { target, approvalTimeoutMs, onApprovalTimeout } = this.input;
    const esc =
      onApprovalTimeout === 'escalate'
        ? await this.escalate('approval_timeout', `plan for ${target.name} was not approved within ${approvalTimeoutMs} ms`)
        : null;
    return this.finish('approval_timed_out', esc);
  }

  private async optimize(plan: Plan, profiling: ProfilingResult): Promise<OptimizationResult> {
    const approvedIds = new Set(this.state.approvedIds());
    const approved = plan.items.filter((i) => approvedIds.has(i.id));
    this.state.enter('optimizing', `applying ${approved.length} approved change(s)`);
    // Histories before the stages, and profiles that ask for it: one child with every approved change.
    const staged = patched(STAGED_PATCH) && this.input.target.actions.stages !== 'all-at-once';
    if (!staged) return this.record(await this.optimizeGroup({ priority: 'all', items: approved }, 0, 1, true));
    return optimizeInStages(
      {
        runId: this.runId,
        target: this.input.target,
        profiling,
        optimizeGroup: (group, k, of, blocks) => this.optimizeGroup(group, k, of, blocks),
        record: (total) => void this.record(total),
        rollbackRequested: () => this.state.rollbackRequested,
      },
      approved,
    );
  }

  /** One group's optimization child; not cancellable: the parent must learn what was applied in order to undo it. */
  private optimizeGroup(group: StageGroup, k: number, of: number, wantBlocks: boolean): Promise<OptimizationResult> {
    const stage = of > 1 ? ` (stage ${k + 1}/${of}: ${group.priority} priority)` : '';
    const what = `applying ${group.items.length} approved change(s)${stage}`;
    if (of > 1) this.state.enter('optimizing', what);
    // The before blocks of the costly changes run under the baseline's load, once a run (histories before them: none).
    const blocks =
      wantBlocks && patched(COSTLY_BLOCKS_PATCH) && this.profiling
        ? { runId: this.runId, baselineConcurrency: this.profiling.baseline.concurrency }
        : {};
    return CancellationScope.nonCancellable(() =>
      executeChild(optimizationWorkflow, {
        workflowId: this.childId(k === 0 ? 'optimization' : `optimization-${k + 1}`),
        args: [{ target: this.input.target, items: group.items, ...blocks }],
        staticSummary: `Optimization: ${what}`,
      }),
    );
  }

  private record(total: OptimizationResult): OptimizationResult {
    this.optimization = total;
    this.state.recordApplied(total);
    return total;
  }

  /** The validation child, abandoned (null) when a rollback is requested meanwhile. */
  private async validate(plan: Plan, profiling: ProfilingResult): Promise<ValidationResult | null> {
    const what = describeValidation(plan.tier);
    this.state.enter('validating', what);
    // Each applied change is measured on its own too (histories before it: the before/after only).
    const abItems = patched(AB_VALIDATION_PATCH)
      ? this.state.status.applied.flatMap((change) => plan.items.filter((i) => i.id === change.itemId).map((item) => ({ item, change })))
      : undefined;
    const scope = new CancellationScope();
    const validated = scope.run(() =>
      executeChild(validationWorkflow, {
        workflowId: this.childId('validation'),
        args: [
          {
            runId: this.runId,
            target: this.input.target,
            tier: plan.tier,
            baseline: profiling.baseline,
            regressionThresholdPct: this.threshold,
            ...(abItems ? { abItems } : {}),
            ...(this.optimization?.beforeBlocks ? { beforeBlocks: this.optimization.beforeBlocks } : {}),
          },
        ],
        staticSummary: `Validation: ${what}`,
      }),
    );
    const first = await Promise.race([
      validated.then(() => 'validated' as const),
      condition(() => this.state.rollbackRequested).then(() => 'rollback' as const),
    ]).catch(async (err) => {
      // The run cancelled: a validation that flips changes (A/B) is let finish its cancel first, so
      // that the rollback that follows sees their last state (histories before it: rolled back at once).
      if (isCancellation(err) && abItems) await validated.catch(() => undefined);
      throw err;
    });
    if (first === 'rollback') {
      scope.cancel();
      await validated.catch((err) => {
        if (!isCancellation(err)) throw err;
      });
      return null;
    }
    this.validation = await validated;
    this.state.recordAfter(this.validation.after, this.validation.attribution);
    this.recordItemRollbacks(this.validation);
    return this.validation;
  }

  /** Items the A/B found worse and rolled back alone: the run's record and the final rollback know. */
  private recordItemRollbacks(v: ValidationResult): void {
    const done = (v.items ?? []).flatMap((m) => (m.rolledBack ? [m.rolledBack] : []));
    if (done.length > 0) this.recordRolledBack(done);
  }

  /** Rollbacks on the run's record and on the optimization result the contract reads. */
  private recordRolledBack(done: RolledBackChange[]): void {
    this.state.recordRolledBack(done);
    this.optimization = {
      ...(this.optimization ?? { applied: this.state.status.applied, failed: null }),
      rolledBack: this.state.status.rolledBack,
    };
  }

  private async rollBackOnRequest(): Promise<OutputContract> {
    await this.rollback('rollback requested');
    return this.finish('rolled_back_on_request');
  }

  private async rollBackRegression(v: ValidationResult): Promise<OutputContract> {
    const worse = v.comparison.filter((c) => c.regressed).map((c) => `${c.metric} ${c.before} -> ${c.after}`);
    await this.rollback(`regression over ${this.threshold}%: ${worse.join(', ')}`);
    if (wantsNotification(this.input.target, 'rollback') && patched(NOTIFY_ROLLBACK_PATCH)) {
      const facts = { workflowId: this.workflowId, runId: this.runId, target: this.input.target.name, worse, thresholdPct: this.threshold };
      await sendNotifications(
        this.input.target,
        rollbackNotification({ ...facts, rolledBack: this.state.status.rolledBack.length }, new Date()),
      );
    }
    return this.finish('regressed_rolled_back');
  }

  private async rollback(reason: string): Promise<void> {
    const toUndo = this.state.pendingUndo();
    if (toUndo.length === 0) return;
    this.state.enter('rolling_back', `rolling back ${toUndo.length} change(s): ${reason}`);
    this.recordRolledBack(await rollbackAll(this.input.target, toUndo, reason));
  }

  private async escalate(reason: EscalationReason, summary: string): Promise<string> {
    this.state.enter('escalating', `opening an architecture review: ${summary}`);
    const id = this.childId('escalation');
    await startChild(architectureEscalation, {
      workflowId: id,
      parentClosePolicy: ParentClosePolicy.ABANDON,
      staticSummary: `Architecture review: ${summary}`,
      args: [
        {
          target: this.input.target.name,
          parentWorkflowId: this.workflowId,
          reason,
          summary,
          details: {
            tier: this.analysis?.plan.tier,
            bottlenecks: this.profiling?.bottlenecks.slice(0, 5),
            comparison: this.validation?.comparison ?? null,
          },
          timeoutMs: this.input.escalationTimeoutMs ?? ESCALATION_TIMEOUT_MS,
          ...(wantsNotification(this.input.target, 'escalation') ? { profile: this.input.target } : {}),
        },
      ],
    });
    return id;
  }

  private async finish(
    outcome: Outcome,
    escalationWorkflowId: string | null = this.state.status.escalationWorkflowId,
  ): Promise<OutputContract> {
    const status = this.state.status;
    status.escalationWorkflowId = escalationWorkflowId;
    const enter = (step: string): void => this.state.enter('completed', step);
    const monitoring = await checkInstalledMonitoring(this.input.target, this.profiling!, this.optimization, this.validation, enter);
    const pinFrom = this.validation?.after ?? this.profiling?.baseline ?? null;
    const ids = { workflowId: this.workflowId, runId: this.runId };
    const regressionPrevention = await leaveRegressionPrevention(this.input, outcome, { ...ids, pinFrom, enter });
    const result = buildOutputContract({
      input: this.input,
      scope: this.scope,
      timestamp: this.pre!.timestamp,
      ...ids,
      profiling: this.profiling!,
      plan: this.analysis!.plan,
      skills: this.analysis!.skills,
      decision: status.decision ?? { kind: 'timed_out' },
      optimization: this.optimization,
      validation: this.validation,
      outcome,
      escalationWorkflowId,
      regressionPrevention,
      ...(monitoring ? { monitoring } : {}),
    });
    await runActivities(`record the result in the store: ${outcome}`).recordRunResult({ ...ids, status: outcome, result });
    const end: Phase = outcome === 'rejected' ? 'rejected' : outcome === 'approval_timed_out' ? 'approval_timed_out' : 'completed';
    this.state.enter(end, `finished: ${outcome}`);
    return result;
  }
}
