// Rolls back the changes of a run that has already finished (`perf-orch rollback` on a closed run).
import type { TargetProfile } from '../common/profile';
import type { AppliedChange, RolledBackChange } from '../common/types';
import { rollbackAll } from './optimization';

export async function rollbackChangesWorkflow(req: {
  target: TargetProfile;
  changes: AppliedChange[];
  reason: string;
}): Promise<RolledBackChange[]> {
  return rollbackAll(req.target, req.changes, req.reason);
}
