// What of a failed approved drop is to be restored, the per-attempt verdict, and the sentences the run records.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  describeRestore,
  describeRestoreFailure,
  dropNeverStarted,
  failedDropOf,
  manualRestoreCommand,
  restoreVerdict,
  type FailedDrop,
} from '../../common/index-restore';
import type { LeftoverState } from '../../common/index-leftover';
import type { ActionSpec } from '../../common/types';

const def = 'CREATE INDEX old_idx ON s.t USING btree (v) WHERE (w > 3)';
const drop: Extract<ActionSpec, { type: 'drop_index' }> = {
  type: 'drop_index',
  schema: 's',
  table: 't',
  indexName: 'old_idx',
  definition: def,
};
const failed: FailedDrop = { index: { schema: 's', table: 't', indexName: 'old_idx' }, definition: def };

test('a failed apply may have left the index INVALID only when its attempts recorded starting the drop of exactly that name', () => {
  assert.deepEqual(failedDropOf(drop, { dropping: { indexName: 'old_idx', definition: def } }), failed);
  assert.deepEqual(failedDropOf(drop, { building: 'x', dropping: { indexName: 'old_idx', definition: def } }), failed);
  assert.equal(failedDropOf(drop, {}), null, 'the drop never started (refused, or the build lock was not had)');
  assert.equal(failedDropOf(drop, undefined), null);
  assert.equal(failedDropOf(drop, { dropping: { indexName: 'OLD_IDX', definition: def } }), null, 'names are case-sensitive');
  assert.equal(failedDropOf(drop, { dropping: { indexName: 'old_idx', definition: '  ' } }), null, 'no definition to restore from');
  assert.equal(failedDropOf(drop, { dropping: { indexName: 'old_idx' } }), null);
  assert.equal(failedDropOf(drop, { dropping: 'old_idx' }), null);
  const build: ActionSpec = { type: 'create_index', schema: 's', table: 't', columns: [{ name: 'v' }], indexName: 'old_idx' };
  assert.equal(failedDropOf(build, { dropping: { indexName: 'old_idx', definition: def } }), null, 'only a drop_index');
});

test('the verdict per attempt: rebuild an INVALID remnant or a missing index; a valid one is done; not the run’s: kept', () => {
  const state = (over: Partial<LeftoverState & { definition: string | null }>) => ({
    exists: true,
    isIndex: true,
    valid: false,
    tableSchema: 's',
    tableName: 't',
    definition: def,
    ...over,
  });
  assert.deepEqual(restoreVerdict(state({}), failed), { kind: 'rebuild', dropFirst: true });
  assert.deepEqual(restoreVerdict(state({ definition: def.replace(' USING', '  USING') }), failed), { kind: 'rebuild', dropFirst: true });
  assert.deepEqual(restoreVerdict(state({ exists: false, isIndex: false, definition: null }), failed), {
    kind: 'rebuild',
    dropFirst: false,
  });
  assert.deepEqual(restoreVerdict(state({ valid: true }), failed), { kind: 'valid' });
  const why = (s: ReturnType<typeof state>) => {
    const v = restoreVerdict(s, failed);
    assert.equal(v.kind, 'keep');
    return (v as { why: string }).why;
  };
  assert.match(why(state({ isIndex: false, definition: null })), /taken by another relation/);
  assert.match(why(state({ tableName: 'other' })), /is on s\.other, not on s\.t/);
  assert.match(why(state({ definition: 'CREATE INDEX old_idx ON s.t USING btree (w)' })), /has another definition now/);
  assert.match(why(state({ valid: true, definition: 'CREATE INDEX old_idx ON s.t USING btree (w)' })), /has another definition now/);
});

test('the sentences: restored after N attempts, valid, kept, or the exact commands to run', () => {
  const cmd = manualRestoreCommand(failed);
  assert.equal(
    cmd,
    'DROP INDEX CONCURRENTLY IF EXISTS "s"."old_idx"; CREATE INDEX CONCURRENTLY IF NOT EXISTS old_idx ON s.t USING btree (v) WHERE (w > 3);',
  );
  assert.match(
    describeRestore(failed, { outcome: 'restored', attempts: 4, details: 'x' }),
    /^index s\.old_idx restored after 4 attempts \(x\), checked: valid again/,
  );
  assert.match(
    describeRestore(failed, { outcome: 'valid', attempts: 1, details: '' }),
    /valid, as before the run \(checked after 1 attempt\)/,
  );
  const kept = describeRestore(failed, { outcome: 'kept', attempts: 1, details: 'another definition' });
  assert.ok(kept.endsWith(cmd), kept);
  const gaveUp = describeRestoreFailure(failed, 'lock timeout');
  assert.match(gaveUp, /could NOT be restored \(lock timeout\).*end the session that holds s\.t/);
  assert.ok(gaveUp.endsWith(`then run: ${cmd}`), gaveUp);
  assert.equal(dropNeverStarted(drop), 'the drop of s.old_idx never started: nothing to restore (the index is as it was before the run)');
});
