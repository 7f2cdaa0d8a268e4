// Query rewrites run the window's statements and their rewrites on the target: a statement that would
// write (through a function with side effects) is refused by the READ ONLY transaction and leaves the
// data as it was; one that runs too long is cut by statement_timeout. Either way the rewrite is reported
// as not measured, with the reason, and nothing is proven; the same for a list with a wide column.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pool } from 'pg';
import { ensureParser } from '../../activities/postgres/sql-parse';
import { collectRewrites } from '../../activities/skills/database-optimization-analyzer/rewrites';
import { testPool } from '../helpers/services';

const DB = 'perf_test_rewrites_safety';
let pool: Pool;

const COUNT = (where: string) =>
  `select count(distinct "t"."id") as "count" from "rws"."t" left join "rws"."u" on "u"."id" = "t"."u_id" where ${where}`;
const OPTS = {
  statementTimeout: '500ms',
  lockTimeout: '200ms',
  max: 10,
  minOffset: 1000,
  wideMinWidth: 500,
  wideMinRowsPerCall: 10,
  schemas: ['rws'],
};

before(async () => {
  assert.ok(await ensureParser());
  pool = await testPool(DB);
  await pool.query(`
    DROP SCHEMA IF EXISTS rws CASCADE;
    CREATE SCHEMA rws;
    CREATE TABLE rws.u (id int PRIMARY KEY);
    CREATE TABLE rws.t (id int PRIMARY KEY, u_id int);
    CREATE TABLE rws.audit (at timestamptz);
    CREATE TABLE rws.w (id int PRIMARY KEY, body text NOT NULL);
    INSERT INTO rws.w SELECT g, repeat(md5(g::text), 20) FROM generate_series(1, 20) g;
    ANALYZE rws.w;
    INSERT INTO rws.u SELECT g FROM generate_series(1, 100) g;
    INSERT INTO rws.t SELECT g, 1 + g % 100 FROM generate_series(1, 1000) g;
    CREATE FUNCTION rws.touch(x int) RETURNS boolean LANGUAGE plpgsql AS $$
      BEGIN INSERT INTO rws.audit VALUES (now()); RETURN x > 0; END $$;
  `);
});

after(async () => {
  await pool?.end();
});

test('a statement that would write through a function is refused READ ONLY: nothing written, nothing proven', async () => {
  const notes: string[] = [];
  const [r] = await collectRewrites(
    pool,
    [{ queryid: '1', query: COUNT('rws.touch("t"."id")'), calls: 10, totalMs: 100 }],
    new Map(),
    OPTS,
    notes,
  );
  assert.equal(r.kind, 'count_over_joins', 'the rewrite itself is proposed');
  assert.equal(r.measured, null);
  assert.match(r.problem ?? '', /not measured: .*read-only transaction/);
  const { rows } = await pool.query('SELECT count(*)::int AS n FROM rws.audit');
  assert.equal(rows[0].n, 0, 'the function wrote nothing');
});

test('a statement that runs past statement_timeout is cut: not measured, the reason given', async () => {
  const notes: string[] = [];
  const started = Date.now();
  const query = COUNT('"t"."id" > 0 and pg_sleep(0.01) is not null');
  const [r] = await collectRewrites(pool, [{ queryid: '2', query, calls: 10, totalMs: 100 }], new Map(), OPTS, notes);
  assert.equal(r.measured, null);
  assert.match(r.problem ?? '', /statement timeout/);
  assert.ok(Date.now() - started < 5_000, 'cut after 500 ms, not after 1000 x 10 ms per run');
});

test('a list returning a wide column whose select list would write: refused READ ONLY while measured, nothing written', async () => {
  const query = 'select "w".*, rws.touch("w"."id") as "t" from "rws"."w"';
  const [r] = await collectRewrites(pool, [{ queryid: '3', query, calls: 2, totalMs: 10, rows: 40 }], new Map(), OPTS, []);
  assert.equal(r.kind, 'wide_columns', 'body (640 bytes a value) is dropped from the list');
  assert.equal(r.measured, null);
  assert.match(r.problem ?? '', /not measured: .*read-only transaction/);
  const { rows } = await pool.query('SELECT count(*)::int AS n FROM rws.audit');
  assert.equal(rows[0].n, 0, 'the function wrote nothing');
});
