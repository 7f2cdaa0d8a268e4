// What of a failed build or a failed rollback drop is the run's to drop: ownership and the per-attempt verdict, at their edges.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  describeCleanup,
  describeCleanupFailure,
  failedBuildOf,
  leftoverVerdict,
  manualDropCommand,
  rollbackLeftoverOf,
  type LeftoverState,
} from '../../common/index-leftover';
import type { ActionSpec, AppliedChange } from '../../common/types';

const build: ActionSpec = { type: 'create_index', schema: 's', table: 't', columns: [{ name: 'v' }], indexName: 'perf_t_v_idx' };
const ref = { schema: 's', table: 't', indexName: 'perf_t_v_idx' };

test('a failed apply owns an index only when its attempts recorded building exactly that name', () => {
  assert.deepEqual(failedBuildOf(build, { building: 'perf_t_v_idx' }), ref);
  assert.equal(failedBuildOf(build, { building: 'perf_t_v_idx2' }), null, 'another name');
  assert.equal(failedBuildOf(build, { building: 'PERF_T_V_IDX' }), null, 'names are case-sensitive');
  assert.equal(failedBuildOf(build, {}), null, 'the build never started (e.g. an INVALID index that existed before the run)');
  assert.equal(failedBuildOf(build, undefined), null);
  assert.equal(failedBuildOf(build, 'perf_t_v_idx'), null);
  assert.equal(failedBuildOf({ type: 'feature_toggle', toggle: 'x', value: true }, { building: 'perf_t_v_idx' }), null);
  const drop: ActionSpec = { type: 'drop_index', schema: 's', table: 't', indexName: 'perf_t_v_idx', definition: 'CREATE INDEX ...' };
  assert.equal(failedBuildOf(drop, { building: 'perf_t_v_idx' }), null, 'a drop of an existing index builds nothing');
});

test("a failed rollback owns the run's own build (any state), or the INVALID leftover of re-building an index it dropped", () => {
  const applied = (undo: AppliedChange['undo'], action: ActionSpec = build): AppliedChange => ({
    itemId: 'i',
    action,
    appliedAt: 'x',
    undo,
    details: '',
  });
  assert.deepEqual(rollbackLeftoverOf(applied({ type: 'drop_index', schema: 's', indexName: 'perf_t_v_idx' })), {
    index: ref,
    mode: 'any',
  });
  assert.equal(rollbackLeftoverOf(applied({ type: 'none', why: 'index perf_t_v_idx existed before the run' })), null);
  assert.equal(rollbackLeftoverOf(applied({ type: 'drop_index', schema: 's', indexName: 'other_idx' })), null);
  assert.equal(rollbackLeftoverOf(applied({ type: 'drop_index', schema: 'other', indexName: 'perf_t_v_idx' })), null);
  const toggle: ActionSpec = { type: 'feature_toggle', toggle: 'x', value: true };
  assert.equal(rollbackLeftoverOf(applied({ type: 'set_toggle', toggle: 'x', value: false }, toggle)), null);
  assert.equal(rollbackLeftoverOf(applied({ type: 'drop_index', schema: 's', indexName: 'perf_t_v_idx' }, toggle)), null);
  const dropped: ActionSpec = {
    type: 'drop_index',
    schema: 's',
    table: 't',
    indexName: 'old_idx',
    definition: 'CREATE INDEX old_idx ON s.t (v)',
  };
  assert.deepEqual(
    rollbackLeftoverOf(
      applied({ type: 'recreate_index', schema: 's', table: 't', indexName: 'old_idx', definition: dropped.definition }, dropped),
    ),
    { index: { schema: 's', table: 't', indexName: 'old_idx' }, mode: 'invalid_only' },
  );
});

test('the verdict per attempt: only an index of that name on that table; a valid one only when dropping it is the rollback', () => {
  const state = (over: Partial<LeftoverState>): LeftoverState => ({
    exists: true,
    isIndex: true,
    valid: false,
    tableSchema: 's',
    tableName: 't',
    ...over,
  });
  assert.deepEqual(leftoverVerdict(state({ exists: false }), ref, 'invalid_only'), { kind: 'gone' });
  assert.deepEqual(leftoverVerdict(state({}), ref, 'invalid_only'), { kind: 'drop' });
  assert.deepEqual(leftoverVerdict(state({}), ref, 'any'), { kind: 'drop' });
  assert.deepEqual(leftoverVerdict(state({ valid: true }), ref, 'any'), { kind: 'drop' });
  const keep = (s: LeftoverState, mode: 'invalid_only' | 'any') => {
    const v = leftoverVerdict(s, ref, mode);
    assert.equal(v.kind, 'keep');
    return (v as { why: string }).why;
  };
  assert.match(keep(state({ valid: true }), 'invalid_only'), /is valid: not a leftover/);
  assert.match(keep(state({ isIndex: false, tableSchema: null, tableName: null }), 'any'), /not an index/);
  assert.match(keep(state({ tableName: 't2' }), 'any'), /on s\.t2, not on s\.t/);
  assert.match(keep(state({ tableSchema: 'other' }), 'invalid_only'), /on other\.t, not on s\.t/);
});

test('what the result says: dropped after N attempts, nothing left, or the exact command', () => {
  assert.equal(manualDropCommand({ schema: 'My "S"', indexName: 'i x' }), 'DROP INDEX CONCURRENTLY IF EXISTS "My ""S"""."i x";');
  assert.equal(
    describeCleanup(ref, 'invalid_only', { outcome: 'dropped', attempts: 4, details: '' }),
    'INVALID leftover s.perf_t_v_idx dropped after 4 attempts, checked: nothing of that name is left',
  );
  assert.match(
    describeCleanup(ref, 'any', { outcome: 'dropped', attempts: 1, details: '' }),
    /^index s\.perf_t_v_idx dropped after 1 attempt,/,
  );
  assert.match(describeCleanup(ref, 'invalid_only', { outcome: 'none_left', attempts: 1, details: '' }), /^no INVALID leftover/);
  assert.match(
    describeCleanup(ref, 'invalid_only', { outcome: 'kept', attempts: 1, details: 'valid' }),
    /left in place \(valid\); if it is this run's, drop it with: DROP INDEX CONCURRENTLY IF EXISTS "s"\."perf_t_v_idx";/,
  );
  assert.match(
    describeCleanupFailure(ref, 'invalid_only', 'lock timeout'),
    /INVALID leftover s\.perf_t_v_idx could NOT be dropped \(lock timeout\); end the session .* then run: DROP INDEX CONCURRENTLY IF EXISTS "s"\."perf_t_v_idx";$/,
  );
});
