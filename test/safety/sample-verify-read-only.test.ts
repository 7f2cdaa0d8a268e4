// The advisor's verification by sample (GIN/GiST candidates) copies rows into a TEMPORARY table and
// builds the index there, in a transaction that is rolled back: the real table, its indexes and the
// catalog are as they were afterwards, no temporary object is left, statements are EXPLAINed and never
// run (a statement that would write through a function writes nothing), and statement_timeout cuts a
// verification that runs too long (the candidate is then rejected with the reason).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pool } from 'pg';
import { adviseIndexes } from '../../activities/skills/database-optimization-analyzer/advisor';
import { verifyOnSample } from '../../activities/skills/database-optimization-analyzer/advisor/sample-verify';
import { loadCatalog } from '../../activities/postgres/catalog';
import { ensureParser } from '../../activities/postgres/sql-parse';
import { testPool } from '../helpers/services';

const DB = 'perf_test_gin_safety';
let pool: Pool;

before(async () => {
  assert.ok(await ensureParser());
  pool = await testPool(DB);
  await pool.query(`
    DROP SCHEMA IF EXISTS gs CASCADE;
    CREATE SCHEMA gs;
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
    CREATE TABLE gs.docs (id int PRIMARY KEY, payload jsonb NOT NULL, body text NOT NULL, pad text);
    INSERT INTO gs.docs SELECT g, jsonb_build_object('tenant', g % 3000, 'n', g), repeat(md5(g::text), 12), repeat('p', 600)
      FROM generate_series(1, 20000) g;
    CREATE TABLE gs.audit (at timestamptz);
    CREATE FUNCTION gs.touch(x int) RETURNS boolean LANGUAGE plpgsql AS $$
      BEGIN INSERT INTO gs.audit VALUES (now()); RETURN x > 0; END $$;
  `);
  await pool.query('VACUUM ANALYZE gs.docs');
});

after(async () => {
  await pool?.end();
});

/** What must not change: the table's rows, its indexes, the non-temporary relations of the database. */
async function snapshot(): Promise<unknown> {
  const { rows } = await pool.query(`
    SELECT (SELECT md5(string_agg(d::text, ',' ORDER BY id)) FROM gs.docs d) AS data,
           (SELECT array_agg(indexrelid::regclass::text ORDER BY 1) FROM pg_index WHERE indrelid = 'gs.docs'::regclass) AS indexes,
           (SELECT count(*)::int FROM pg_class WHERE relpersistence <> 't') AS relations,
           (SELECT count(*)::int FROM pg_class WHERE relname LIKE 'perf_orch_sample%') AS leftovers,
           (SELECT count(*)::int FROM gs.audit) AS audit`);
  return rows[0];
}

const advise = (query: string, timeoutMs: number) =>
  adviseIndexes(
    pool,
    { schemas: ['gs'], statements: [{ queryid: '1', query, calls: 300, totalMs: 3000, rows: 3000 }] },
    { hypopgSchema: null },
    { sampleVerify: { enabled: true, maxRows: 50_000, timeoutMs } },
  );

test('verified on a sample: the real table, its indexes and the catalog are unchanged; nothing is run', async () => {
  const before = await snapshot();
  const r = await advise('SELECT id FROM gs.docs WHERE payload @> $1 AND gs.touch(id)', 20_000);
  const rec = r.recommendations.find((x) => x.method === 'gin');
  assert.ok(rec, `a gin proposal: ${JSON.stringify(r.rejected)} ${r.notes.join(' | ')}`);
  assert.equal(rec.verifiedBy, 'sample');
  assert.equal(rec.sample?.rows, 20_000);
  assert.deepEqual(await snapshot(), before);
  assert.equal((before as { audit: number }).audit, 0, 'the function never ran: EXPLAIN only');
});

test('a verification past its statement_timeout is cut: rejected with the reason, nothing left', async () => {
  const before = await snapshot();
  const started = Date.now();
  const r = await advise("SELECT id FROM gs.docs WHERE body ILIKE '%abc%'", 100);
  assert.equal(r.recommendations.length, 0);
  assert.match(JSON.stringify(r.rejected), /the verification on a sample failed: canceling statement due to statement timeout/);
  assert.ok(Date.now() - started < 10_000);
  assert.deepEqual(await snapshot(), before);
});

test("the sample has the table's existing indexes: the plan without the new index is the table's own", async () => {
  const before = await snapshot();
  const table = (await loadCatalog(pool, ['gs'], ['docs'])).get('gs', 'docs')!;
  const cand = {
    schema: 'gs',
    table: 'docs',
    method: 'gin' as const,
    keys: [{ name: 'payload', opclass: 'jsonb_path_ops' }],
    eqCount: 0,
    include: [],
  };
  const r = await verifyOnSample(
    pool,
    table,
    cand,
    [{ text: 'SELECT id FROM gs.docs d WHERE d.id = $1 AND d.payload @> $2', nParams: 2 }],
    {
      enabled: true,
      maxRows: 5000,
      timeoutMs: 20_000,
    },
  );
  assert.equal(r.rows, 5000);
  assert.match(r.plans[0]!.planBefore, /Index Scan using docs_pkey on perf_orch_sample/);
  assert.equal(r.plans[0]!.used, false, 'the primary key finds the row: the gin index is not used');
  assert.deepEqual(await snapshot(), before);
});
