// The inputs and observable state of a run, shared by workflows, client and tests.
import type { ItemMeasurement } from './ab-validation';
import type { AttributionResult } from './endpoint-attribution';
import type { NotifyOutcome } from './notify/types';
import type { Layer, TargetProfile } from './profile';
import type { AppliedChange, Bottleneck, LoadTestSummary, Plan, RolledBackChange, Tier } from './types';

export const TASK_QUEUE = 'perf-orchestrator';
/** Load-test shards run here: any number of workers, on any machines, may serve it. */
export const LOADGEN_TASK_QUEUE = 'perf-loadgen';

export interface RunInput {
  target: TargetProfile;
  scope?: Layer[]; // overrides target.scope
  tier: 'auto' | Tier;
  autoApprove: boolean;
  approvalTimeoutMs: number;
  onApprovalTimeout: 'escalate' | 'end';
  requestedBy: string;
  regressionThresholdPct?: number;
  // How long an escalation waits for acknowledge/resolve before it closes as expired.
  escalationTimeoutMs?: number;
  // Leave regression prevention in place when the run keeps its changes: pin the last measured window
  // as the target's baseline, and/or watch the target with a scheduled check.
  regressionPrevention?: { pinBaseline: boolean; watchEveryMs: number | null };
}

export const DEFAULT_APPROVAL_TIMEOUT_MS = 24 * 3600 * 1000;

export function workflowIdFor(targetName: string): string {
  return `perf-${targetName}`;
}

export type Phase =
  | 'precheck'
  | 'profiling'
  | 'analysis'
  | 'awaiting_approval'
  | 'optimizing'
  | 'validating'
  | 'rolling_back'
  | 'escalating'
  | 'completed'
  | 'rejected'
  | 'approval_timed_out'
  | 'cancelled'
  | 'failed';

export const PHASE_ORDER: Phase[] = ['precheck', 'profiling', 'analysis', 'awaiting_approval', 'optimizing', 'validating', 'completed'];

export type Decision =
  | { kind: 'approved'; itemIds: string[]; by: string; auto: boolean }
  | { kind: 'rejected'; reason: string; by: string }
  | { kind: 'timed_out' };

export interface ApprovePlanInput {
  itemIds?: string[]; // default: every automatic item of the plan except index drops (those only by id)
  by?: string;
}

export interface RunStatus {
  workflowId: string;
  target: string;
  phase: Phase;
  step: string; // what is going on now, in words
  tier: Tier | null;
  plan: Plan | null;
  decision: Decision | null;
  baseline: LoadTestSummary | null;
  after: LoadTestSummary | null;
  /** Per-endpoint attribution after the baseline and after the changes; absent before it existed. */
  endpoints?: { before: AttributionResult | null; after: AttributionResult | null };
  bottlenecks: Bottleneck[];
  applied: AppliedChange[];
  rolledBack: RolledBackChange[];
  // The approved item whose apply failed (the items after it were not attempted); absent before it existed.
  failed?: { itemId: string; error: string } | null;
  rollbackRequested: boolean;
  escalationWorkflowId: string | null;
  error: string | null;
  // A run cancelled mid-A/B: the per-item measurements made until then (absent otherwise and before it).
  measuredItems?: ItemMeasurement[];
}

export interface EscalationInput {
  target: string;
  parentWorkflowId: string;
  reason: 'targets_missed' | 'approval_timeout' | 'tier_t4' | 'check_failed';
  summary: string;
  details: Record<string, unknown>;
  timeoutMs: number;
  // The target's profile when it has notifiers for escalations (absent otherwise and before notifications).
  profile?: TargetProfile;
}

export interface EscalationStatus {
  ticketId: string | null;
  state: 'open' | 'acknowledged' | 'resolved' | 'expired';
  notes: { at: string; by: string; text: string }[];
  // The deliveries of the escalation's notification (absent without notifiers and before notifications).
  notifications?: NotifyOutcome[];
}
