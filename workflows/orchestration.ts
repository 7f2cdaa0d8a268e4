// The parent: profile -> analyze -> approve -> optimize -> validate, with rollback and escalation.
import {
  CancellationScope,
  ParentClosePolicy,
  condition,
  executeChild,
  isCancellation,
  proxyActivities,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { buildOutputContract, type Outcome } from '../common/contract';
import type { OutputContract } from '../common/output-contract';
import { REGRESSION_THRESHOLD_PCT } from '../common/compare';
import { automaticIds, defaultApprovalIds } from '../common/plan';
import type { Phase, RunInput, RunStatus } from '../common/run';
import { PERF_PHASE, PERF_TIER } from '../common/search-attributes';
import type { AnalysisResult, OptimizationResult, ProfilingResult, ValidationResult } from '../common/stages';
import type { PrecheckResult } from '../common/types';
import { analysisWorkflow } from './analysis';
import { architectureEscalation } from './escalation';
import { approvePlanUpdate, rejectPlanSignal, requestRollbackSignal, statusQuery } from './messages';
import { optimizationWorkflow, rollbackAll } from './optimization';
import { profilingWorkflow } from './profiling';
import { validationWorkflow } from './validation';

const { precheck, recordRunStarted, recordRunResult } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { maximumAttempts: 5, initialInterval: '2 seconds' },
});

const ESCALATION_TIMEOUT_MS = 30 * 24 * 3600 * 1000;

export async function performanceOrchestration(input: RunInput): Promise<OutputContract> {
  const { workflowId, runId } = workflowInfo();
  const target = input.target;
  const scope = input.scope ?? target.scope;
  const status: RunStatus = {
    workflowId,
    target: target.name,
    phase: 'precheck',
    step: 'checking that the target, its database and its cache answer',
    tier: null,
    plan: null,
    decision: null,
    baseline: null,
    after: null,
    bottlenecks: [],
    applied: [],
    rolledBack: [],
    rollbackRequested: false,
    escalationWorkflowId: null,
    error: null,
  };
  const enter = (phase: Phase, step: string) => {
    status.phase = phase;
    status.step = step;
    upsertSearchAttributes({ [PERF_PHASE.name]: [phase] });
  };

  setHandler(statusQuery, () => status);
  setHandler(
    approvePlanUpdate,
    ({ itemIds, by }) => {
      const ids = itemIds ?? defaultApprovalIds(status.plan!);
      status.decision = { kind: 'approved', itemIds: ids, by: by ?? 'unknown', auto: false };
      return { approved: ids };
    },
    {
      validator: ({ itemIds }) => {
        if (status.phase !== 'awaiting_approval' || !status.plan) {
          throw new Error(`nothing to approve: the run is in phase "${status.phase}"`);
        }
        const known = new Map(status.plan.items.map((i) => [i.id, i]));
        for (const id of itemIds ?? []) {
          const item = known.get(id);
          if (!item) throw new Error(`unknown plan item "${id}"; the plan has: ${[...known.keys()].join(', ') || '(no items)'}`);
          if (!item.automatic) throw new Error(`plan item "${id}" is a manual step; the tool cannot apply it`);
        }
      },
    },
  );
  setHandler(rejectPlanSignal, ({ reason, by }) => {
    if (status.phase === 'awaiting_approval' && !status.decision) status.decision = { kind: 'rejected', reason, by: by ?? 'unknown' };
  });
  setHandler(requestRollbackSignal, () => {
    status.rollbackRequested = true;
  });

  const childId = (step: string) => `${workflowId}:${step}:${runId}`;
  let profiling: ProfilingResult | null = null;
  let analysis: AnalysisResult | null = null;
  let optimization: OptimizationResult | null = null;
  let validation: ValidationResult | null = null;
  let pre: PrecheckResult;

  const finish = async (outcome: Outcome, escalationWorkflowId: string | null = status.escalationWorkflowId): Promise<OutputContract> => {
    status.escalationWorkflowId = escalationWorkflowId;
    const result = buildOutputContract({
      input,
      scope,
      timestamp: pre.timestamp,
      workflowId,
      runId,
      profiling: profiling!,
      plan: analysis!.plan,
      decision: status.decision ?? { kind: 'timed_out' },
      optimization,
      validation,
      outcome,
      escalationWorkflowId,
    });
    await recordRunResult({ workflowId, runId, status: outcome, result });
    const end: Phase = outcome === 'rejected' ? 'rejected' : outcome === 'approval_timed_out' ? 'approval_timed_out' : 'completed';
    enter(end, `finished: ${outcome}`);
    return result;
  };

  const escalate = async (reason: 'targets_missed' | 'approval_timeout' | 'tier_t4', summary: string): Promise<string> => {
    enter('escalating', `opening an architecture review: ${summary}`);
    const id = childId('escalation');
    await startChild(architectureEscalation, {
      workflowId: id,
      parentClosePolicy: ParentClosePolicy.ABANDON,
      args: [
        {
          target: target.name,
          parentWorkflowId: workflowId,
          reason,
          summary,
          details: {
            tier: analysis?.plan.tier,
            bottlenecks: profiling?.bottlenecks.slice(0, 5),
            comparison: validation?.comparison ?? null,
          },
          timeoutMs: input.escalationTimeoutMs ?? ESCALATION_TIMEOUT_MS,
        },
      ],
    });
    return id;
  };

  const rollback = async (reason: string): Promise<void> => {
    const toUndo = status.applied.filter((a) => !status.rolledBack.some((r) => r.itemId === a.itemId && r.ok));
    if (toUndo.length === 0) return;
    enter('rolling_back', `rolling back ${toUndo.length} change(s): ${reason}`);
    const done = await rollbackAll(target, toUndo, reason);
    status.rolledBack.push(...done);
    optimization = { ...(optimization ?? { applied: status.applied, failed: null }), rolledBack: status.rolledBack };
  };

  try {
    return await steps();
  } catch (err) {
    // A run that ends early (cancelled, or a step failed for good) leaves nothing half-applied.
    const why = isCancellation(err) ? 'run cancelled' : `run failed: ${(err as Error).message}`;
    await rollback(why);
    status.error = why;
    enter(isCancellation(err) ? 'cancelled' : 'failed', why);
    throw err;
  }

  async function steps(): Promise<OutputContract> {
    // 1. Pre-checks.
    pre = await precheck(target);
    await recordRunStarted({ workflowId, runId, input });

    // 2. Profiling.
    enter('profiling', `baseline load test (${target.load.concurrency} connections, ${target.load.durationSeconds}s) and profiles`);
    profiling = await executeChild(profilingWorkflow, { workflowId: childId('profiling'), args: [{ runId, target }] });
    status.baseline = profiling.baseline;
    status.bottlenecks = profiling.bottlenecks;

    // 3. Analysis.
    enter('analysis', `running the skills for ${scope.join(', ')}`);
    analysis = await executeChild(analysisWorkflow, {
      workflowId: childId('analysis'),
      args: [{ runId, target, scope, tier: input.tier, profiling }],
    });
    const plan = analysis.plan;
    status.plan = plan;
    status.tier = plan.tier;
    upsertSearchAttributes({ [PERF_TIER.name]: [plan.tier] });
    if (automaticIds(plan).length === 0) {
      status.decision = { kind: 'approved', itemIds: [], by: 'perf-orchestrator', auto: true };
      const esc =
        plan.tier === 'T4' ? await escalate('tier_t4', 'no automatic optimization found and the gap to the targets is beyond 5x') : null;
      return finish('nothing_to_apply', esc);
    }

    // 4. Approval.
    enter('awaiting_approval', `waiting for approval of ${plan.items.length} item(s)`);
    if (input.autoApprove) {
      status.decision = { kind: 'approved', itemIds: defaultApprovalIds(plan), by: input.requestedBy, auto: true };
    } else {
      await condition(() => status.decision !== null || status.rollbackRequested, input.approvalTimeoutMs);
    }
    if (!status.decision || status.decision.kind !== 'approved' || status.decision.itemIds.length === 0) {
      if (status.decision?.kind === 'rejected') return finish('rejected');
      if (status.decision?.kind === 'approved') return finish('nothing_to_apply');
      status.decision = status.rollbackRequested
        ? { kind: 'rejected', reason: 'rollback requested before approval', by: 'requestRollback' }
        : { kind: 'timed_out' };
      if (status.rollbackRequested) return finish('rejected');
      const esc =
        input.onApprovalTimeout === 'escalate'
          ? await escalate('approval_timeout', `plan for ${target.name} was not approved within ${input.approvalTimeoutMs} ms`)
          : null;
      return finish('approval_timed_out', esc);
    }

    // 5. Optimization.
    const approved = new Set(status.decision.itemIds);
    enter('optimizing', `applying ${approved.size} approved change(s)`);
    // Not cancellable: the parent must learn what was applied in order to undo it.
    optimization = await CancellationScope.nonCancellable(() =>
      executeChild(optimizationWorkflow, {
        workflowId: childId('optimization'),
        args: [{ target, items: plan.items.filter((i) => approved.has(i.id)) }],
      }),
    );
    status.applied = optimization.applied;
    status.rolledBack = [...optimization.rolledBack];
    if (optimization.failed) return finish('apply_failed_rolled_back');
    if (status.rollbackRequested) {
      await rollback('rollback requested');
      return finish('rolled_back_on_request');
    }

    // 6. Validation, abandoned when a rollback is requested meanwhile.
    enter('validating', `re-testing under the baseline load (tier ${plan.tier})`);
    const validationScope = new CancellationScope();
    const validated = validationScope.run(() =>
      executeChild(validationWorkflow, {
        workflowId: childId('validation'),
        args: [
          {
            runId,
            target,
            tier: plan.tier,
            baseline: profiling!.baseline,
            regressionThresholdPct: input.regressionThresholdPct ?? REGRESSION_THRESHOLD_PCT,
          },
        ],
      }),
    );
    const first = await Promise.race([
      validated.then(() => 'validated' as const),
      condition(() => status.rollbackRequested).then(() => 'rollback' as const),
    ]);
    if (first === 'rollback') {
      validationScope.cancel();
      await validated.catch((err) => {
        if (!isCancellation(err)) throw err;
      });
      await rollback('rollback requested');
      return finish('rolled_back_on_request');
    }
    validation = await validated;
    status.after = validation.after;

    if (validation.regressed) {
      const worse = validation.comparison.filter((c) => c.regressed).map((c) => `${c.metric} ${c.before} -> ${c.after}`);
      await rollback(`regression over ${input.regressionThresholdPct ?? REGRESSION_THRESHOLD_PCT}%: ${worse.join(', ')}`);
      return finish('regressed_rolled_back');
    }
    if (status.rollbackRequested) {
      await rollback('rollback requested');
      return finish('rolled_back_on_request');
    }
    const improved = validation.comparison.some((c) => c.changePct > (input.regressionThresholdPct ?? REGRESSION_THRESHOLD_PCT));
    const esc = validation.targetsMet ? null : await escalate('targets_missed', `targets still missed after tuning (tier ${plan.tier})`);
    return finish(improved ? 'improved' : 'no_change', esc);
  }
}
