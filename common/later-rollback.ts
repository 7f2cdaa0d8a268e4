// A rollback of a run that has finished (`perf-orch rollback` on a closed run). A closed workflow takes
// no signals, so the record lives in the rollback workflow of that run: its id is fixed per run, the CLI
// passes the previous record in, and its result is the whole record so far (every undo of every
// rollback of that run). status, report and playbook read the latest one beside the run. Pure.
import type { OutputContract } from './output-contract';
import type { AppliedChange, RolledBackChange } from './types';

/** The rollback workflow of one run of `workflowId`: one id per run, so each later rollback finds the last. */
export function rollbackWorkflowId(workflowId: string, runId: string): string {
  return `${workflowId}:rollback:${runId}`;
}

/** The applied changes that no record undid successfully (a skipped undo counts as done: it is not retried). */
export function stillApplied(applied: AppliedChange[], ...records: RolledBackChange[][]): AppliedChange[] {
  const undone = new Set(records.flatMap((r) => r.filter((x) => x.ok).map((x) => x.itemId)));
  return applied.filter((a) => !undone.has(a.itemId));
}

/** One undo in words: "rolled back X: ...", "skipped X: ...", or "FAILED X: ...". */
export function describeRolledBack(r: RolledBackChange): string {
  if (!r.ok) return `FAILED ${r.itemId}: ${r.details}`;
  return r.skipped ? `skipped ${r.itemId}: ${r.skipped}` : `rolled back ${r.itemId}: ${r.details}`;
}

/** What the CLI read of a run's later rollback. */
export interface LaterRollback {
  workflowId: string;
  closedAt: string | null; // ISO time the last rollback ended
  changes: RolledBackChange[];
  running: boolean; // a rollback of the run is under way now
}

/** The latest undo of each item (a failed one may have been retried since). */
function latestByItem(changes: RolledBackChange[]): RolledBackChange[] {
  const last = new Map<string, RolledBackChange>();
  for (const c of changes) if (!last.get(c.itemId)?.ok) last.set(c.itemId, c);
  return [...last.values()];
}

/**
 * A finished run's report with its later rollback in it: the items it undid (or found undone, or left
 * alone because they were no longer the run's) are rolled_back, and the next steps say what it did,
 * what it skipped and why, and what failed.
 */
export function withLaterRollback(result: OutputContract, later: LaterRollback): OutputContract {
  const latest = latestByItem(later.changes);
  if (latest.length === 0) return result;
  const done = new Set(latest.filter((c) => c.ok).map((c) => c.itemId));
  const skipped = latest.filter((c) => c.ok && c.skipped);
  const failed = latest.filter((c) => !c.ok);
  const when = later.closedAt ? ` at ${later.closedAt}` : '';
  const steps = [
    `rolled back after the run (perf-orch rollback, ${later.workflowId}${when}): ` +
      `${done.size - skipped.length} undone, ${skipped.length} skipped, ${failed.length} failed`,
    ...skipped.map((c) => `${c.itemId}: ${c.skipped}`),
    ...failed.map(
      (c) => `${c.itemId}: rollback failed (${c.details}); run perf-orch rollback ${result.target_system_details.workflow_id} again`,
    ),
  ];
  return {
    ...result,
    optimizations_implemented: result.optimizations_implemented.map((o) =>
      o.state === 'applied' && done.has(o.id) ? { ...o, state: 'rolled_back' as const, status: 'rolled_back' as const } : o,
    ),
    next_steps: [...steps, ...result.next_steps],
  };
}
