import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diffSnapshots, isExcludedStatement, summarizeWindow, type PgssRow } from '../../activities/postgres/statistics';

const row = (queryid: string, query: string, calls: number, totalMs: number, rows = calls): PgssRow => ({
  queryid,
  query,
  calls,
  totalMs,
  rows,
  sharedBlksHit: calls * 10,
  sharedBlksRead: 0,
});

test('own, catalog and utility statements are excluded', () => {
  for (const q of [
    'SELECT queryid, query FROM public.pg_stat_statements WHERE dbid = $1',
    'SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace',
    'SELECT * FROM pg_catalog.pg_class',
    'SELECT * FROM information_schema.columns WHERE table_name = $1',
    'SELECT * FROM hypopg_create_index($1)',
    'EXPLAIN (FORMAT JSON) EXECUTE s(NULL)',
    'PREPARE s AS SELECT 1',
    'DEALLOCATE s',
    'SET statement_timeout = 5000',
    'BEGIN READ ONLY',
    'COMMIT',
    'ROLLBACK',
    '/* app */ BEGIN',
    'SELECT pg_advisory_lock($1)',
    'INSERT INTO perf_orchestrator.artifacts (run_id, kind, data) VALUES ($1, $2, $3) RETURNING id',
    '<insufficient privilege>',
    'SELECT current_database() AS db',
    'SELECT version(), current_setting($1) AS x',
    '',
  ]) {
    assert.equal(isExcludedStatement(q), true, q);
  }
  for (const q of [
    'SELECT id, name FROM products WHERE category_id = $1 ORDER BY created_at DESC LIMIT $2',
    'UPDATE orders SET status = $1 WHERE id = $2',
    'SELECT * FROM settings_history WHERE id = $1', // a user table that only looks like a catalog name
    'SELECT current_database(), count(*) FROM orders',
  ]) {
    assert.equal(isExcludedStatement(q), false, q);
  }
});

test('diff: the window figures, new statements in full, idle ones dropped', () => {
  const before = [row('1', 'SELECT a FROM t WHERE id = $1', 100, 50), row('2', 'SELECT b FROM u', 10, 100)];
  const after = [
    row('1', 'SELECT a FROM t WHERE id = $1', 300, 150, 300),
    row('2', 'SELECT b FROM u', 10, 100),
    row('3', 'SELECT c FROM v WHERE x = $1', 5, 20, 50),
    row('4', 'SELECT * FROM pg_stat_statements', 2, 1),
  ];
  const d = diffSnapshots(before, after);
  assert.deepEqual(
    d.map((x) => [x.queryid, x.calls, x.totalMs, x.rows]),
    [
      ['1', 200, 100, 200],
      ['3', 5, 20, 50],
    ],
  );
});

test('diff: a reset during the window uses the after figures', () => {
  const d = diffSnapshots([row('1', 'SELECT 1 FROM t', 1000, 500)], [row('1', 'SELECT 1 FROM t', 20, 4)]);
  assert.equal(d[0].calls, 20);
  assert.equal(d[0].totalMs, 4);
});

test('diff without a before snapshot counts everything', () => {
  const d = diffSnapshots(null, [row('1', 'SELECT 1 FROM t', 3, 6)]);
  assert.equal(d[0].calls, 3);
});

test('summary: db time, share capped at 100, top 10 by time, calls per request', () => {
  const deltas = Array.from({ length: 12 }, (_, i) => ({
    queryid: String(i),
    query: `SELECT ${i} FROM t`,
    calls: (i + 1) * 10,
    totalMs: (i + 1) * 5,
    rows: 1,
    sharedBlksHit: 0,
    sharedBlksRead: 0,
  }));
  const s = summarizeWindow(deltas, 100, 1000);
  assert.equal(s.dbTimeMs, 390); // 5 * (1 + ... + 12)
  assert.equal(s.dbShareOfLatencyPct, 39);
  assert.equal(s.topStatements.length, 10);
  assert.equal(s.topStatements[0].queryid, '11');
  assert.equal(s.topStatements[0].callsPerRequest, 1.2);
  assert.equal(s.topStatements[0].meanMs, 0.5);
  assert.equal(summarizeWindow(deltas, 100, 100).dbShareOfLatencyPct, 100);
  assert.equal(summarizeWindow(deltas, 0, 0).dbShareOfLatencyPct, 0);
  assert.equal(summarizeWindow(deltas, 0, 0).topStatements[0].callsPerRequest, 0);
});
