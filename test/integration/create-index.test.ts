// createIndex / dropIndex against a real PostgreSQL: the plan uses the index, failures leave nothing
// behind (valid or INVALID), pre-existing indexes are not ours, builds are serialized.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pool, PoolClient } from 'pg';
import { INDEX_BUILD_LOCK_KEY, createIndex, dropIndex, type CreateIndexAction } from '../../activities/actions/create-index';
import { isFailure } from '../helpers/failures';
import { testPool } from '../helpers/services';

// Its own database: CREATE INDEX CONCURRENTLY waits for old snapshots of its whole database, so the
// other database tests must not share it.
const DB = 'perf_test_dbskill_idx';
const S = 'idx_test';
const opts = { lockTimeoutMs: 2_000, statementTimeoutMs: 60_000 };

let pool: Pool;
let other: Pool; // the "other sessions" that get in the way

const action = (indexName: string, columns: CreateIndexAction['columns'], table = 'items'): CreateIndexAction => ({
  type: 'create_index',
  schema: S,
  table,
  columns,
  indexName,
});

async function indexRow(name: string): Promise<{ valid: boolean } | null> {
  const { rows } = await pool.query(
    `SELECT i.indisvalid AS valid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_index i ON i.indexrelid = c.oid WHERE n.nspname = $1 AND c.relname = $2`,
    [S, name],
  );
  return rows[0] ?? null;
}

async function planOf(sql: string): Promise<string> {
  const { rows } = await pool.query(`EXPLAIN ${sql}`);
  return rows.map((r) => r['QUERY PLAN']).join('\n');
}

before(async () => {
  pool = await testPool(DB);
  other = await testPool(DB);
  await pool.query(`DROP SCHEMA IF EXISTS ${S} CASCADE`);
  await pool.query(`
    CREATE SCHEMA ${S};
    CREATE TABLE ${S}.items (id serial PRIMARY KEY, category_id int NOT NULL, code text NOT NULL, created_at timestamptz NOT NULL);
    INSERT INTO ${S}.items (category_id, code, created_at)
      SELECT 1 + g % 50, 'code' || (g % 1000), now() - g * interval '1 minute' FROM generate_series(1, 50000) g;
    CREATE TABLE ${S}."Mixed Case" ("Weird ""Col""" int, v int);
    INSERT INTO ${S}."Mixed Case" SELECT g, g FROM generate_series(1, 1000) g;
    ANALYZE ${S}.items;
  `);
});

after(async () => {
  await other?.end();
  await pool?.end();
});

test('createIndex builds a valid index the plan uses; again is a no-op; dropIndex removes it', async () => {
  const query = `SELECT id FROM ${S}.items WHERE category_id = 7 ORDER BY created_at DESC LIMIT 20`;
  assert.match(await planOf(query), /Seq Scan on items/);
  const a = action('perf_items_category_id_created_at_idx', [{ name: 'category_id' }, { name: 'created_at', desc: true }]);

  const r = await createIndex(pool, a, opts);
  assert.match(
    r.details,
    /created index idx_test\.perf_items_category_id_created_at_idx on idx_test\.items \(category_id, created_at DESC\)/,
  );
  assert.match(r.details, /analyzed/);
  assert.equal(r.preExisting, undefined);
  assert.deepEqual(await indexRow(a.indexName), { valid: true });
  const { rows } = await pool.query(`SELECT indexdef FROM pg_indexes WHERE schemaname = $1 AND indexname = $2`, [S, a.indexName]);
  assert.match(rows[0].indexdef, /\(category_id, created_at DESC\)/);
  assert.match(await planOf(query), /Index Scan using perf_items_category_id_created_at_idx on items/);

  const again = await createIndex(pool, a, opts);
  assert.equal(again.preExisting, true);
  assert.match(again.details, /already existed and is valid/);
  // A retry whose earlier attempt started this build (its worker died) owns the index it finds, and
  // tells its predecessor's successors before it builds.
  let told = 0;
  const retry = await createIndex(pool, a, opts, { earlierAttemptBuilt: true, onBuildStart: () => told++ });
  assert.equal(retry.preExisting, false);
  assert.match(retry.details, /built by an earlier attempt of this change/);
  assert.equal(told, 0, 'nothing new was built');

  const d = await dropIndex(pool, S, a.indexName, opts);
  assert.match(d.details, /dropped index/);
  assert.equal(await indexRow(a.indexName), null);
  assert.match(await planOf(query), /Seq Scan on items/);
  assert.match((await dropIndex(pool, S, a.indexName, opts)).details, /did not exist/);
});

test('identifiers are quoted: mixed case, spaces and quotes in names', async () => {
  const a = action('perf "odd" idx', [{ name: 'Weird "Col"', desc: true }], 'Mixed Case');
  await createIndex(pool, a, opts);
  assert.deepEqual(await indexRow('perf "odd" idx'), { valid: true });
  await dropIndex(pool, S, 'perf "odd" idx', opts);
  assert.equal(await indexRow('perf "odd" idx'), null);
});

test('unknown columns or tables are non-retryable bad plans', async () => {
  await assert.rejects(
    createIndex(pool, action('perf_items_nope_idx', [{ name: 'category_id' }, { name: 'nope' }]), opts),
    isFailure('BadPlan', true, /column\(s\) nope do not exist; the table has: category_id, code, created_at, id/),
  );
  await assert.rejects(
    createIndex(pool, action('perf_x_idx', [{ name: 'id' }], 'no_such_table'), opts),
    isFailure('BadPlan', true, /table idx_test\.no_such_table does not exist/),
  );
  await assert.rejects(createIndex(pool, action('x'.repeat(64), [{ name: 'id' }]), opts), isFailure('BadPlan', true, /longer than 63/));
  await assert.rejects(createIndex(pool, action('perf_items_empty_idx', []), opts), isFailure('BadPlan', true, /no columns/));
  assert.equal(await indexRow('perf_items_nope_idx'), null);
});

test('lock timeout: a session holding ACCESS EXCLUSIVE makes the build fail, nothing is left behind', async () => {
  const blocker = await other.connect();
  try {
    await blocker.query('BEGIN');
    await blocker.query(`LOCK TABLE ${S}.items IN ACCESS EXCLUSIVE MODE`);
    const t0 = Date.now();
    await assert.rejects(
      createIndex(pool, action('perf_items_code_idx', [{ name: 'code' }]), { lockTimeoutMs: 300, statementTimeoutMs: 30_000 }),
      isFailure('LockTimeout', false, /lock timeout.*; no index was left behind/is),
    );
    assert.ok(Date.now() - t0 < 5_000, 'fails fast, by lock_timeout');
  } finally {
    await blocker.query('ROLLBACK');
    blocker.release();
  }
  assert.equal(await indexRow('perf_items_code_idx'), null);
});

/** An open REPEATABLE READ transaction: its old snapshot makes CREATE INDEX CONCURRENTLY wait at the end of the build. */
async function oldSnapshot(): Promise<PoolClient> {
  const c = await other.connect();
  await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
  await c.query('SELECT 1');
  return c;
}

test('lock timeout after the build started: the INVALID index is dropped', async () => {
  const holder = await oldSnapshot();
  try {
    await assert.rejects(
      createIndex(pool, action('perf_items_code_idx', [{ name: 'code' }]), { lockTimeoutMs: 500, statementTimeoutMs: 30_000 }),
      isFailure('LockTimeout', false, /INVALID leftover index was dropped, no index was left behind/),
    );
    assert.equal(await indexRow('perf_items_code_idx'), null, 'neither valid nor INVALID');
  } finally {
    await holder.query('ROLLBACK');
    holder.release();
  }
});

test('statement timeout during the build: non-retryable, the INVALID index is dropped', async () => {
  const holder = await oldSnapshot();
  try {
    await assert.rejects(
      createIndex(pool, action('perf_items_code_idx', [{ name: 'code' }]), { lockTimeoutMs: 20_000, statementTimeoutMs: 1_000 }),
      isFailure('IndexBuildTimeout', true, /statement_timeout 1000 ms.*INVALID leftover index was dropped, no index was left behind/s),
    );
    assert.equal(await indexRow('perf_items_code_idx'), null);
  } finally {
    await holder.query('ROLLBACK');
    holder.release();
  }
});

test('an INVALID leftover of the same name (failed UNIQUE build on duplicates) is dropped and rebuilt', async () => {
  await assert.rejects(
    pool.query(`CREATE UNIQUE INDEX CONCURRENTLY perf_items_code_idx ON ${S}.items (code)`),
    /could not create unique index/,
  );
  assert.deepEqual(await indexRow('perf_items_code_idx'), { valid: false });

  const r = await createIndex(pool, action('perf_items_code_idx', [{ name: 'code' }]), opts);
  assert.equal(r.preExisting, undefined, 'an INVALID index is not a pre-existing one');
  assert.match(r.details, /dropped an INVALID leftover/);
  assert.deepEqual(await indexRow('perf_items_code_idx'), { valid: true });
  const { rows } = await pool.query(`SELECT indexdef FROM pg_indexes WHERE schemaname = $1 AND indexname = 'perf_items_code_idx'`, [S]);
  assert.doesNotMatch(rows[0].indexdef, /UNIQUE/);
  await dropIndex(pool, S, 'perf_items_code_idx', opts);
});

test('builds are serialized by the advisory lock', async () => {
  const holder = await other.connect();
  await holder.query('SELECT pg_advisory_lock($1)', [INDEX_BUILD_LOCK_KEY]);
  let done = false;
  const build = createIndex(pool, action('perf_items_category_id_idx', [{ name: 'category_id' }]), opts).then((r) => {
    done = true;
    return r;
  });
  try {
    await new Promise((r) => setTimeout(r, 700));
    assert.equal(done, false, 'waits while another build holds the lock');
    assert.equal(await indexRow('perf_items_category_id_idx'), null);
  } finally {
    await holder.query('SELECT pg_advisory_unlock($1)', [INDEX_BUILD_LOCK_KEY]);
    holder.release();
  }
  const r = await build;
  assert.match(r.details, /created index/);
  await dropIndex(pool, S, 'perf_items_category_id_idx', opts);
  // The session settings do not leak into the pool.
  const c = await pool.connect();
  try {
    const { rows } = await c.query(`SELECT current_setting('lock_timeout') AS l, current_setting('statement_timeout') AS s`);
    assert.deepEqual(rows[0], { l: '0', s: '0' });
  } finally {
    c.release();
  }
});

test('INCLUDE columns, and the plans of the statements it was proposed for are checked after the build', async () => {
  const a: CreateIndexAction = {
    ...action('perf_items_category_id_created_at_inc_code_idx', [{ name: 'category_id' }, { name: 'created_at', desc: true }]),
    include: ['code'],
    verifyQueries: [
      `SELECT code FROM ${S}.items WHERE category_id = $1 ORDER BY created_at DESC LIMIT 20`,
      `UPDATE ${S}.items SET code = $2 WHERE category_id = $1 AND created_at = $3`,
    ],
  };
  const r = await createIndex(pool, a, opts);
  assert.match(r.details, /\(category_id, created_at DESC INCLUDE code\)/);
  assert.match(r.details, /the generic plan of all 2 statements it was proposed for uses it/);
  const { rows } = await pool.query(`SELECT indexdef FROM pg_indexes WHERE schemaname = $1 AND indexname = $2`, [S, a.indexName]);
  assert.match(rows[0].indexdef, /\(category_id, created_at DESC\) INCLUDE \(code\)/);
  assert.match(
    await planOf(`SELECT code FROM ${S}.items WHERE category_id = 3 ORDER BY created_at DESC LIMIT 20`),
    /Index Only Scan using perf_items_category_id_created_at_inc_code_idx/,
  );
  const { rows: items } = await pool.query(`SELECT count(*)::int AS n FROM ${S}.items WHERE code IS NULL`);
  assert.equal(items[0].n, 0, 'the UPDATE was planned, never run');
  await dropIndex(pool, S, a.indexName, opts);
  assert.equal(await indexRow(a.indexName), null);
});

test('a statement whose plan does not use the new index is reported; texts that are not one statement are not planned', async () => {
  const a: CreateIndexAction = {
    ...action('perf_items_code_idx', [{ name: 'code' }]),
    verifyQueries: [`SELECT id FROM ${S}.items WHERE category_id = $1`, `SELECT 1; DROP TABLE ${S}.items`],
  };
  const r = await createIndex(pool, a, opts);
  assert.match(r.details, /WARNING: only 0 of 1 statements it was proposed for use it in their generic plan/);
  assert.match(r.details, /not a single SELECT\/UPDATE\/DELETE: skipped/);
  const { rowCount } = await pool.query(`SELECT 1 FROM pg_tables WHERE schemaname = $1 AND tablename = 'items'`, [S]);
  assert.equal(rowCount, 1);
  await dropIndex(pool, S, a.indexName, opts);
  await assert.rejects(
    createIndex(pool, { ...action('perf_items_x_idx', [{ name: 'code' }]), include: ['nope'] }, opts),
    isFailure('BadPlan', true, /column\(s\) nope do not exist/),
  );
});
