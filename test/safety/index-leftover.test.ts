// An INVALID index never survives a failed or rolled-back run (issue 9, item 3). A REPEATABLE READ
// transaction that read the table stays open: CREATE INDEX CONCURRENTLY waits for its snapshot and
// fails, and DROP INDEX CONCURRENTLY waits for its lock on the table and fails too, so neither the
// build's own cleanup nor a rollback can drop the index while it lasts. Once it ends, the run's
// INVALID leftover must be gone, and the result must say what happened to it.
// Real Temporal, a real worker, real PostgreSQL.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DefaultLogger, type NativeConnection, Runtime } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowHandle } from '@temporalio/client';
import type { Pool, PoolClient } from 'pg';
import { createWorkers } from '../../worker/create-worker';
import { TASK_QUEUE } from '../../common/run';
import { parseTargetProfile, type TargetProfile } from '../../common/profile';
import type { PlanItem } from '../../common/types';
import { optimizationWorkflow, rollbackChangesWorkflow } from '../../workflows';
import { testDatabase, testPool } from '../helpers/services';
import { startTemporal, workflowBundle } from '../helpers/temporal';
import { eventually } from '../helpers/eventually';
import { isFailure } from '../helpers/failures';
import { dropIndexLeftover } from '../../activities/actions/index-leftover';
import { recordHistories } from '../helpers/record-histories';

Runtime.install({ logger: new DefaultLogger('WARN') });

const DB = 'perf_test_leftover_idx';
let env: TestWorkflowEnvironment;
let pool: Pool;
let target: TargetProfile;
let workers: Awaited<ReturnType<typeof createWorkers>>;
let workerDone: Promise<void>;

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

async function indexRow(name: string): Promise<{ valid: boolean; ready: boolean } | null> {
  const { rows } = await pool.query(
    `SELECT i.indisvalid AS valid, i.indisready AS ready FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
      JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'leftover' AND c.relname = $1`,
    [name],
  );
  return rows[0] ?? null;
}

/** The blocker of the report: a REPEATABLE READ transaction that read the table and stays open. */
async function openReader(): Promise<PoolClient> {
  const c = await pool.connect();
  await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
  await c.query('SELECT count(*) FROM leftover.items');
  return c;
}

async function endReader(c: PoolClient): Promise<void> {
  await c.query('ROLLBACK');
  c.release();
}

/**
 * Writers are never blocked: for `ms`, INSERTs and UPDATEs on the table back to back, each answering
 * within 300 ms (a DROP waiting on the table's lock would hold them for its lock_timeout, 500 ms).
 */
async function writersProceed(ms: number): Promise<void> {
  const until = Date.now() + ms;
  let slowest = 0;
  let writes = 0;
  while (Date.now() < until) {
    const t0 = Date.now();
    await pool.query(`INSERT INTO leftover.items SELECT max(id) + 1, 1, 1 FROM leftover.items`);
    await pool.query(`UPDATE leftover.items SET v = v + 1 WHERE id = 1`);
    slowest = Math.max(slowest, Date.now() - t0);
    writes += 2;
  }
  assert.ok(slowest < 300, `a write took ${slowest} ms (${writes} writes)`);
}

/** Waits until an activity of the workflow has failed for good (all its attempts spent). */
async function activityGaveUp(handle: WorkflowHandle, activityType: string): Promise<void> {
  await eventually(
    `${activityType} to fail for good`,
    async () => {
      const { events } = await handle.fetchHistory();
      const scheduled = new Map<string, string>();
      for (const e of events ?? []) {
        const s = e.activityTaskScheduledEventAttributes;
        if (s) scheduled.set(String(e.eventId), s.activityType?.name ?? '');
        const f = e.activityTaskFailedEventAttributes;
        if (f && scheduled.get(String(f.scheduledEventId)) === activityType) return true;
      }
      return undefined;
    },
    120_000,
    500,
  );
}

before(async () => {
  env = await startTemporal();
  const dbUrl = await testDatabase(DB);
  pool = await testPool(DB);
  await pool.query(`DROP SCHEMA IF EXISTS leftover CASCADE; CREATE SCHEMA leftover;
    CREATE TABLE leftover.items (id int PRIMARY KEY, v int NOT NULL, w int NOT NULL);
    INSERT INTO leftover.items SELECT g, g % 1000, g % 77 FROM generate_series(1, 50000) g;`);
  target = parseTargetProfile({
    name: 'leftover',
    http: { baseUrl: 'http://127.0.0.1:9', endpoints: [{ name: 'home', path: '/' }] },
    database: { urlEnv: 'LEFTOVER_DATABASE_URL', schemas: ['leftover'] },
    targets: { p95Ms: 100, p99Ms: 200, throughputRps: 10 },
    actions: { lockTimeoutMs: 500 },
  });
  workers = await createWorkers({
    connection: env.nativeConnection as NativeConnection,
    namespace: env.namespace ?? 'default',
    storeUrl: await testDatabase('perf_test_leftover_store'),
    env: { LEFTOVER_DATABASE_URL: dbUrl },
    workflowBundle: await workflowBundle(),
  });
  workerDone = workers.run();
});

after(async () => {
  workers?.shutdown();
  await workerDone;
  await workers?.close();
  await pool?.query('DROP SCHEMA IF EXISTS leftover CASCADE').catch(() => undefined);
  await pool?.end();
  await env?.teardown();
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
    await writersProceed(3_000);
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
    await writersProceed(3_000);
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
