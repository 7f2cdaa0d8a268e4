// After an index build or a rollback's drop failed: drop what is left of the run's index, with
// retries that outlast the session in the way (an old transaction on the table makes every DROP
// INDEX CONCURRENTLY time out until it ends). Each attempt checks the catalog; the result says what
// became of the index, or the command to run when the retries ran out.
import { ApplicationFailure, TimeoutFailure, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { TargetProfile } from '../common/profile';
import { describeCleanup, describeCleanupFailure, type IndexRef, type LeftoverMode } from '../common/index-leftover';

/** The patch id of the cleanup: histories recorded before it end without it. */
export const LEFTOVER_CLEANUP_PATCH = 'invalid-leftover-cleanup';

/** The cleanup's retry policy: attempts spaced out so they outlast an old transaction on the table. */
export function cleanupActivities(target: TargetProfile, summary: string) {
  return proxyActivities<Activities>({
    startToCloseTimeout: `${Math.ceil(target.actions.statementTimeoutMs / 1000) + 120} seconds`,
    heartbeatTimeout: '30 seconds',
    // 15 attempts over about 10 minutes (2 s doubling to a minute apart); in all at most 20 minutes
    // beyond one statement timeout (an attempt may wait that long for another build's advisory lock).
    scheduleToCloseTimeout: `${Math.ceil(target.actions.statementTimeoutMs / 1000) + 1200} seconds`,
    retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 15 },
    summary,
  });
}

function leftoverActivities(target: TargetProfile, ref: IndexRef, mode: LeftoverMode) {
  return cleanupActivities(
    target,
    `drop the ${mode === 'invalid_only' ? 'INVALID leftover' : 'index'} ${ref.schema}.${ref.indexName} left behind`,
  );
}

/** What the failed attempts of an apply recorded (their heartbeat details), as the failure carries them. */
export function recordedByAttempts(err: unknown): unknown {
  const cause = (err as { cause?: unknown })?.cause;
  if (cause instanceof ApplicationFailure) return cause.details?.[0];
  if (cause instanceof TimeoutFailure) return cause.lastHeartbeatDetails;
  return undefined;
}

/** Drops the run's index left behind; ok when nothing of it is left. */
export async function cleanUpLeftover(target: TargetProfile, ref: IndexRef, mode: LeftoverMode): Promise<{ ok: boolean; details: string }> {
  const { dropIndexLeftover } = leftoverActivities(target, ref, mode);
  try {
    const c = await dropIndexLeftover({ target, index: ref, mode });
    return { ok: c.outcome !== 'kept', details: describeCleanup(ref, mode, c) };
  } catch (err) {
    const error = (err as Error & { cause?: Error }).cause?.message ?? (err as Error).message;
    return { ok: false, details: describeCleanupFailure(ref, mode, error) };
  }
}
