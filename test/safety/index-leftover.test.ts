// An INVALID index never survives a failed or rolled-back run (issue 9, item 3). A REPEATABLE READ
// transaction that read the table stays open: CREATE INDEX CONCURRENTLY waits for its snapshot and
// fails, and DROP INDEX CONCURRENTLY waits for its lock on the table and fails too, so neither the
// build's own cleanup nor a rollback can drop the index while it lasts. Once it ends, the run's
// INVALID leftover must be gone, and the result must say what happened to it.
// Real Temporal, a real worker, real PostgreSQL.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Pool } from 'pg';
import { TASK_QUEUE } from '../../common/run';
import type { TargetProfile } from '../../common/profile';
import type { PlanItem } from '../../common/types';
import { optimizationWorkflow, rollbackChangesWorkflow } from '../../workflows';
import { activityGaveUp, blockedTableHarness, forMs } from '../helpers/blocked-table';
import { eventually } from '../helpers/eventually';
import { isFailure } from '../helpers/failures';
import { dropIndexLeftover } from '../../activities/actions/index-leftover';
import { recordHistories } from '../helpers/record-histories';

Runtime.install({ logger: new DefaultLogger('WARN') });

const harness = blockedTableHarness('leftover');
const { openReader, endReader, writersProceed } = harness;
/** Whether the index is valid and ready (null: none of that name). */
const indexRow = async (name: string) => {
  const r = await harness.indexRow(name);
  return r && { valid: r.valid, ready: r.ready };
};
let env: TestWorkflowEnvironment;
let pool: Pool;
let target: TargetProfile;

before(async () => {
  ({ env, pool, target } = await harness.start());
});
after(() => harness.stop());

const itemFor = (indexName: string, column: string): PlanItem => ({
  id: `idx-leftover-items-${column}`,
  layer: 'database',
  rootCause: 'missing_index',
  title: `Missing index on leftover.items (${column})`,
  evidence: [],
  estimatedLatencyReductionMs: 1,
  effortDays: 0.5,
  risk: 'low',
  action: { type: 'create_index', schema: 'leftover', table: 'items', columns: [{ name: column }], indexName },
  rollback: `DROP INDEX CONCURRENTLY leftover.${indexName}`,
  source: 'test',
  impactScore: 1,
  estimatedGainPct: 1,
  automatic: true,
});

test('a build that fails while an old reader holds the table: its INVALID leftover is dropped once the reader ends', async (t) => {
  const name = 'perf_leftover_items_v_idx';
  const reader = await openReader();
  let readerOpen = true;
  try {
    const handle = await env.client.workflow.start(optimizationWorkflow, {
      taskQueue: TASK_QUEUE,
      workflowId: `leftover-apply-${Date.now()}`,
      args: [{ target, items: [itemFor(name, 'v')] }],
    });
    await activityGaveUp(handle, 'applyAction');
    // The report's state: the build's INVALID index, still maintained on every write.
    assert.deepEqual(await indexRow(name), { valid: false, ready: true });
    // The reader outlasts the apply by a while; the cleanup's attempts meanwhile never hold up writers.
    await writersProceed(forMs(3_000));
    await endReader(reader);
    readerOpen = false;

    await eventually('no index of that name left', async () => ((await indexRow(name)) === null ? true : undefined), 90_000, 500);
    const result = await handle.result();
    assert.equal(result.failed?.itemId, `idx-leftover-items-v`);
    assert.match(result.failed!.error, /lock timeout/i);
    const note = result.rolledBack.find((r) => r.itemId === result.failed?.itemId);
    assert.ok(note, `the result says what happened to the leftover: ${JSON.stringify(result)}`);
    t.diagnostic(`apply: ${result.failed!.error.slice(0, 300)}`);
    t.diagnostic(`leftover: ${note.details}`);
    assert.equal(note.ok, true);
    assert.match(note.details, /INVALID leftover leftover\.perf_leftover_items_v_idx dropped after \d+ attempts/);
    assert.ok(Number(/after (\d+) attempts/.exec(note.details)![1]) >= 2, 'the first attempts met the reader');
    await recordHistories(env.client, 'invalid-leftover-apply', [handle.workflowId]);
  } finally {
    if (readerOpen) await endReader(reader);
  }
});

test("a rollback whose DROP INDEX CONCURRENTLY fails midway: the run's index is dropped once the reader ends", async (t) => {
  const name = 'perf_leftover_items_w_idx';
  const built = await env.client.workflow.execute(optimizationWorkflow, {
    taskQueue: TASK_QUEUE,
    workflowId: `leftover-built-${Date.now()}`,
    args: [{ target, items: [itemFor(name, 'w')] }],
  });
  assert.equal(built.failed, null);
  assert.deepEqual(await indexRow(name), { valid: true, ready: true });

  const reader = await openReader();
  let readerOpen = true;
  try {
    const handle = await env.client.workflow.start(rollbackChangesWorkflow, {
      taskQueue: TASK_QUEUE,
      workflowId: `leftover-rollback-${Date.now()}`,
      args: [{ target, changes: built.applied, reason: 'test' }],
    });
    await activityGaveUp(handle, 'rollbackChange');
    // DROP INDEX CONCURRENTLY marked it INVALID, then timed out waiting for the reader.
    assert.equal((await indexRow(name))?.valid, false);
    await writersProceed(forMs(3_000));
    await endReader(reader);
    readerOpen = false;

    await eventually('no index of that name left', async () => ((await indexRow(name)) === null ? true : undefined), 90_000, 500);
    const undone = await handle.result();
    assert.equal(undone.length, 1);
    t.diagnostic(`rollback: ${undone[0].details}`);
    assert.equal(undone[0].ok, true, undone[0].details);
    assert.match(undone[0].details, /dropped after \d+ attempts/);
    await recordHistories(env.client, 'invalid-leftover-rollback', [handle.workflowId]);
  } finally {
    if (readerOpen) await endReader(reader);
  }
});

test('one cleanup attempt: only an INVALID index of that name on that table; retryable while the reader holds the table', async () => {
  const opts = { lockTimeoutMs: 500, statementTimeoutMs: 30_000 };
  await pool.query(`CREATE INDEX perf_leftover_valid_idx ON leftover.items (w, v); CREATE TABLE leftover.other (v int)`);
  const valid = { schema: 'leftover', table: 'items', indexName: 'perf_leftover_valid_idx' };
  const kept = await dropIndexLeftover(pool, valid, 'invalid_only', opts, 1);
  assert.deepEqual(
    [kept.outcome, kept.details],
    ['kept', 'index leftover.perf_leftover_valid_idx is valid: not a leftover of a failed build'],
  );
  const elsewhere = await dropIndexLeftover(pool, { ...valid, table: 'other' }, 'any', opts, 1);
  assert.equal(elsewhere.outcome, 'kept');
  assert.deepEqual(await indexRow('perf_leftover_valid_idx'), { valid: true, ready: true }, 'neither was touched');

  // An INVALID index: a failed UNIQUE build on duplicate values.
  await assert.rejects(
    pool.query(`CREATE UNIQUE INDEX CONCURRENTLY perf_leftover_dup_idx ON leftover.items (v)`),
    /could not create unique index/,
  );
  const dup = { schema: 'leftover', table: 'items', indexName: 'perf_leftover_dup_idx' };
  const reader = await openReader();
  try {
    await assert.rejects(dropIndexLeftover(pool, dup, 'invalid_only', opts, 1), isFailure('LockTimeout', false, /lock timeout/));
    assert.equal((await indexRow('perf_leftover_dup_idx'))?.valid, false, 'still there, INVALID');
  } finally {
    await endReader(reader);
  }
  assert.deepEqual(await dropIndexLeftover(pool, dup, 'invalid_only', opts, 2), {
    outcome: 'dropped',
    attempts: 2,
    details: 'dropped leftover.perf_leftover_dup_idx concurrently',
  });
  assert.equal(await indexRow('perf_leftover_dup_idx'), null);
  assert.equal((await dropIndexLeftover(pool, dup, 'invalid_only', opts, 3)).outcome, 'none_left');
});
