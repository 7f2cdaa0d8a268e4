// Apply and roll back one approved change. Each kind of change lives in its own module; every
// attempt keeps what it has done in its heartbeat details (action-heartbeat.ts) for a retry to read.
import { ApplicationFailure } from '@temporalio/common';
import type { ActivityDeps } from '../deps';
import type { TargetConnections } from '../connections';
import { activityContext } from '../activity-context';
import type { TargetProfile } from '../../common/profile';
import type { AppliedChange, PlanItem, RolledBackChange } from '../../common/types';
import { ActionHeartbeat } from './action-heartbeat';
import { createIndex } from './create-index';
import { dropIndexLeftover } from './index-leftover';
import type { IndexRef, LeftoverCleanup, LeftoverMode } from '../../common/index-leftover';
import { dropIndexForPlan, recreateIndex } from './drop-index';
import type { FailedDrop, IndexRestore } from '../../common/index-restore';
import { restoreDroppedIndex } from './index-restore';
import { checkActionTarget } from '../target-check';
import { resolveToggleToken, restoreToggle, setToggle, type UndoResult } from './feature-toggle';
import { dropOwnIndex } from './undo-index';
import { installAlertRules, removeAlertRules } from './alert-rules';
import { checkAlertRules, type MonitoringCheckRequest } from './alert-rules-check';
import type { MonitoringCheck } from '../../common/stages';
import { prometheusFor } from '../prometheus/client';

function toggleOf(target: TargetProfile, name: string) {
  const t = target.actions.featureToggles.find((x) => x.name === name);
  if (!t)
    throw ApplicationFailure.nonRetryable(`toggle ${name} is not declared in actions.featureToggles of target ${target.name}`, 'BadPlan');
  return t;
}

const timeouts = (target: TargetProfile) => ({
  lockTimeoutMs: target.actions.lockTimeoutMs,
  statementTimeoutMs: target.actions.statementTimeoutMs,
});

async function withHeartbeat<T>(fn: (beat: ActionHeartbeat) => Promise<T>): Promise<T> {
  const beat = new ActionHeartbeat(activityContext());
  try {
    return await fn(beat);
  } finally {
    beat.stop();
  }
}

/**
 * The failure of an attempt, carrying as its details what the attempts started: the index they
 * started to build (`building`), or the drop they started (`dropping`: the index and its definition
 * before). The workflow learns from them what a failed apply may have left behind.
 */
function withAttemptRecord(err: unknown, recorded: Record<string, unknown>): unknown {
  const carried = {
    ...(typeof recorded.building === 'string' ? { building: recorded.building } : {}),
    ...(recorded.dropping && typeof recorded.dropping === 'object' ? { dropping: recorded.dropping } : {}),
  };
  if (Object.keys(carried).length === 0) return err;
  const e = err as Error;
  const app = err instanceof ApplicationFailure ? err : null;
  return ApplicationFailure.create({
    message: e?.message ?? String(err),
    type: app ? (app.type ?? undefined) : (e?.name ?? 'Error'),
    nonRetryable: app?.nonRetryable ?? false,
    details: [carried],
    cause: app ? (app.cause as Error | undefined) : e,
  });
}

type IndexAction = Extract<PlanItem['action'], { type: 'create_index' | 'drop_index' }>;

/** An index build or drop, and its undo: the retry of a died attempt learns from the heartbeat what it started. */
async function applyIndexAction(
  db: ReturnType<TargetConnections['database']>,
  target: TargetProfile,
  a: IndexAction,
  beat: ActionHeartbeat,
): Promise<Pick<AppliedChange, 'undo' | 'details'>> {
  if (a.type === 'create_index') {
    const r = await createIndex(db, a, timeouts(target), {
      // A retry whose predecessor started this build (and died) owns the index it finds.
      earlierAttemptBuilt: beat.recorded.building === a.indexName,
      onBuildStart: () => beat.record({ building: a.indexName }),
    });
    // An index that was already there is not ours to drop: its undo is a no-op.
    const undo: AppliedChange['undo'] = r.preExisting
      ? { type: 'none', why: `index ${a.indexName} existed before the run` }
      : { type: 'drop_index', schema: a.schema, indexName: a.indexName };
    return { undo, details: r.details };
  }
  // The first attempt's record wins: a retry finds the index already INVALID, with the same definition.
  const r = await dropIndexForPlan(db, a, timeouts(target), (dropping) => {
    if (!beat.recorded.dropping) beat.record({ dropping });
  });
  const undo: AppliedChange['undo'] = r.definition
    ? { type: 'recreate_index', schema: a.schema, table: a.table, indexName: a.indexName, definition: r.definition }
    : { type: 'none', why: `index ${a.indexName} did not exist when the drop ran` };
  return { undo, details: r.details };
}

const attemptNo = () => activityContext()?.info.attempt ?? 1;

export function createActionActivities({ store, connections, policy }: ActivityDeps) {
  /** The target is input too (a workflow may be started directly): checked before anything is sent or changed. */
  const checked = async <T>(target: TargetProfile, fn: () => Promise<T>): Promise<T> => {
    checkActionTarget(target, policy);
    return fn();
  };
  const tokenFor = (target: TargetProfile, name: string) => resolveToggleToken(connections, target, toggleOf(target, name));

  async function apply(target: TargetProfile, item: PlanItem, beat: ActionHeartbeat): Promise<AppliedChange> {
    const a = item.action;
    const base = { itemId: item.id, action: a, appliedAt: new Date().toISOString() };
    if (a.type === 'create_index' || a.type === 'drop_index')
      return { ...base, ...(await applyIndexAction(connections.database(target), target, a, beat)) };
    if (a.type === 'feature_toggle') {
      // A retried attempt sees its own earlier change; the first attempt's heartbeat keeps the true previous value.
      const r = await setToggle(target, toggleOf(target, a.toggle), a.value, tokenFor(target, a.toggle), {
        knownPrevious: 'previous' in beat.recorded ? { value: beat.recorded.previous } : undefined,
        onPrevious: (previous) => beat.record({ previous }),
        policy,
      });
      const details = `toggle ${a.toggle}: ${JSON.stringify(r.previous)} -> ${JSON.stringify(r.value)}`;
      return { ...base, undo: { type: 'set_toggle', toggle: a.toggle, value: r.previous }, details };
    }
    if (a.type === 'install_alert_rules') {
      // A retried attempt finds the run's own file there; the first attempt's heartbeat keeps what it replaced.
      const r = await installAlertRules(
        target,
        a,
        { store, policy, api: prometheusFor(target, { connections, policy }) },
        {
          knownPrevious: 'previousRules' in beat.recorded ? { text: beat.recorded.previousRules as string | null } : undefined,
          onPrevious: (text) => beat.record({ previousRules: text }),
        },
      );
      return { ...base, ...r };
    }
    throw ApplicationFailure.nonRetryable(`item ${item.id} is a manual step; the tool never applies it`, 'BadPlan');
  }

  /** Undoes one change after a look at its current state (see restoreToggle, dropOwnIndex, recreateIndex). */
  async function rollback(target: TargetProfile, change: AppliedChange, reason: string): Promise<RolledBackChange> {
    const done = ({ details, skipped }: UndoResult): RolledBackChange => ({
      itemId: change.itemId,
      reason,
      ok: true,
      details,
      ...(skipped ? { skipped } : {}),
    });
    const u = change.undo;
    const a = change.action;
    if (u.type === 'drop_index') {
      return done(await dropOwnIndex(connections.database(target), u, a.type === 'create_index' ? a : null, timeouts(target)));
    }
    if (u.type === 'recreate_index') return done(await recreateIndex(connections.database(target), u, timeouts(target)));
    if (u.type === 'none') return done({ details: `nothing to undo: ${u.why}`, skipped: `nothing to undo: ${u.why}` });
    if (u.type === 'remove_alert_rules') return done(await removeAlertRules(u, prometheusFor(target, { connections, policy })));
    if (a.type !== 'feature_toggle')
      throw ApplicationFailure.nonRetryable(`change ${change.itemId}: a toggle undo of a ${a.type} action`, 'BadPlan');
    const toggle = toggleOf(target, u.toggle);
    return done(await restoreToggle(target, toggle, { runValue: a.value, previous: u.value }, tokenFor(target, u.toggle), policy));
  }

  return {
    applyAction: (req: { target: TargetProfile; item: PlanItem }): Promise<AppliedChange> =>
      withHeartbeat((beat) =>
        checked(req.target, () => apply(req.target, req.item, beat)).catch((err) => {
          throw withAttemptRecord(err, beat.recorded);
        }),
      ),
    rollbackChange: (req: { target: TargetProfile; change: AppliedChange; reason: string }): Promise<RolledBackChange> =>
      withHeartbeat(() => checked(req.target, () => rollback(req.target, req.change, req.reason))),
    /** One attempt to drop the run's index left behind by a failed build or rollback (see index-leftover.ts). */
    dropIndexLeftover: (req: { target: TargetProfile; index: IndexRef; mode: LeftoverMode }): Promise<LeftoverCleanup> =>
      withHeartbeat(() =>
        checked(req.target, () =>
          dropIndexLeftover(connections.database(req.target), req.index, req.mode, timeouts(req.target), attemptNo()),
        ),
      ),
    /** The run's alert rules after its validation: healthy, and proven on what it measured (alert-rules-check.ts). */
    checkAlertRules: (req: MonitoringCheckRequest): Promise<MonitoringCheck> =>
      checked(req.target, () => checkAlertRules(req, { store, policy, api: prometheusFor(req.target, { connections, policy }) })),
    /** One attempt to make valid again the index a failed approved drop left INVALID (see index-restore.ts). */
    restoreDroppedIndex: (req: { target: TargetProfile; drop: FailedDrop }): Promise<IndexRestore> =>
      withHeartbeat(() =>
        checked(req.target, () => restoreDroppedIndex(connections.database(req.target), req.drop, timeouts(req.target), attemptNo())),
      ),
  };
}
