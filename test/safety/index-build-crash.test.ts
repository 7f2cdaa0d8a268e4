// A worker killed (-9) while its CREATE INDEX CONCURRENTLY waits on a lock: the build is not left
// running unowned, the retry on another worker finishes the change and records it as the run's own
// (undo: drop), and rolling back removes it. Real Temporal, a real worker process, real PostgreSQL.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { DefaultLogger, type NativeConnection, Runtime } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Pool } from 'pg';
import { createWorkers } from '../../worker/create-worker';
import { TASK_QUEUE } from '../../common/run';
import { parseTargetProfile, type TargetProfile } from '../../common/profile';
import type { PlanItem } from '../../common/types';
import { optimizationWorkflow, rollbackChangesWorkflow } from '../../workflows';
import { testDatabase, testPool } from '../helpers/services';
import { startTemporal, workflowBundle } from '../helpers/temporal';
import { eventually } from '../helpers/eventually';

Runtime.install({ logger: new DefaultLogger('WARN') });

const DB = 'perf_test_crash';
const ROOT = join(__dirname, '../..');
let env: TestWorkflowEnvironment;
let pool: Pool;
let dbUrl: string;
let storeUrl: string;
let target: TargetProfile;
let doomed: ChildProcess | null = null;

const item: PlanItem = {
  id: 'idx-crash-items-v',
  layer: 'database',
  rootCause: 'missing_index',
  title: 'Missing index on crash.items (v)',
  evidence: [],
  estimatedLatencyReductionMs: 1,
  effortDays: 0.5,
  risk: 'low',
  action: { type: 'create_index', schema: 'crash', table: 'items', columns: [{ name: 'v' }], indexName: 'perf_crash_items_v_idx' },
  rollback: 'DROP INDEX CONCURRENTLY crash.perf_crash_items_v_idx',
  source: 'test',
  impactScore: 1,
  estimatedGainPct: 1,
  automatic: true,
};

const buildBackends = async () =>
  (
    await pool.query(
      `SELECT pid FROM pg_stat_activity WHERE datname = $1 AND query ILIKE 'CREATE INDEX CONCURRENTLY%perf_crash_items_v_idx%'
          AND state = 'active' AND pid <> pg_backend_pid()`,
      [DB],
    )
  ).rows;

before(async () => {
  env = await startTemporal();
  dbUrl = await testDatabase(DB);
  storeUrl = await testDatabase(`${DB}_store`);
  pool = await testPool(DB);
  await pool.query(`DROP SCHEMA IF EXISTS crash CASCADE; CREATE SCHEMA crash;
    CREATE TABLE crash.items (id int PRIMARY KEY, v int NOT NULL);
    INSERT INTO crash.items SELECT g, g % 1000 FROM generate_series(1, 50000) g;`);
  target = parseTargetProfile({
    name: 'crash',
    http: { baseUrl: 'http://127.0.0.1:9', endpoints: [{ name: 'home', path: '/' }] },
    database: { urlEnv: 'CRASH_DATABASE_URL', schemas: ['crash'] },
    targets: { p95Ms: 100, p99Ms: 200, throughputRps: 10 },
    actions: { lockTimeoutMs: 60_000 },
  });
});

after(async () => {
  doomed?.kill('SIGKILL');
  await pool?.query('DROP SCHEMA IF EXISTS crash CASCADE').catch(() => undefined);
  await pool?.end();
  await env?.teardown();
});

test('a worker killed during an index build: the retry owns the index, rollback removes it', async () => {
  let log = '';
  doomed = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'worker/main.ts')], {
    cwd: ROOT,
    env: { ...process.env, TEMPORAL_ADDRESS: env.address, PERF_STORE_URL: storeUrl, CRASH_DATABASE_URL: dbUrl },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  doomed.stdout!.on('data', (d) => (log += d));
  doomed.stderr!.on('data', (d) => (log += d));
  await eventually('the worker process', async () => (log.includes('worker serving') ? true : undefined), 120_000);

  // Another session holds the lock CREATE INDEX CONCURRENTLY needs: the build waits.
  const blocker = await pool.connect();
  await blocker.query('BEGIN');
  await blocker.query('LOCK TABLE crash.items IN SHARE UPDATE EXCLUSIVE MODE');
  const handle = await env.client.workflow.start(optimizationWorkflow, {
    taskQueue: TASK_QUEUE,
    workflowId: `crash-${Date.now()}`,
    args: [{ target, items: [item] }],
  });
  const [backend] = await eventually('the build waiting on the lock', async () =>
    (await buildBackends()).length ? buildBackends() : undefined,
  );
  doomed.kill('SIGKILL');
  // The dead worker's build does not go on unowned (client_connection_check_interval).
  await eventually(
    'the orphaned build to stop',
    async () => ((await buildBackends()).some((b) => b.pid === backend.pid) ? undefined : true),
    15_000,
  );
  await blocker.query('ROLLBACK');
  blocker.release();

  // A second worker takes the retry once the first attempt's heartbeat times out.
  const workers = await createWorkers({
    connection: env.nativeConnection as NativeConnection,
    namespace: env.namespace ?? 'default',
    storeUrl,
    env: { CRASH_DATABASE_URL: dbUrl },
    workflowBundle: await workflowBundle(),
  });
  const running = workers.run();
  try {
    const result = await handle.result();
    assert.equal(result.failed, null);
    assert.deepEqual(result.applied[0].undo, { type: 'drop_index', schema: 'crash', indexName: 'perf_crash_items_v_idx' });
    const valid = await pool.query(`SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = $1`, [
      'perf_crash_items_v_idx',
    ]);
    assert.deepEqual(valid.rows, [{ indisvalid: true }]);

    const undone = await env.client.workflow.execute(rollbackChangesWorkflow, {
      taskQueue: TASK_QUEUE,
      workflowId: `${handle.workflowId}:rollback`,
      args: [{ target, changes: result.applied, reason: 'test' }],
    });
    assert.deepEqual(
      undone.map((r) => r.ok),
      [true],
    );
    const left = await pool.query(`SELECT 1 FROM pg_class WHERE relname = 'perf_crash_items_v_idx'`);
    assert.equal(left.rowCount, 0, 'the index is gone after the rollback');
  } finally {
    workers.shutdown();
    await running;
    await workers.close();
  }
});
