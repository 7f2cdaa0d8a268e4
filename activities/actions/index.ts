// Apply and roll back one approved change. Each kind of change lives in its own module.
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { ActivityDeps } from '../deps';
import type { TargetProfile } from '../../common/profile';
import type { AppliedChange, PlanItem, RolledBackChange } from '../../common/types';
import { createIndex, dropIndex } from './create-index';
import { dropIndexForPlan, recreateIndex } from './drop-index';
import { resolveToggleToken, setToggle } from './feature-toggle';

function toggleOf(target: TargetProfile, name: string) {
  const t = target.actions.featureToggles.find((x) => x.name === name);
  if (!t)
    throw ApplicationFailure.nonRetryable(`toggle ${name} is not declared in actions.featureToggles of target ${target.name}`, 'BadPlan');
  return t;
}

export function createActionActivities({ connections }: ActivityDeps) {
  const tokenFor = (target: TargetProfile, name: string) => resolveToggleToken(connections, target, toggleOf(target, name));
  const timeouts = (target: TargetProfile) => ({
    lockTimeoutMs: target.actions.lockTimeoutMs,
    statementTimeoutMs: target.actions.statementTimeoutMs,
  });

  return {
    async applyAction(req: { target: TargetProfile; item: PlanItem }): Promise<AppliedChange> {
      const { target, item } = req;
      const a = item.action;
      const appliedAt = new Date().toISOString();
      if (a.type === 'create_index') {
        const r = await createIndex(connections.database(target), a, timeouts(target));
        return {
          itemId: item.id,
          action: a,
          appliedAt,
          // An index that was already there is not ours to drop: its undo is a no-op.
          undo: r.preExisting
            ? { type: 'none', why: `index ${a.indexName} existed before the run` }
            : { type: 'drop_index', schema: a.schema, indexName: a.indexName },
          details: r.details,
        };
      }
      if (a.type === 'drop_index') {
        const r = await dropIndexForPlan(connections.database(target), a, timeouts(target));
        return {
          itemId: item.id,
          action: a,
          appliedAt,
          undo: r.definition
            ? { type: 'recreate_index', schema: a.schema, table: a.table, indexName: a.indexName, definition: r.definition }
            : { type: 'none', why: `index ${a.indexName} did not exist when the drop ran` },
          details: r.details,
        };
      }
      if (a.type === 'feature_toggle') {
        // A retried attempt sees its own earlier change; the first attempt's heartbeat keeps the true previous value.
        const ctx = Context.current();
        const recorded = ctx.info.heartbeatDetails as { previous: unknown } | undefined;
        const r = await setToggle(target, toggleOf(target, a.toggle), a.value, tokenFor(target, a.toggle), {
          knownPrevious: recorded ? { value: recorded.previous } : undefined,
          onPrevious: (previous) => ctx.heartbeat({ previous }),
        });
        return {
          itemId: item.id,
          action: a,
          appliedAt,
          undo: { type: 'set_toggle', toggle: a.toggle, value: r.previous },
          details: `toggle ${a.toggle}: ${JSON.stringify(r.previous)} -> ${JSON.stringify(r.value)}`,
        };
      }
      throw ApplicationFailure.nonRetryable(`item ${item.id} is a manual step; the tool never applies it`, 'BadPlan');
    },

    async rollbackChange(req: { target: TargetProfile; change: AppliedChange; reason: string }): Promise<RolledBackChange> {
      const { target, change } = req;
      const u = change.undo;
      if (u.type === 'drop_index') {
        await dropIndex(connections.database(target), u.schema, u.indexName, timeouts(target));
        return { itemId: change.itemId, reason: req.reason, ok: true, details: `dropped index ${u.schema}.${u.indexName} concurrently` };
      }
      if (u.type === 'recreate_index') {
        const r = await recreateIndex(connections.database(target), u, timeouts(target));
        return { itemId: change.itemId, reason: req.reason, ok: true, details: r.details };
      }
      if (u.type === 'none') return { itemId: change.itemId, reason: req.reason, ok: true, details: `nothing to undo: ${u.why}` };
      const r = await setToggle(target, toggleOf(target, u.toggle), u.value as boolean | number | string, tokenFor(target, u.toggle));
      return { itemId: change.itemId, reason: req.reason, ok: true, details: `toggle ${u.toggle} restored to ${JSON.stringify(r.value)}` };
    },
  };
}
