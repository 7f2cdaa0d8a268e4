// Rolls back the changes of a run that has already finished (`perf-orch rollback` on a closed run).
// Its id is fixed per run (rollbackWorkflowId) and its result is the run's whole rollback record: the
// previous record, passed in by the CLI, plus what this one did. Changes the previous record undid are
// not touched again. Without `previous` (histories recorded before it) every change is undone as before.
import type { TargetProfile } from '../common/profile';
import type { AppliedChange, RolledBackChange } from '../common/types';
import { stillApplied } from '../common/later-rollback';
import { rollbackAll } from './optimization';

export async function rollbackChangesWorkflow(req: {
  target: TargetProfile;
  changes: AppliedChange[];
  reason: string;
  previous?: RolledBackChange[];
}): Promise<RolledBackChange[]> {
  const previous = req.previous ?? [];
  const pending = stillApplied(req.changes, previous);
  return [...previous, ...(await rollbackAll(req.target, pending, req.reason))];
}
