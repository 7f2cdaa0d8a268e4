// Step 3: apply the approved items in order as a saga; a failure rolls back what was applied.
import { ApplicationFailure, CancellationScope, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { describeAction, describeUndo } from '../common/contract';
import { rootCauseMessage } from '../common/failure-cause';
import { applyOrder } from '../common/plan';
import type { OptimizationInput, OptimizationResult } from '../common/stages';
import type { AppliedChange, RolledBackChange } from '../common/types';
import type { TargetProfile } from '../common/profile';

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
    return out;
  });
}

export async function optimizationWorkflow({ target, items }: OptimizationInput): Promise<OptimizationResult> {
  const applied: AppliedChange[] = [];
  for (const item of applyOrder(items)) {
    if (!item.automatic) throw ApplicationFailure.nonRetryable(`item ${item.id} is manual and cannot be applied`, 'BadPlan');
    const { applyAction } = actionActivities(target, `apply ${item.id}: ${describeAction(item.action)}`);
    try {
      applied.push(await applyAction({ target, item }));
    } catch (err) {
      const error = (err as Error & { cause?: Error }).cause?.message ?? (err as Error).message;
      const rolledBack = await rollbackAll(target, applied, `apply of ${item.id} failed`);
      return { applied, failed: { itemId: item.id, error }, rolledBack };
    }
  }
  return { applied, failed: null, rolledBack: [] };
}
