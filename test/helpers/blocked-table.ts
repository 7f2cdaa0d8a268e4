// A table held by an old reader, for the tests of index changes that must never leave an INVALID index
// behind (test/safety/index-leftover, drop-restore): a schema with one 50,000-row table, a target on
// it, a real worker and Temporal server; the blocker (a REPEATABLE READ transaction that read the
// table and stays open), writers that must never wait, and the catalog's view of an index.
import assert from 'node:assert/strict';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowHandle } from '@temporalio/client';
import type { Pool, PoolClient } from 'pg';
import { parseTargetProfile, type TargetProfile } from '../../common/profile';
import { testDatabase, testPool } from './services';
import { startTemporal, startWorkers, type RunningWorkers } from './temporal';
import { eventually } from './eventually';

export interface BlockedTable {
  env: TestWorkflowEnvironment;
  pool: Pool;
  target: TargetProfile;
}

export function blockedTableHarness(schema: string) {
  const db = `perf_test_${schema}_idx`;
  let started: BlockedTable & { workers: RunningWorkers };
  const pool = () => started.pool;

  async function start(): Promise<BlockedTable> {
    const env = await startTemporal();
    const dbUrl = await testDatabase(db);
    const p = await testPool(db);
    await p.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE; CREATE SCHEMA ${schema};
      CREATE TABLE ${schema}.items (id int PRIMARY KEY, v int NOT NULL, w int NOT NULL);
      INSERT INTO ${schema}.items SELECT g, g % 1000, g % 77 FROM generate_series(1, 50000) g;`);
    const urlEnv = `${schema.toUpperCase()}_DATABASE_URL`;
    const target = parseTargetProfile({
      name: schema,
      http: { baseUrl: 'http://127.0.0.1:9', endpoints: [{ name: 'home', path: '/' }] },
      database: { urlEnv, schemas: [schema] },
      targets: { p95Ms: 100, p99Ms: 200, throughputRps: 10 },
      actions: { lockTimeoutMs: 500 },
    });
    const workers = await startWorkers(env, { storeUrl: await testDatabase(`perf_test_${schema}_store`), env: { [urlEnv]: dbUrl } });
    started = { env, pool: p, target, workers };
    return started;
  }

  async function stop(): Promise<void> {
    if (!started) return;
    await started.workers.stop();
    await started.pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await started.pool.end();
    await started.env.teardown();
  }

  /** The catalog's view of an index of the schema: null when there is none of that name. */
  async function indexRow(name: string): Promise<{ valid: boolean; ready: boolean; def: string } | null> {
    const { rows } = await pool().query(
      `SELECT i.indisvalid AS valid, i.indisready AS ready, pg_get_indexdef(c.oid) AS def FROM pg_index i
         JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relname = $2`,
      [schema, name],
    );
    return rows[0] ?? null;
  }

  /** The blocker: a REPEATABLE READ transaction that read the table and stays open. */
  async function openReader(): Promise<PoolClient> {
    const c = await pool().connect();
    await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
    await c.query(`SELECT count(*) FROM ${schema}.items`);
    return c;
  }

  async function endReader(c: PoolClient): Promise<void> {
    await c.query('ROLLBACK');
    c.release();
  }

  /**
   * Writers are never blocked: while `going()`, INSERTs and UPDATEs on the table back to back, each
   * answering within 300 ms (a DROP waiting on the table's lock would hold them for its lock_timeout, 500 ms).
   */
  async function writersProceed(going: () => boolean): Promise<{ writes: number; slowest: number }> {
    let slowest = 0;
    let writes = 0;
    while (going()) {
      const t0 = Date.now();
      await pool().query(`INSERT INTO ${schema}.items SELECT max(id) + 1, 1, 1 FROM ${schema}.items`);
      await pool().query(`UPDATE ${schema}.items SET v = v + 1 WHERE id = 1`);
      slowest = Math.max(slowest, Date.now() - t0);
      writes += 2;
    }
    assert.ok(slowest < 300, `a write took ${slowest} ms (${writes} writes)`);
    return { writes, slowest };
  }

  return { db, start, stop, indexRow, openReader, endReader, writersProceed };
}

/** `going()` for `ms` from now. */
export function forMs(ms: number): () => boolean {
  const until = Date.now() + ms;
  return () => Date.now() < until;
}

/** Waits until an activity of the workflow has failed for good (all its attempts spent). */
export async function activityGaveUp(handle: WorkflowHandle, activityType: string): Promise<void> {
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
