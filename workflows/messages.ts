// Signals, updates and queries: the one place workflows and the client agree on names and types.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ApprovePlanInput, EscalationStatus, RunStatus } from '../common/run';
import type { ItemMeasurement } from '../common/ab-validation';

export const statusQuery = defineQuery<RunStatus>('status');
export const approvePlanUpdate = defineUpdate<{ approved: string[] }, [ApprovePlanInput]>('approvePlan');
/** Kept for clients that signal; the CLI rejects through the update, which answers whether it took. */
export const rejectPlanSignal = defineSignal<[{ reason: string; by?: string }]>('rejectPlan');
export const rejectPlanUpdate = defineUpdate<{ rejected: true }, [{ reason: string; by?: string }]>('rejectPlanUpdate');
export const requestRollbackSignal = defineSignal<[{ reason?: string; by?: string }]>('requestRollback');
/** From the validation child when the run is cancelled mid-A/B: what it measured so far (the run has no result). */
export const itemsMeasuredSignal = defineSignal<[ItemMeasurement[]]>('itemsMeasured');

export const escalationStatusQuery = defineQuery<EscalationStatus>('escalationStatus');
export const acknowledgeSignal = defineSignal<[{ by: string; note?: string }]>('acknowledge');
export const resolveSignal = defineSignal<[{ by: string; resolution: string }]>('resolve');

/** A check's current step in words (perf-orch check --wait prints it). */
export const checkStepQuery = defineQuery<string>('checkStep');
