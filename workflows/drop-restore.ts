// After an approved drop_index failed: its DROP INDEX CONCURRENTLY may have marked the index (one
// that existed before the run) INVALID before it timed out, and the failed item is not in `applied`,
// so no rollback would undo it. When its attempts recorded starting the drop, the index is made valid
// again with the cleanup's retries (they outlast the session in the way); otherwise there is nothing to
// do. Either way the run's rollback record says which.
import type { TargetProfile } from '../common/profile';
import type { ActionSpec } from '../common/types';
import { describeRestore, describeRestoreFailure, dropNeverStarted, failedDropOf } from '../common/index-restore';
import { cleanupActivities } from './leftover';

/** The patch id of the restore: histories recorded before it end without it. */
export const DROP_RESTORE_PATCH = 'invalid-drop-restore';

/** Restores the index a failed drop left INVALID or dropped; ok when it is as before the run. */
export async function restoreAfterFailedDrop(
  target: TargetProfile,
  action: Extract<ActionSpec, { type: 'drop_index' }>,
  recorded: unknown,
): Promise<{ ok: boolean; details: string; skipped?: string }> {
  const drop = failedDropOf(action, recorded);
  if (!drop) {
    const skipped = dropNeverStarted(action);
    return { ok: true, details: skipped, skipped };
  }
  const { schema, indexName } = drop.index;
  const { restoreDroppedIndex } = cleanupActivities(target, `restore the index ${schema}.${indexName} the failed drop left behind`);
  try {
    const r = await restoreDroppedIndex({ target, drop });
    return { ok: r.outcome !== 'kept', details: describeRestore(drop, r) };
  } catch (err) {
    const error = (err as Error & { cause?: Error }).cause?.message ?? (err as Error).message;
    return { ok: false, details: describeRestoreFailure(drop, error) };
  }
}
