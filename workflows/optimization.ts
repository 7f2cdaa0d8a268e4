// Step 3: apply the approved items in order as a saga; a failure rolls back what was applied.
import { ApplicationFailure, CancellationScope, isCancellation, patched, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { describeAction, describeUndo } from '../common/contract';
import { rootCauseMessage } from '../common/failure-cause';
import { applyOrder } from '../common/plan';
import type { BlocksRun, OptimizationInput, OptimizationResult } from '../common/stages';
import type { AppliedChange, PlanItem, RolledBackChange } from '../common/types';
import { abSettings } from '../common/ab-validation';
import { COSTLY_BLOCKS_PATCH, isCostly, runBlocks, wantsBlocks } from './costly-blocks';
import type { TargetProfile } from '../common/profile';
import { failedBuildOf, rollbackLeftoverOf } from '../common/index-leftover';
import { LEFTOVER_CLEANUP_PATCH, cleanUpLeftover, recordedByAttempts } from './leftover';
import { DROP_RESTORE_PATCH, restoreAfterFailedDrop } from './drop-restore';

export function actionActivities(target: TargetProfile, summary: string) {
  return proxyActivities<Activities>({
    // An index build may take as long as the profile's statement timeout allows.
    startToCloseTimeout: `${Math.ceil(target.actions.statementTimeoutMs / 1000) + 120} seconds`,
    // Attempts heartbeat every 5 s: a dead worker's attempt is retried elsewhere within 30 s, not minutes.
    heartbeatTimeout: '30 seconds',
    retry: { maximumAttempts: 3, initialInterval: '2 seconds' },
    summary,
  });
}

/** An activity failure's own message (its cause's), not Temporal's "Activity task failed". */

/** Rolls back in reverse order; not cancellable, so a cancelled run never leaves a half-undone change. */
export async function rollbackAll(target: TargetProfile, applied: AppliedChange[], reason: string): Promise<RolledBackChange[]> {
  return CancellationScope.nonCancellable(async () => {
    const out: RolledBackChange[] = [];
    for (const change of [...applied].reverse()) {
      const { rollbackChange } = actionActivities(target, `roll back ${change.itemId}: ${describeUndo(change)}`);
      try {
        out.push(await rollbackChange({ target, change, reason }));
      } catch (err) {
        out.push({ itemId: change.itemId, reason, ok: false, details: `rollback failed: ${rootCauseMessage(err)}` });
      }
    }
    return cleanUpFailedDrops(target, [...applied].reverse(), out);
  });
}

/**
 * A rollback's DROP INDEX CONCURRENTLY that failed midway leaves the run's index INVALID (and
 * maintained on every write), so does a failed re-build of an index the run dropped: once the other
 * rollbacks are done, it is dropped with retries that outlast the blocker, and the entry says so (a
 * re-build stays failed: only its leftover is gone).
 */
async function cleanUpFailedDrops(target: TargetProfile, changes: AppliedChange[], out: RolledBackChange[]): Promise<RolledBackChange[]> {
  const leftovers = changes.map((c, i) => (out[i].ok ? null : rollbackLeftoverOf(c)));
  if (!leftovers.some(Boolean) || !patched(LEFTOVER_CLEANUP_PATCH)) return out;
  const done = [...out];
  for (const [i, left] of leftovers.entries()) {
    if (!left) continue;
    const c = await cleanUpLeftover(target, left.index, left.mode);
    done[i] = { ...out[i], ok: left.mode === 'any' && c.ok, details: `${out[i].details}; ${c.details}` };
  }
  return done;
}

export async function optimizationWorkflow(input: OptimizationInput): Promise<OptimizationResult> {
  const { target, items } = input;
  const applied: AppliedChange[] = [];
  const ordered = applyOrder(items);
  // Toggles come first: the before blocks are measured with them on, right before the first costly change.
  const firstCostly = ordered.findIndex(isCostly);
  let beforeBlocks: BlocksRun | undefined;
  let monitoringFailed: OptimizationResult['monitoringFailed'];
  for (const [i, item] of ordered.entries()) {
    if (!item.automatic) throw ApplicationFailure.nonRetryable(`item ${item.id} is manual and cannot be applied`, 'BadPlan');
    if (i === firstCostly && blocksAsked(input)) {
      try {
        beforeBlocks = await measureBefore(input);
      } catch {
        // Only a cancel of this workflow reaches here (a failed block ends the blocks with a note): nothing costly is applied.
        const reason = `cancelled before ${item.id} was applied`;
        return {
          applied,
          failed: { itemId: item.id, error: `${reason}, during the before blocks` },
          rolledBack: await rollbackAll(target, applied, reason),
        };
      }
    }
    try {
      const { applyAction } = actionActivities(target, `apply ${item.id}: ${describeAction(item.action)}`);
      applied.push(await applyAction({ target, item }));
    } catch (err) {
      // Alert rules Prometheus did not take (the apply put back what was there) cost the run no performance change.
      if (item.action.type === 'install_alert_rules' && !isCancellation(err)) {
        monitoringFailed = { itemId: item.id, error: rootCauseMessage(err) };
        continue;
      }
      return { ...(await applyFailed(target, item, applied, err)), ...(beforeBlocks ? { beforeBlocks } : {}) };
    }
  }
  return {
    applied,
    failed: null,
    rolledBack: [],
    ...(beforeBlocks ? { beforeBlocks } : {}),
    ...(monitoringFailed ? { monitoringFailed } : {}),
  };
}

/** Before blocks when the parent passed the baseline's load (runs before them: never) and the profile asks for at least two. */
function blocksAsked({ target, items, baselineConcurrency }: OptimizationInput): boolean {
  return baselineConcurrency !== undefined && wantsBlocks(abSettings(target.load), items) && patched(COSTLY_BLOCKS_PATCH);
}

function measureBefore({ runId, target, baselineConcurrency }: OptimizationInput): Promise<BlocksRun> {
  return runBlocks({ runId: runId ?? '', target, concurrency: baselineConcurrency!, side: 'before' }, abSettings(target.load));
}

/** An apply that failed: what was applied is rolled back, and any leftover of the failed one cleaned up. */
async function applyFailed(target: TargetProfile, item: PlanItem, applied: AppliedChange[], err: unknown): Promise<OptimizationResult> {
  const error = rootCauseMessage(err);
  const reason = `apply of ${item.id} failed`;
  const rolledBack = await rollbackAll(target, applied, reason);
  // The build's INVALID leftover, when its own cleanup could not drop it (an old transaction on the table).
  const leftover = failedBuildOf(item.action, recordedByAttempts(err));
  if (leftover && patched(LEFTOVER_CLEANUP_PATCH)) {
    const c = await CancellationScope.nonCancellable(() => cleanUpLeftover(target, leftover, 'invalid_only'));
    rolledBack.push({ itemId: item.id, reason, ...c });
  }
  // An approved drop that failed midway leaves the index that existed before the run INVALID.
  if (item.action.type === 'drop_index' && patched(DROP_RESTORE_PATCH)) {
    const action = item.action;
    const r = await CancellationScope.nonCancellable(() => restoreAfterFailedDrop(target, action, recordedByAttempts(err)));
    rolledBack.push({ itemId: item.id, reason, ...r });
  }
  return { applied, failed: { itemId: item.id, error }, rolledBack };
}
