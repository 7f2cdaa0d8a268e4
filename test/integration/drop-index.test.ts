// dropIndexForPlan / recreateIndex against a real PostgreSQL: an unused index is dropped concurrently
// and its rollback re-creates exactly the definition read before the drop; indexes that enforce
// something, changed indexes, wrong tables and tampered definitions are refused; a lock timeout
// leaves the index (or nothing) behind.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pool } from 'pg';
import { dropIndexForPlan, recreateIndex, type DropIndexAction, type RecreateIndexUndo } from '../../activities/actions/drop-index';
import { isFailure } from '../helpers/failures';
import { testPool } from '../helpers/services';

// Its own database: concurrent index DDL waits for old snapshots of its whole database.
const DB = 'perf_test_dropidx';
const S = 'drop_test';
const opts = { lockTimeoutMs: 2_000, statementTimeoutMs: 60_000 };

let pool: Pool;
let other: Pool;

const drop = (indexName: string, definition: string, table = 'items'): DropIndexAction => ({
  type: 'drop_index',
  schema: S,
  table,
  indexName,
  definition,
});

async function definitionOf(name: string): Promise<{ def: string; valid: boolean } | null> {
  const { rows } = await pool.query(
    `SELECT pg_get_indexdef(c.oid) AS def, i.indisvalid AS valid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_index i ON i.indexrelid = c.oid WHERE n.nspname = $1 AND c.relname = $2`,
    [S, name],
  );
  return rows[0] ?? null;
}

before(async () => {
  pool = await testPool(DB);
  other = await testPool(DB);
  await pool.query(`DROP SCHEMA IF EXISTS ${S} CASCADE`);
  await pool.query(`
    CREATE SCHEMA ${S};
    CREATE TABLE ${S}.items (id serial PRIMARY KEY, code text NOT NULL, price int NOT NULL, deleted_at timestamptz,
      CONSTRAINT items_code_key UNIQUE (code));
    INSERT INTO ${S}.items (code, price) SELECT 'c' || g, g % 997 FROM generate_series(1, 20000) g;
    CREATE TABLE ${S}.other (id int PRIMARY KEY, price int);
    CREATE UNIQUE INDEX items_price_id_uq ON ${S}.items (price, id);
    ANALYZE ${S}.items;
  `);
});

after(async () => {
  await other?.end();
  await pool?.end();
});

test('an unused index is dropped concurrently; its rollback re-creates the same definition; again, or over another index of its name, is a no-op', async () => {
  await pool.query(`CREATE INDEX items_price_live_idx ON ${S}.items (price DESC) INCLUDE (code) WHERE deleted_at IS NULL`);
  const before = (await definitionOf('items_price_live_idx'))!.def;
  const r = await dropIndexForPlan(pool, drop('items_price_live_idx', before), opts);
  assert.equal(r.definition, before);
  assert.match(r.details, /dropped index drop_test\.items_price_live_idx concurrently/);
  assert.equal(await definitionOf('items_price_live_idx'), null);

  const undo: RecreateIndexUndo = {
    type: 'recreate_index',
    schema: S,
    table: 'items',
    indexName: 'items_price_live_idx',
    definition: r.definition!,
  };
  const back = await recreateIndex(pool, undo, opts);
  assert.match(
    back.details,
    /re-created index drop_test\.items_price_live_idx concurrently .*CREATE INDEX CONCURRENTLY IF NOT EXISTS items_price_live_idx/,
  );
  assert.deepEqual(await definitionOf('items_price_live_idx'), { def: before, valid: true });
  const again = await recreateIndex(pool, undo, opts);
  assert.match(again.skipped ?? '', /already re-created: index drop_test\.items_price_live_idx exists again/);

  // Someone built another index of that name since: the rollback leaves it as it is.
  await pool.query(`DROP INDEX ${S}.items_price_live_idx`);
  await pool.query(`CREATE INDEX items_price_live_idx ON ${S}.items (code)`);
  const theirs = (await definitionOf('items_price_live_idx'))!.def;
  const mine = await recreateIndex(pool, undo, opts);
  assert.match(mine.skipped ?? '', /left as it is: an index drop_test\.items_price_live_idx with another definition exists now/);
  assert.equal((await definitionOf('items_price_live_idx'))!.def, theirs);

  // Dropping one that is already gone does nothing and leaves nothing to undo.
  await pool.query(`DROP INDEX ${S}.items_price_live_idx`);
  const gone = await dropIndexForPlan(pool, drop('items_price_live_idx', before), opts);
  assert.equal(gone.definition, null);
  assert.match(gone.details, /no longer exists; nothing to drop/);
});

test('indexes that enforce something are never dropped: primary key, unique constraint, unique index', async () => {
  const cases: [string, RegExp][] = [
    ['items_pkey', /enforces the primary key/],
    ['items_code_key', /enforces constraint items_code_key/],
    ['items_price_id_uq', /enforces uniqueness/],
  ];
  for (const [name, why] of cases) {
    const def = (await definitionOf(name))!.def;
    await assert.rejects(dropIndexForPlan(pool, drop(name, def), opts), isFailure('BadPlan', true, why));
    assert.ok(await definitionOf(name), `${name} is still there`);
  }
});

test('refused: another table than the plan says, a definition changed since the analysis, a relation that is not an index', async () => {
  await pool.query(`CREATE INDEX items_price_idx ON ${S}.items (price)`);
  try {
    const def = (await definitionOf('items_price_idx'))!.def;
    await assert.rejects(
      dropIndexForPlan(pool, drop('items_price_idx', def, 'other'), opts),
      isFailure('BadPlan', true, /is on drop_test\.items, not on drop_test\.other/),
    );
    await assert.rejects(
      dropIndexForPlan(pool, drop('items_price_idx', def.replace('(price)', '(price, code)')), opts),
      isFailure('BadPlan', true, /changed since the analysis .*run the analysis again/),
    );
    await assert.rejects(dropIndexForPlan(pool, drop('items', def), opts), isFailure('BadPlan', true, /it is not an index/));
    assert.ok(await definitionOf('items_price_idx'));
  } finally {
    await pool.query(`DROP INDEX ${S}.items_price_idx`);
  }
});

test('a lock timeout leaves the index in place (the drop retries); a re-create that times out leaves nothing behind', async () => {
  await pool.query(`CREATE INDEX items_deleted_idx ON ${S}.items (deleted_at)`);
  const def = (await definitionOf('items_deleted_idx'))!.def;
  const blocker = await other.connect();
  try {
    await blocker.query('BEGIN');
    await blocker.query(`LOCK TABLE ${S}.items IN ACCESS EXCLUSIVE MODE`);
    await assert.rejects(
      dropIndexForPlan(pool, drop('items_deleted_idx', def), { lockTimeoutMs: 300, statementTimeoutMs: 30_000 }),
      isFailure('LockTimeout', false),
    );
  } finally {
    await blocker.query('ROLLBACK');
    blocker.release();
  }
  assert.ok(await definitionOf('items_deleted_idx'), 'still there');
  await dropIndexForPlan(pool, drop('items_deleted_idx', def), opts);
  const undo: RecreateIndexUndo = { type: 'recreate_index', schema: S, table: 'items', indexName: 'items_deleted_idx', definition: def };
  const holder = await other.connect();
  try {
    await holder.query('BEGIN');
    await holder.query(`LOCK TABLE ${S}.items IN ACCESS EXCLUSIVE MODE`);
    await assert.rejects(
      recreateIndex(pool, undo, { lockTimeoutMs: 300, statementTimeoutMs: 30_000 }),
      isFailure('LockTimeout', false, /nothing was left behind/),
    );
  } finally {
    await holder.query('ROLLBACK');
    holder.release();
  }
  assert.equal(await definitionOf('items_deleted_idx'), null);
  await recreateIndex(pool, undo, opts);
  assert.equal((await definitionOf('items_deleted_idx'))?.valid, true);
  await pool.query(`DROP INDEX ${S}.items_deleted_idx`);
});

test('a saved definition that is not exactly that index on that table is refused, nothing is run', async () => {
  const undo = (definition: string, indexName = 'x_idx'): RecreateIndexUndo => ({
    type: 'recreate_index',
    schema: S,
    table: 'items',
    indexName,
    definition,
  });
  const refused = isFailure('BadPlan', true, /is not CREATE INDEX x_idx ON drop_test\.items/);
  await assert.rejects(
    recreateIndex(pool, undo(`CREATE INDEX x_idx ON ${S}.items USING btree (price); DROP TABLE ${S}.other`), opts),
    refused,
  );
  await assert.rejects(recreateIndex(pool, undo(`CREATE INDEX x_idx ON ${S}.other USING btree (price)`), opts), refused);
  await assert.rejects(recreateIndex(pool, undo(`CREATE INDEX y_idx ON ${S}.items USING btree (price)`), opts), refused);
  await assert.rejects(recreateIndex(pool, undo(`DROP TABLE ${S}.other`), opts), refused);
  const { rowCount } = await pool.query(`SELECT 1 FROM pg_tables WHERE schemaname = $1 AND tablename = 'other'`, [S]);
  assert.equal(rowCount, 1);
  assert.equal(await definitionOf('x_idx'), null);
});
