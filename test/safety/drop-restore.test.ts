// An approved drop of an index that existed before the run, whose DROP INDEX CONCURRENTLY fails
// midway (issue 9, follow-up): a REPEATABLE READ transaction that read the table stays open, so the
// drop marks the index INVALID and then times out waiting for it, on every attempt. The index is not
// in `applied`, yet the run ends apply_failed_rolled_back: once the reader ends, the index must be
// valid again (the planner can use it), writers never held up, and the result must say so.
// Real Temporal, a real worker, real PostgreSQL.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Pool } from 'pg';
import { TASK_QUEUE } from '../../common/run';
import type { TargetProfile } from '../../common/profile';
import type { PlanItem } from '../../common/types';
import { optimizationWorkflow } from '../../workflows';
import { activityGaveUp, blockedTableHarness } from '../helpers/blocked-table';
import { recordHistories } from '../helpers/record-histories';
import { isFailure } from '../helpers/failures';
import { restoreDroppedIndex } from '../../activities/actions/index-restore';

Runtime.install({ logger: new DefaultLogger('WARN') });

const INDEX = 'dropfix_items_v_idx';
const harness = blockedTableHarness('dropfix');
const { indexRow, openReader, endReader, writersProceed } = harness;
let env: TestWorkflowEnvironment;
let pool: Pool;
let target: TargetProfile;

before(async () => {
  ({ env, pool, target } = await harness.start());
});
after(() => harness.stop());

const dropItem = (definition: string): PlanItem => ({
  id: 'drop-unused-dropfix-items-v',
  layer: 'database',
  rootCause: 'missing_index',
  title: `Unused index dropfix.${INDEX}`,
  evidence: [],
  estimatedLatencyReductionMs: 1,
  effortDays: 0.1,
  risk: 'low',
  action: { type: 'drop_index', schema: 'dropfix', table: 'items', indexName: INDEX, definition },
  rollback: definition,
  source: 'test',
  impactScore: 1,
  estimatedGainPct: 1,
  automatic: true,
});

test('an approved drop that fails midway while an old reader holds the table: the index is valid again once the reader ends', async (t) => {
  await pool.query(`CREATE INDEX ${INDEX} ON dropfix.items (v) WHERE w > 3`);
  const before = (await indexRow(INDEX))!;
  assert.equal(before.valid, true);
  const reader = await openReader();
  let readerOpen = true;
  try {
    const handle = await env.client.workflow.start(optimizationWorkflow, {
      taskQueue: TASK_QUEUE,
      workflowId: `dropfix-apply-${Date.now()}`,
      args: [{ target, items: [dropItem(before.def)] }],
    });
    await activityGaveUp(handle, 'applyAction');
    // The report's state: the index that existed before the run, INVALID (unused by the planner, still maintained).
    assert.deepEqual(await indexRow(INDEX), { ...before, valid: false });
    const until = Date.now() + 3_000;
    const w = await writersProceed(() => Date.now() < until);
    t.diagnostic(`writers while the reader lasted: ${w.writes} writes, slowest ${w.slowest} ms`);
    await endReader(reader);
    readerOpen = false;

    // Writers go on while the restore rebuilds the index.
    let finished = false;
    const ended = handle.result().finally(() => (finished = true));
    const w2 = await writersProceed(() => !finished);
    t.diagnostic(`writers until the run ended: ${w2.writes} writes, slowest ${w2.slowest} ms`);
    const result = await ended;
    await recordHistories(env.client, 'drop-restore', [handle.workflowId]);
    assert.equal(result.failed?.itemId, 'drop-unused-dropfix-items-v');
    assert.match(result.failed!.error, /lock timeout/i);
    assert.deepEqual(result.applied, []);
    t.diagnostic(`apply: ${result.failed!.error.slice(0, 300)}`);
    // Checked at once, not eventually: the run ends only once the index is restored.
    assert.deepEqual(await indexRow(INDEX), before, 'the index is valid again, with the definition it had');
    const note = result.rolledBack.find((r) => r.itemId === result.failed?.itemId);
    assert.ok(note, `the result says what happened to the index: ${JSON.stringify(result)}`);
    t.diagnostic(`restore: ${note.details}`);
    assert.equal(note.ok, true);
    assert.match(note.details, /index dropfix\.dropfix_items_v_idx restored after \d+ attempts/);
    assert.ok(Number(/after (\d+) attempts/.exec(note.details)![1]) >= 2, 'the first attempts met the reader');
  } finally {
    if (readerOpen) await endReader(reader);
  }
});

test('an approved drop refused before it started: nothing to restore, and the result says so', async () => {
  await pool.query(`CREATE INDEX IF NOT EXISTS dropfix_items_w_idx ON dropfix.items (w)`);
  const item = dropItem('CREATE INDEX dropfix_items_w_idx ON dropfix.items USING btree (w, v)');
  const handle = await env.client.workflow.start(optimizationWorkflow, {
    taskQueue: TASK_QUEUE,
    workflowId: `dropfix-refused-${Date.now()}`,
    args: [{ target, items: [{ ...item, action: { ...item.action, indexName: 'dropfix_items_w_idx' } as PlanItem['action'] }] }],
  });
  const result = await handle.result();
  await recordHistories(env.client, 'drop-never-started', [handle.workflowId]);
  assert.match(result.failed!.error, /changed since the analysis/);
  assert.equal((await indexRow('dropfix_items_w_idx'))?.valid, true, 'untouched');
  const note = result.rolledBack.find((r) => r.itemId === result.failed?.itemId);
  assert.ok(note, `the result says there was nothing to restore: ${JSON.stringify(result)}`);
  assert.equal(note.ok, true);
  assert.match(note.details, /the drop of dropfix\.dropfix_items_w_idx never started: nothing to restore/);
});

test('one restore attempt: a valid index left alone; an INVALID remnant retried while the reader lasts, then rebuilt; a missing one rebuilt', async () => {
  const opts = { lockTimeoutMs: 500, statementTimeoutMs: 30_000 };
  const name = 'dropfix_items_vw_idx';
  await pool.query(`CREATE INDEX ${name} ON dropfix.items (v, w)`);
  const definition = (await indexRow(name))!.def;
  const failed = { index: { schema: 'dropfix', table: 'items', indexName: name }, definition };
  assert.deepEqual(await restoreDroppedIndex(pool, failed, opts, 1), {
    outcome: 'valid',
    attempts: 1,
    details: `index dropfix.${name} is valid`,
  });
  const other = await restoreDroppedIndex(pool, { ...failed, definition: definition.replace('(v, w)', '(w)') }, opts, 1);
  assert.equal(other.outcome, 'kept', 'another definition is not the one the run dropped');
  await assert.rejects(
    restoreDroppedIndex(pool, { ...failed, definition: definition.replace(name, 'other_idx') }, opts, 1),
    isFailure('BadPlan', true, /is not CREATE INDEX dropfix_items_vw_idx ON dropfix.items/),
  );

  // The remnant of a drop that timed out midway: INVALID, still ready.
  const reader = await openReader();
  try {
    const c = await pool.connect();
    try {
      await c.query('SET lock_timeout = 500');
      await assert.rejects(c.query(`DROP INDEX CONCURRENTLY dropfix.${name}`), /lock timeout/);
    } finally {
      c.release();
    }
    assert.deepEqual(await indexRow(name), { valid: false, ready: true, def: definition });
    await assert.rejects(restoreDroppedIndex(pool, failed, opts, 1), isFailure('LockTimeout', false, /lock timeout/));
    assert.equal((await indexRow(name))?.valid, false, 'still INVALID while the reader lasts');
  } finally {
    await endReader(reader);
  }
  const restored = await restoreDroppedIndex(pool, failed, opts, 2);
  assert.equal(restored.outcome, 'restored', restored.details);
  assert.match(restored.details, /^its INVALID remnant dropped and re-built concurrently/);
  assert.deepEqual(await indexRow(name), { valid: true, ready: true, def: definition });

  await pool.query(`DROP INDEX dropfix.${name}`);
  const rebuilt = await restoreDroppedIndex(pool, failed, opts, 3);
  assert.deepEqual([rebuilt.outcome, rebuilt.attempts], ['restored', 3]);
  assert.match(rebuilt.details, /^re-built concurrently/);
  assert.deepEqual(await indexRow(name), { valid: true, ready: true, def: definition });
});
