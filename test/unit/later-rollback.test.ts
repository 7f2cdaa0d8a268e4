// The pure parts of rolling back a finished run and of clear failure messages: which changes are
// still applied, the report with a later rollback in it, the root cause inside Temporal's failure
// wrappers, and whether an index is the one a run built.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ActivityFailure, ApplicationFailure, ChildWorkflowFailure, RetryState } from '@temporalio/common';
import { describeRolledBack, stillApplied, withLaterRollback } from '../../common/later-rollback';
import { rootCauseMessage } from '../../common/failure-cause';
import { OutputContractSchema, type OutputContract } from '../../common/output-contract';
import type { AppliedChange, RolledBackChange } from '../../common/types';
import { indexDifference, type IndexShape } from '../../activities/actions/undo-index';
import type { CreateIndexAction } from '../../activities/actions/create-index';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const report: unknown = JSON.parse(readFileSync(join(__dirname, '../fixtures/demo-report.json'), 'utf8'));

const toggle = (itemId: string): AppliedChange => ({
  itemId,
  action: { type: 'feature_toggle', toggle: itemId, value: true },
  appliedAt: 'x',
  undo: { type: 'set_toggle', toggle: itemId, value: false },
  details: '',
});
const undo = (itemId: string, over: Partial<RolledBackChange> = {}): RolledBackChange => ({
  itemId,
  reason: 'test',
  ok: true,
  details: `restored ${itemId}`,
  ...over,
});

test('still applied: what no record undid; a skipped undo counts as done, a failed one does not', () => {
  const applied = [toggle('a'), toggle('b'), toggle('c'), toggle('d')];
  const inRun = [undo('a')];
  const later = [undo('b', { skipped: 'left as it is: ...' }), undo('c', { ok: false, details: 'rollback failed: 503' })];
  assert.deepEqual(
    stillApplied(applied, inRun, later).map((c) => c.itemId),
    ['c', 'd'],
  );
  assert.deepEqual(stillApplied(applied, inRun, [...later, undo('c'), undo('d')]), []);
  assert.equal(describeRolledBack(later[0]), 'skipped b: left as it is: ...');
  assert.equal(describeRolledBack(later[1]), 'FAILED c: rollback failed: 503');
  assert.equal(describeRolledBack(undo('a')), 'rolled back a: restored a');
});

test("a later rollback in the report: undone items rolled back, skipped and failed ones in the next steps, a retry's success counts", () => {
  const base: OutputContract = OutputContractSchema.parse(report);
  const applied = base.optimizations_implemented.filter((o) => o.state === 'applied').map((o) => o.id);
  assert.ok(applied.length >= 2, 'the fixture applied two changes or more');
  const [first, second, ...rest] = applied;
  const later = {
    workflowId: 'perf-shop:rollback:r1',
    closedAt: '2026-11-30T10:00:00.000Z',
    running: false,
    changes: [
      undo(first, { ok: false, details: 'rollback failed: lock timeout' }),
      undo(second, { skipped: 'left as it is: toggle x is now 3, not true as the run set it' }),
      undo(first),
      ...rest.map((id) => undo(id, { ok: false, details: 'rollback failed: 503' })),
    ],
  };
  const r = OutputContractSchema.parse(withLaterRollback(base, later));
  const statusOf = Object.fromEntries(r.optimizations_implemented.map((o) => [o.id, o.status]));
  assert.equal(statusOf[first], 'rolled_back');
  assert.equal(statusOf[second], 'rolled_back');
  for (const id of rest) assert.equal(statusOf[id], 'completed', 'a failed undo leaves the change applied');
  assert.equal(
    r.next_steps[0],
    `rolled back after the run (perf-orch rollback, perf-shop:rollback:r1 at 2026-11-30T10:00:00.000Z): 1 undone, 1 skipped, ${rest.length} failed`,
  );
  assert.equal(r.next_steps[1], `${second}: left as it is: toggle x is now 3, not true as the run set it`);
  assert.deepEqual(r.next_steps.slice(-base.next_steps.length), base.next_steps);
  assert.deepEqual(withLaterRollback(base, { ...later, changes: [] }), base);
});

test('the root cause of a failed child: the message inside the wrappers, and where', () => {
  const app = ApplicationFailure.retryable('no request to http://127.0.0.1:3100 succeeded (3 tried): ECONNREFUSED', 'NetworkUnreachable');
  const activity = new ActivityFailure('Activity task failed', 'measureNetwork', '7', RetryState.MAXIMUM_ATTEMPTS_REACHED, 'w', app);
  const child = new ChildWorkflowFailure(
    'default',
    { workflowId: 'perf-x:profiling:r', runId: 'r' },
    'profilingWorkflow',
    RetryState.NON_RETRYABLE_FAILURE,
    activity,
  );
  assert.equal(
    rootCauseMessage(child),
    'no request to http://127.0.0.1:3100 succeeded (3 tried): ECONNREFUSED (in activity measureNetwork of workflow profilingWorkflow)',
  );
  // The cause under our own message (a socket error) is not what a person needs.
  const withCause = new Error('target shop does not answer at http://127.0.0.1:3100 (connect ECONNREFUSED); is it running?', {
    cause: new Error('connect ECONNREFUSED'),
  });
  assert.equal(rootCauseMessage(withCause), withCause.message);
  assert.equal(rootCauseMessage('plain'), 'plain');
});

test('an index is the run’s only when table, key columns, order, INCLUDE list and kind are what it built', () => {
  const action: CreateIndexAction = {
    type: 'create_index',
    schema: 'public',
    table: 'orders',
    columns: [{ name: 'customer' }, { name: 'placed', desc: true }],
    indexName: 'idx',
    include: ['total'],
  };
  const ours: IndexShape = {
    tableSchema: 'public',
    tableName: 'orders',
    unique: false,
    partial: false,
    expressions: false,
    method: 'btree',
    keyCount: 2,
    columns: ['customer', 'placed', 'total'],
    descending: [false, true],
  };
  assert.equal(indexDifference(ours, action), null);
  const cases: [Partial<IndexShape>, RegExp][] = [
    [{ tableName: 'items' }, /it is on public\.items, the run built it on public\.orders/],
    [{ unique: true }, /unique/],
    [{ partial: true }, /partial/],
    [{ expressions: true, columns: [null, 'placed', 'total'] }, /expressions/],
    [{ method: 'hash' }, /hash index/],
    [{ descending: [false, false] }, /its key is \(customer, placed\), the run built \(customer, placed DESC\)/],
    [{ keyCount: 3, descending: [false, true, false] }, /its key is \(customer, placed DESC, total\)/],
    [{ columns: ['customer', 'placed'] }, /it includes \(\), the run built INCLUDE \(total\)/],
  ];
  for (const [over, why] of cases) assert.match(indexDifference({ ...ours, ...over }, action) ?? 'null', why);
});
