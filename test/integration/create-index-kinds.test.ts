// createIndex and its rollback for the index kinds beyond plain btree columns, against a real
// PostgreSQL: an expression key with an operator class, a gin index; keys that are not what they
// claim to be are refused before any SQL is sent; the rollback drops only the index the run built.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pool } from 'pg';
import { createIndex, type CreateIndexAction } from '../../activities/actions/create-index';
import { dropOwnIndex } from '../../activities/actions/undo-index';
import { isFailure } from '../helpers/failures';
import { testPool } from '../helpers/services';

const DB = 'perf_test_dbskill_idxkinds';
const S = 'idx_kinds';
const opts = { lockTimeoutMs: 2_000, statementTimeoutMs: 60_000 };
let pool: Pool;

const action = (indexName: string, columns: CreateIndexAction['columns'], extra: Partial<CreateIndexAction> = {}): CreateIndexAction => ({
  type: 'create_index',
  schema: S,
  table: 'docs',
  columns,
  indexName,
  ...extra,
});

async function indexDef(name: string): Promise<string | null> {
  const { rows } = await pool.query(`SELECT indexdef FROM pg_indexes WHERE schemaname = $1 AND indexname = $2`, [S, name]);
  return rows[0]?.indexdef ?? null;
}

async function planOf(sql: string): Promise<string> {
  const { rows } = await pool.query(`EXPLAIN ${sql}`);
  return rows.map((r) => r['QUERY PLAN']).join('\n');
}

before(async () => {
  pool = await testPool(DB);
  await pool.query(`DROP SCHEMA IF EXISTS ${S} CASCADE`);
  await pool.query(`
    CREATE SCHEMA ${S};
    CREATE TABLE ${S}.docs (id int PRIMARY KEY, email text NOT NULL, payload jsonb NOT NULL);
    INSERT INTO ${S}.docs SELECT g, 'User' || g || '@Example.com', jsonb_build_object('kind', g % 500, 'n', g) FROM generate_series(1, 40000) g;
    ANALYZE ${S}.docs;
  `);
});

after(async () => {
  await pool?.end();
});

test('an expression key with an operator class: built, used by a prefix LIKE on the expression, rolled back once', async () => {
  const query = `SELECT id FROM ${S}.docs WHERE lower(email) LIKE 'user123%'`;
  assert.doesNotMatch(await planOf(query), /Index/);
  const a = action('perf_docs_lower_email_idx', [{ name: 'lower(email)', expression: true, opclass: 'text_pattern_ops' }]);
  const r = await createIndex(pool, a, opts);
  assert.match(r.details, /\(lower\(email\) text_pattern_ops\)/);
  assert.match((await indexDef(a.indexName))!, /USING btree \(lower\(email\) text_pattern_ops\)/);
  assert.match(await planOf(query), /perf_docs_lower_email_idx/);

  const undo = { schema: S, indexName: a.indexName };
  assert.match((await dropOwnIndex(pool, undo, a, opts)).details, /dropped index/);
  assert.equal(await indexDef(a.indexName), null);
  assert.match((await dropOwnIndex(pool, undo, a, opts)).details, /already dropped/);
});

test('a gin index with an operator class: built, used by containment, rolled back', async () => {
  const query = `SELECT id FROM ${S}.docs WHERE payload @> '{"kind": 7}'`;
  const a = action('perf_docs_payload_idx', [{ name: 'payload', opclass: 'jsonb_path_ops' }], { method: 'gin' });
  const r = await createIndex(pool, a, opts);
  assert.match(r.details, /USING gin payload jsonb_path_ops/);
  assert.match((await indexDef(a.indexName))!, /USING gin \(payload jsonb_path_ops\)/);
  assert.match(await planOf(query), /Bitmap Index Scan on perf_docs_payload_idx/);
  await dropOwnIndex(pool, { schema: S, indexName: a.indexName }, a, opts);
  assert.equal(await indexDef(a.indexName), null);
});

test('the rollback leaves an index of the same name that differs in method or operator class', async () => {
  await pool.query(`CREATE INDEX perf_docs_email_idx ON ${S}.docs (email)`);
  const ours = action('perf_docs_email_idx', [{ name: 'email', opclass: 'text_pattern_ops' }]);
  const r = await dropOwnIndex(pool, { schema: S, indexName: ours.indexName }, ours, opts);
  assert.match(r.skipped ?? '', /operator classes are \(default\), the run built \(text_pattern_ops\)/);
  const gin = action('perf_docs_email_idx', [{ name: 'email' }], { method: 'gin' });
  assert.match(
    (await dropOwnIndex(pool, { schema: S, indexName: gin.indexName }, gin, opts)).skipped ?? '',
    /btree index, the run built a gin/,
  );
  assert.ok(await indexDef('perf_docs_email_idx'));
  await pool.query(`DROP INDEX ${S}.perf_docs_email_idx`);
});

test('keys that are not a column, one expression or a plain operator class are refused before any SQL', async () => {
  const refused: [CreateIndexAction, RegExp][] = [
    [action('perf_a_idx', [{ name: '(SELECT 1)', expression: true }]), /columns\[0\]\.name is not an index expression: it holds a SubLink/],
    [action('perf_b_idx', [{ name: 'email)); DROP TABLE idx_kinds.docs; --', expression: true }]), /is not an index expression/],
    [action('perf_c_idx', [{ name: 'lower($1)', expression: true }]), /it holds a ParamRef/],
    [action('perf_d_idx', [{ name: 'email', opclass: 'text_pattern_ops; DROP' }]), /columns\[0\]\.opclass must be an operator class name/],
    [action('perf_e_idx', [{ name: 'payload', desc: true }], { method: 'gin' }), /a gin index has no order \(remove desc\)/],
    [action('perf_f_idx', [{ name: 'payload' }], { method: 'gin', include: ['id'] }), /a gin index has no INCLUDE columns/],
    [action('perf_g_idx', [{ name: 'payload' }], { method: 'hash' as 'gin' }), /method must be one of btree, gin, gist, got hash/],
  ];
  for (const [a, message] of refused) {
    await assert.rejects(createIndex(pool, a, opts), isFailure('BadPlan', true, message), a.indexName);
    assert.equal(await indexDef(a.indexName), null);
  }
  const { rows } = await pool.query(`SELECT count(*)::int AS n FROM ${S}.docs`);
  assert.equal(rows[0].n, 40000);
});
