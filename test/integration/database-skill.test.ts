// Database profile (pg_stat_statements window) and the database-optimization-analyzer against a real
// PostgreSQL 15 with pg_stat_statements preloaded and hypopg installed.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pool } from 'pg';
import { TargetConnections } from '../../activities/connections';
import type { ActivityDeps } from '../../activities/deps';
import { createDatabaseProfileActivities } from '../../activities/profiling/database';
import { analyzeDatabase, createDatabaseAnalyzerActivities } from '../../activities/skills/database-optimization-analyzer';
import { migrateStore } from '../../activities/store/schema';
import { parseTargetProfile, type TargetProfile } from '../../common/profile';
import type { DatabaseProfile, StatementStat } from '../../common/types';
import { testDatabase, testPool } from '../helpers/services';

const DB = 'perf_test_dbskill';
const REQUESTS = 200;
const LOOKUPS_PER_REQUEST = 20;

let pool: Pool; // the target database, for setup and the workload
let store: Pool;
let connections: TargetConnections;
let deps: ActivityDeps;
let target: TargetProfile;
let profile: DatabaseProfile;
let latencyMs = 0;

const Q_PRODUCTS = 'SELECT id, name, price FROM dbskill.products WHERE category_id = $1 ORDER BY created_at DESC LIMIT 20';
const Q_CATEGORY = 'SELECT id, name FROM dbskill.categories WHERE id = $1';
const Q_TINY = 'SELECT id, v FROM dbskill.tiny WHERE code = $1';
const Q_ORDERS = 'SELECT id, total FROM dbskill.orders WHERE customer_id = $1';

const profileInput = (extra: Record<string, unknown> = {}) => ({
  name: 'dbskill',
  http: { baseUrl: 'http://127.0.0.1:3999', endpoints: [{ name: 'products', path: '/products' }] },
  database: { urlEnv: 'PERF_TEST_DBSKILL_URL', schemas: ['dbskill'] },
  targets: { p95Ms: 100, p99Ms: 200, throughputRps: 50 },
  ...extra,
});

const find = (p: DatabaseProfile, re: RegExp): StatementStat | undefined => p.topStatements.find((s) => re.test(s.query));

before(async () => {
  pool = await testPool(DB);
  store = await testPool(`${DB}_store`);
  await migrateStore(store);
  connections = new TargetConnections({ PERF_TEST_DBSKILL_URL: await testDatabase(DB) });
  deps = { store, connections };
  target = parseTargetProfile(profileInput());

  await pool.query('DROP SCHEMA IF EXISTS dbskill CASCADE');
  await pool.query('DROP EXTENSION IF EXISTS hypopg');
  await pool.query('DROP EXTENSION IF EXISTS pg_stat_statements'); // captureDatabaseSnapshot must create it
  await pool.query(`
    CREATE SCHEMA dbskill;
    CREATE TABLE dbskill.categories (id int PRIMARY KEY, name text NOT NULL);
    INSERT INTO dbskill.categories SELECT g, 'category ' || g FROM generate_series(1, 50) g;
    CREATE TABLE dbskill.products (
      id serial PRIMARY KEY, category_id int NOT NULL, name text NOT NULL, price numeric(10,2) NOT NULL,
      created_at timestamptz NOT NULL);
    INSERT INTO dbskill.products (category_id, name, price, created_at)
      SELECT 1 + g % 50, 'product ' || g, (g % 1000) / 10.0, now() - g * interval '1 minute' FROM generate_series(1, 50000) g;
    CREATE TABLE dbskill.tiny (id int PRIMARY KEY, code text NOT NULL, v int NOT NULL);
    INSERT INTO dbskill.tiny SELECT g, 'c' || g, g FROM generate_series(1, 100) g;
    CREATE TABLE dbskill.orders (id serial PRIMARY KEY, customer_id int NOT NULL, total numeric(10,2) NOT NULL);
    INSERT INTO dbskill.orders (customer_id, total) SELECT g % 5000, g % 300 FROM generate_series(1, 50000) g;
    CREATE INDEX orders_customer_id_idx ON dbskill.orders (customer_id);
    ANALYZE dbskill.categories, dbskill.products, dbskill.tiny, dbskill.orders;
  `);

  const { captureDatabaseSnapshot, profileDatabase } = createDatabaseProfileActivities(deps);
  const snap = await captureDatabaseSnapshot({ runId: 'dbskill-test', target });
  assert.ok(snap.snapshotId, `no snapshot: ${snap.problems.join('; ')}`);

  // The window: REQUESTS "requests", each with one product listing and an N+1 loop over categories.
  const client = await pool.connect();
  try {
    for (let r = 0; r < REQUESTS; r++) {
      const t0 = performance.now();
      await client.query(Q_PRODUCTS, [1 + (r % 50)]);
      for (let i = 0; i < LOOKUPS_PER_REQUEST; i++) await client.query(Q_CATEGORY, [1 + ((r + i) % 50)]);
      if (r % 4 === 0) await client.query(Q_TINY, [`c${1 + (r % 100)}`]);
      if (r % 2 === 0) await client.query(Q_ORDERS, [r]);
      latencyMs += performance.now() - t0 + 1; // + "application" time
    }
  } finally {
    client.release();
  }
  profile = await profileDatabase({
    runId: 'dbskill-test',
    target,
    beforeSnapshotId: snap.snapshotId,
    windowRequests: REQUESTS,
    totalRequestLatencyMs: latencyMs,
  });
});

after(async () => {
  await connections?.close();
  await pool?.end();
  await store?.end();
});

test('captureDatabaseSnapshot created pg_stat_statements (it is preloaded) and stored the snapshot', async () => {
  const { rowCount } = await pool.query(`SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements'`);
  assert.equal(rowCount, 1);
  const { rows } = await store.query(`SELECT count(*)::int AS n FROM perf_orchestrator.artifacts WHERE run_id = 'dbskill-test' AND kind = 'pgss-snapshot'`);
  assert.ok(rows[0].n >= 2, 'before and after snapshots are stored');
});

test('profileDatabase: the window figures of our statements', () => {
  assert.equal(profile.available, true, profile.problems.join('; '));
  assert.deepEqual(profile.extensions, { pgStatStatements: true, hypopg: true });
  assert.equal(profile.windowRequests, REQUESTS);

  const products = find(profile, /FROM dbskill\.products WHERE category_id = \$1/)!;
  assert.ok(products, 'products listing is a top statement');
  assert.equal(products.calls, REQUESTS);
  assert.equal(products.callsPerRequest, 1);
  assert.equal(products.rows, REQUESTS * 20);
  assert.match(products.query, /LIMIT \$2/, 'normalized text');
  assert.equal(profile.topStatements[0].queryid, products.queryid, 'the seq scan dominates the time');

  const lookup = find(profile, /FROM dbskill\.categories WHERE id = \$1/)!;
  assert.equal(lookup.calls, REQUESTS * LOOKUPS_PER_REQUEST);
  assert.equal(lookup.callsPerRequest, LOOKUPS_PER_REQUEST);
  assert.equal(lookup.rows, REQUESTS * LOOKUPS_PER_REQUEST);
  assert.ok(Math.abs(lookup.meanMs - lookup.totalMs / lookup.calls) < 0.001);

  assert.equal(find(profile, /dbskill\.tiny/)!.calls, REQUESTS / 4);
  assert.equal(find(profile, /dbskill\.orders/)!.calls, REQUESTS / 2);

  // Only the workload: no catalog, extension, utility or setup statements.
  assert.equal(profile.topStatements.length, 4, profile.topStatements.map((s) => s.query).join('\n'));
  const sum = profile.topStatements.reduce((s, x) => s + x.totalMs, 0);
  assert.ok(Math.abs(profile.dbTimeMs - sum) < 0.01, `dbTimeMs ${profile.dbTimeMs} = sum ${sum}`);
  assert.ok(profile.dbTimeMs > 0 && profile.dbTimeMs < latencyMs);
  const share = (100 * profile.dbTimeMs) / latencyMs;
  assert.ok(Math.abs(profile.dbShareOfLatencyPct - share) < 0.01);
  assert.ok(profile.dbShareOfLatencyPct > 10, `db share ${profile.dbShareOfLatencyPct}%`);
});

test('profileDatabase without a before snapshot says the figures are cumulative', async () => {
  const { profileDatabase } = createDatabaseProfileActivities(deps);
  const p = await profileDatabase({ runId: 'dbskill-test', target, beforeSnapshotId: null, windowRequests: 1, totalRequestLatencyMs: 1 });
  assert.equal(p.available, true);
  assert.ok(p.problems.some((m) => /cumulative/.test(m)));
  assert.equal(p.dbShareOfLatencyPct, 100, 'capped at 100');
});

test('analyzer without hypopg: proposes the index, unverified, risk medium', async () => {
  const { findings, notes } = await analyzeDatabase(connections.database(target), target, profile, { installHypopg: false });
  const idx = findings.filter((f) => f.rootCause === 'missing_index');
  assert.equal(idx.length, 1, JSON.stringify(findings, null, 2));
  assert.equal(idx[0].risk, 'medium');
  assert.ok(idx[0].evidence.some((e) => /NOT verified/.test(e)));
  assert.ok(notes.some((n) => /CREATE EXTENSION hypopg/.test(n)));
  const { rowCount } = await pool.query(`SELECT 1 FROM pg_extension WHERE extname = 'hypopg'`);
  assert.equal(rowCount, 0, 'installHypopg: false leaves the database alone');
});

test('analyzer: exactly the (category_id, created_at DESC) index and the N+1, verified with hypopg', async () => {
  const { databaseOptimizationAnalyzer } = createDatabaseAnalyzerActivities(deps);
  const findings = await databaseOptimizationAnalyzer({ runId: 'dbskill-test', target, profile });
  assert.equal(findings.length, 2, JSON.stringify(findings, null, 2));

  const idx = findings.find((f) => f.rootCause === 'missing_index')!;
  assert.equal(idx.id, 'idx-dbskill-products-category_id-created_at');
  assert.equal(idx.layer, 'database');
  assert.equal(idx.risk, 'low');
  assert.equal(idx.effortDays, 0.5);
  assert.equal(idx.source, 'database-optimization-analyzer');
  assert.deepEqual(idx.action, {
    type: 'create_index',
    schema: 'dbskill',
    table: 'products',
    columns: [{ name: 'category_id' }, { name: 'created_at', desc: true }],
    indexName: 'perf_products_category_id_created_at_idx',
  });
  assert.equal(idx.rollback, 'DROP INDEX CONCURRENTLY "dbskill"."perf_products_category_id_created_at_idx"');
  assert.ok(idx.evidence.some((e) => /verified with hypopg/.test(e)), idx.evidence.join('\n'));
  assert.ok(idx.evidence.some((e) => /Seq Scan on dbskill\.products/.test(e)));
  const products = find(profile, /FROM dbskill\.products/)!;
  assert.ok(idx.estimatedLatencyReductionMs > products.meanMs * 0.5 && idx.estimatedLatencyReductionMs <= products.meanMs);

  const lookup = find(profile, /FROM dbskill\.categories/)!;
  const n1 = findings.find((f) => f.rootCause === 'n_plus_one')!;
  assert.equal(n1.id, `n1-${lookup.queryid}`);
  assert.equal(n1.layer, 'application');
  assert.equal(n1.action.type, 'manual');
  assert.match((n1.action as { steps: string[] }).steps[0], /SELECT id, name FROM dbskill\.categories WHERE id = ANY\(\$1\)/);
  assert.ok(Math.abs(n1.estimatedLatencyReductionMs - (LOOKUPS_PER_REQUEST - 1) * (lookup.meanMs + 0.05)) < 0.01);

  // No proposals for the 100-row table or the already indexed lookup; hypothetical indexes are gone.
  assert.ok(!findings.some((f) => /tiny|orders/.test(f.id)));
  const { rows } = await pool.query('SELECT count(*)::int AS n FROM hypopg_list_indexes');
  assert.equal(rows[0].n, 0);
  const real = await pool.query(`SELECT count(*)::int AS n FROM pg_indexes WHERE schemaname = 'dbskill' AND indexname LIKE 'perf_%'`);
  assert.equal(real.rows[0].n, 0, 'the analyzer builds nothing');
});

test('analyzer: a feature toggle that fixes n_plus_one becomes the N+1 action', async () => {
  const withToggle = parseTargetProfile(
    profileInput({ actions: { featureToggles: [{ name: 'batchCategories', fixes: 'n_plus_one', effortDays: 0.2 }] } }),
  );
  const { databaseOptimizationAnalyzer } = createDatabaseAnalyzerActivities(deps);
  const findings = await databaseOptimizationAnalyzer({ runId: 'dbskill-test', target: withToggle, profile });
  const n1 = findings.find((f) => f.rootCause === 'n_plus_one')!;
  assert.deepEqual(n1.action, { type: 'feature_toggle', toggle: 'batchCategories', value: true });
  assert.equal(n1.effortDays, 0.2);
});

test('analyzer: createIndexes false turns the index into a manual step', async () => {
  const manual = parseTargetProfile(profileInput({ actions: { createIndexes: false } }));
  const { findings } = await analyzeDatabase(connections.database(manual), manual, profile);
  const idx = findings.find((f) => f.rootCause === 'missing_index')!;
  assert.equal(idx.action.type, 'manual');
  assert.match((idx.action as { steps: string[] }).steps[0], /CREATE INDEX CONCURRENTLY "dbskill"\."perf_products_category_id_created_at_idx" ON "dbskill"\."products" \("category_id", "created_at" DESC\)/);
});

test('analyzer: statements that cannot be planned are skipped with a note; writes are not planned', async () => {
  const stat = (queryid: string, query: string): StatementStat => ({ queryid, query, calls: 10, totalMs: 100, meanMs: 10, rows: 10, callsPerRequest: 1 });
  const fake: DatabaseProfile = {
    ...profile,
    topStatements: [
      stat('1', 'SELECT 1 / 0 FROM dbskill.tiny WHERE id = $1'), // fails while planning (constant folding)
      stat('2', 'SELECT * FROM dbskill.no_such_table WHERE id = $1'),
      stat('3', 'UPDATE dbskill.products SET price = $1 WHERE category_id = $2'),
      stat('4', 'SELECT 1; DROP TABLE dbskill.products'),
      stat('5', Q_PRODUCTS.replace('LIMIT 20', 'LIMIT $2')),
    ],
  };
  const { findings, notes } = await analyzeDatabase(connections.database(target), target, fake);
  assert.ok(notes.some((n) => /^1: skipped, it could not be planned/.test(n)), notes.join('\n'));
  assert.ok(notes.some((n) => /^2: skipped, it could not be planned: .*does not exist/.test(n)), notes.join('\n'));
  assert.ok(notes.some((n) => /^3: not planned \(not a SELECT/.test(n)));
  assert.ok(notes.some((n) => /^4: not planned \(more than one statement/.test(n)));
  // The failures left the pooled sessions usable: the last statement is still analyzed.
  assert.deepEqual(findings.map((f) => f.id), ['idx-dbskill-products-category_id-created_at']);
  const { rowCount } = await pool.query(`SELECT 1 FROM pg_tables WHERE schemaname = 'dbskill' AND tablename = 'products'`);
  assert.equal(rowCount, 1);
});

test('analyzer: once the index exists, nothing is proposed for the listing', async () => {
  await pool.query('CREATE INDEX products_cat_created_idx ON dbskill.products (category_id, created_at DESC)');
  try {
    const { findings } = await analyzeDatabase(connections.database(target), target, profile);
    assert.deepEqual(findings.map((f) => f.rootCause), ['n_plus_one']);
  } finally {
    await pool.query('DROP INDEX dbskill.products_cat_created_idx');
  }
});
