// The observable state of one run and the messages that change it: the status query, the approval
// update (with its validator), the rejection and rollback signals, and the approval wait. One place
// for the bookkeeping, so the parent workflow reads as its steps (cf. the samples' ClusterManager).
import type { AttributionResult } from '../common/endpoint-attribution';
import { condition, setCurrentDetails, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import { defaultApprovalIds } from '../common/plan';
import type { Phase, RunInput, RunStatus } from '../common/run';
import { PERF_PHASE } from '../common/search-attributes';
import type { OptimizationResult } from '../common/stages';
import type { AppliedChange, Bottleneck, LoadTestSummary, Plan, RolledBackChange } from '../common/types';
import { approvePlanUpdate, itemsMeasuredSignal, rejectPlanSignal, rejectPlanUpdate, requestRollbackSignal, statusQuery } from './messages';

/** How the approval wait ended. */
export type ApprovalResult = 'approved' | 'rejected' | 'nothing_approved' | 'rollback_requested' | 'timed_out';

export class RunState {
  readonly status: RunStatus;

  constructor(workflowId: string, targetName: string) {
    this.status = {
      workflowId,
      target: targetName,
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
  }

  get rollbackRequested(): boolean {
    return this.status.rollbackRequested;
  }

  /** A new phase: the status, the PerfPhase search attribute and the Web UI's current details. */
  enter(phase: Phase, step: string): void {
    this.status.phase = phase;
    this.status.step = step;
    upsertSearchAttributes({ [PERF_PHASE.name]: [phase] });
    setCurrentDetails(`**${phase.replace(/_/g, ' ')}**: ${step}`);
  }

  registerHandlers(): void {
    const status = this.status;
    setHandler(statusQuery, () => status);
    setHandler(itemsMeasuredSignal, (items) => {
      status.measuredItems = items;
    });
    setHandler(
      approvePlanUpdate,
      ({ itemIds, by }) => {
        const ids = itemIds ?? defaultApprovalIds(status.plan!);
        status.decision = { kind: 'approved', itemIds: ids, by: by ?? 'unknown', auto: false };
        return { approved: ids };
      },
      { validator: ({ itemIds }) => validateApproval(status, itemIds) },
    );
    const reject = ({ reason, by }: { reason: string; by?: string }) => {
      status.decision = { kind: 'rejected', reason, by: by ?? 'unknown' };
    };
    setHandler(
      rejectPlanUpdate,
      (r) => {
        reject(r);
        return { rejected: true as const };
      },
      { validator: (_r: { reason: string; by?: string }) => validateDecisionOpen(status, 'reject') },
    );
    // One decision per run: the first one wins, a later one is refused (update) or ignored (signal).
    setHandler(rejectPlanSignal, (r) => {
      if (status.phase === 'awaiting_approval' && !status.decision) reject(r);
    });
    setHandler(requestRollbackSignal, () => {
      status.rollbackRequested = true;
    });
  }

  /**
   * Waits for the plan's approval (or approves it at once with --auto-approve), a rejection, a
   * rollback request or the timeout; records the decision and says how the wait ended.
   */
  async awaitApproval(input: RunInput, plan: Plan): Promise<ApprovalResult> {
    const status = this.status;
    this.enter('awaiting_approval', `waiting for approval of ${plan.items.length} item(s)`);
    if (input.autoApprove) {
      status.decision = { kind: 'approved', itemIds: defaultApprovalIds(plan), by: input.requestedBy, auto: true };
    } else {
      await condition(() => status.decision !== null || status.rollbackRequested, input.approvalTimeoutMs);
    }
    const decision = status.decision;
    if (decision?.kind === 'approved') return decision.itemIds.length > 0 ? 'approved' : 'nothing_approved';
    if (decision?.kind === 'rejected') return 'rejected';
    if (status.rollbackRequested) {
      status.decision = { kind: 'rejected', reason: 'rollback requested before approval', by: 'requestRollback' };
      return 'rollback_requested';
    }
    status.decision = { kind: 'timed_out' };
    return 'timed_out';
  }

  /** A run that ends early: why, and its last phase. */
  fail(phase: 'cancelled' | 'failed', why: string): void {
    this.status.error = why;
    this.enter(phase, why);
  }

  recordProfiling(baseline: LoadTestSummary, bottlenecks: Bottleneck[], attribution?: AttributionResult | null): void {
    this.status.baseline = baseline;
    this.status.bottlenecks = bottlenecks;
    if (attribution) this.status.endpoints = { before: attribution, after: null };
  }

  recordPlan(plan: Plan): void {
    this.status.plan = plan;
    this.status.tier = plan.tier;
  }

  /** A plan with nothing automatic: nothing to approve, recorded as an empty automatic approval. */
  decideNothingToApprove(): void {
    this.status.decision = { kind: 'approved', itemIds: [], by: 'perf-orchestrator', auto: true };
  }

  approvedIds(): string[] {
    return this.status.decision?.kind === 'approved' ? this.status.decision.itemIds : [];
  }

  recordAfter(after: LoadTestSummary, attribution?: AttributionResult | null): void {
    this.status.after = after;
    if (attribution) this.status.endpoints = { before: this.status.endpoints?.before ?? null, after: attribution };
  }

  recordRolledBack(done: RolledBackChange[]): void {
    this.status.rolledBack.push(...done);
  }

  /** What optimization applied (and already rolled back when an apply failed), and what failed. */
  recordApplied({ applied, rolledBack, failed }: OptimizationResult): void {
    this.status.applied = applied;
    this.status.rolledBack = [...rolledBack];
    this.status.failed = failed;
  }

  /** Applied changes not yet rolled back successfully. */
  pendingUndo(): AppliedChange[] {
    return this.status.applied.filter((a) => !this.status.rolledBack.some((r) => r.itemId === a.itemId && r.ok));
  }
}

/** The plan awaits its one decision; otherwise why not. */
function validateDecisionOpen(status: RunStatus, verb: 'approve' | 'reject'): void {
  const d = status.decision;
  if (d?.kind === 'approved')
    throw new Error(`the plan was already approved by ${d.by}${verb === 'reject' ? ': to undo its changes, roll the run back' : ''}`);
  if (d?.kind === 'rejected') throw new Error(`the plan was already rejected by ${d.by}: ${d.reason}`);
  if (status.phase !== 'awaiting_approval' || !status.plan) throw new Error(`nothing to ${verb}: the run is in phase "${status.phase}"`);
}

function validateApproval(status: RunStatus, itemIds: string[] | undefined): void {
  validateDecisionOpen(status, 'approve');
  if (itemIds !== undefined && itemIds.length === 0) {
    throw new Error('no plan item listed: name at least one id, approve without a list for the default set, or reject the plan');
  }
  const known = new Map((status.plan?.items ?? []).map((i) => [i.id, i]));
  for (const id of itemIds ?? []) {
    const item = known.get(id);
    if (!item) throw new Error(`unknown plan item "${id}"; the plan has: ${[...known.keys()].join(', ') || '(no items)'}`);
    if (!item.automatic) throw new Error(`plan item "${id}" is a manual step; the tool cannot apply it`);
  }
}
