// Database profile (pg_stat_statements window) and the database-optimization-analyzer against a real
// PostgreSQL 15 with pg_stat_statements preloaded and hypopg installed.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Pool } from 'pg';
import { TargetConnections } from '../../activities/connections';
import type { ActivityDeps } from '../../activities/deps';
import { createDatabaseProfileActivities } from '../../activities/profiling/database';
import {
  createDatabaseActivitySampler,
  sampleDatabaseActivity as sampleActivitySamples,
} from '../../activities/profiling/database-activity';
import { analyzeDatabase, databaseOptimizationAnalyzer } from '../../activities/skills/database-optimization-analyzer';
import { skillActivity, type Skill } from '../../activities/skills/skill';
import { cacheAnalyzer } from '../../activities/skills/cache-analyzer';
import { ApplicationFailure } from '@temporalio/common';
import type { DatabaseEvidence } from '../../activities/skills/database-optimization-analyzer/findings';
import { loadArtifact } from '../../activities/store/artifacts';
import { migrateStore } from '../../activities/store/schema';
import { parseTargetProfile, type TargetProfile } from '../../common/profile';
import type { DatabaseProfile, Finding, StatementStat } from '../../common/types';
import type { DatabaseWindow, StatsSnapshot } from '../../activities/postgres/statistics';
import { runDatabase } from '../helpers/services';
import { createdExtensionStep } from '../../common/created-extensions';
import { minimalBaseline, skillRequest } from '../helpers/skill-request';

const REQUESTS = 200;
const LOOKUPS_PER_REQUEST = 20;

let pool: Pool; // the target database, for setup and the workload
let store: Pool;
// Named per checkout and test process (two checkouts testing at once would share fixed names), dropped after.
let databases: Awaited<ReturnType<typeof runDatabase>>[] = [];
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
  database: { urlEnv: 'DBSKILL_DATABASE_URL', schemas: ['dbskill'] },
  targets: { p95Ms: 100, p99Ms: 200, throughputRps: 50 },
  ...extra,
});

const find = (p: DatabaseProfile, re: RegExp): StatementStat | undefined => p.topStatements.find((s) => re.test(s.query));

before(async () => {
  databases = [await runDatabase('perf_test_dbskill'), await runDatabase('perf_test_dbskill_store')];
  const [targetDb, storeDb] = databases;
  pool = new Pool({ connectionString: targetDb.url, max: 4 });
  store = new Pool({ connectionString: storeDb.url, max: 4 });
  await migrateStore(store);
  connections = new TargetConnections({ DBSKILL_DATABASE_URL: targetDb.url });
  deps = { store, connections, policy: connections.policy };
  target = parseTargetProfile(profileInput());

  // One session for the setup, so its table counters can be flushed before the window starts.
  const setup = await pool.connect();
  await setup.query('DROP SCHEMA IF EXISTS dbskill CASCADE');
  await setup.query('DROP EXTENSION IF EXISTS hypopg');
  await setup.query('DROP EXTENSION IF EXISTS pg_stat_statements'); // captureDatabaseSnapshot must create it
  await setup.query(`
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
  `);
  // The loads' counters must reach the statistics before ANALYZE, or they count as "modified since analyze".
  await setup.query('SELECT pg_stat_force_next_flush()');
  await setup.query('VACUUM ANALYZE dbskill.categories, dbskill.products, dbskill.tiny, dbskill.orders');
  await setup.query('SELECT pg_stat_force_next_flush()');
  await setup.query('SELECT pg_stat_force_next_flush()');
  setup.release();

  const { captureDatabaseSnapshot, profileDatabase } = createDatabaseProfileActivities(deps);
  const snap = await captureDatabaseSnapshot({ runId: 'dbskill-test', target });
  assert.ok(snap.snapshotId, `no snapshot: ${snap.problems.join('; ')}`);

  // The window: REQUESTS "requests", each with one product listing and an N+1 loop over categories,
  // with pg_stat_activity sampled beside it as the profiling workflow does.
  const { sampleDatabaseActivity } = createDatabaseActivitySampler(deps);
  const sampling = sampleDatabaseActivity({ runId: 'dbskill-test', target, durationSeconds: 1, intervalMs: 100 });
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
    // Table counters are flushed by a backend at most once a second (or when idle for 10 s).
    await client.query('SELECT pg_stat_force_next_flush()');
    await client.query('SELECT pg_stat_force_next_flush()');
  } finally {
    client.release();
  }
  profile = await profileDatabase({
    runId: 'dbskill-test',
    target,
    beforeSnapshotId: snap.snapshotId,
    windowRequests: REQUESTS,
    totalRequestLatencyMs: latencyMs,
    activityArtifactId: (await sampling).artifactId,
  });
});

after(async () => {
  await connections?.close();
  await pool?.end();
  await store?.end();
  for (const d of databases) await d.drop();
});

test('captureDatabaseSnapshot created pg_stat_statements (it is preloaded) and stored the snapshot with table counters', async () => {
  const { rowCount } = await pool.query(`SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements'`);
  assert.equal(rowCount, 1);
  // Recorded on the run, for the report's next steps; a run that finds it already there records nothing.
  const created = { name: 'pg_stat_statements', database: databases[0].name, schema: 'public' };
  assert.deepEqual(profile.createdExtensions, [created]);
  assert.match(
    createdExtensionStep(created),
    /^created extension pg_stat_statements in database "perf_test_dbskill\w*" \(schema public\); .*DROP EXTENSION pg_stat_statements;/,
  );
  const { captureDatabaseSnapshot, profileDatabase } = createDatabaseProfileActivities(deps);
  const again = await captureDatabaseSnapshot({ runId: 'dbskill-test-2', target });
  const second = await profileDatabase({
    runId: 'dbskill-test-2',
    target,
    beforeSnapshotId: again.snapshotId,
    windowRequests: 1,
    totalRequestLatencyMs: 1,
  });
  assert.equal(second.createdExtensions, undefined, 'the extension existed before this run');
  const { rows } = await store.query(
    `SELECT data FROM perf_orchestrator.artifacts WHERE run_id = 'dbskill-test' AND kind = 'pgss-snapshot' ORDER BY id DESC LIMIT 2`,
  );
  assert.equal(rows.length, 2, 'before and after snapshots are stored');
  const snap = rows[1].data as StatsSnapshot;
  assert.equal(snap.version, 2);
  assert.ok(snap.pgss.length > 0);
  assert.ok(snap.tables.some((t) => t.schema === 'dbskill' && t.table === 'products'));
});

test('profileDatabase: the window figures of our statements', () => {
  assert.equal(profile.available, true, profile.problems.join('; '));
  assert.equal(profile.extensions.pgStatStatements, true);
  assert.equal(profile.extensions.hypopg, true);
  assert.equal(profile.extensions.pgQualstats, false, 'pg_qualstats is not preloaded on this server');
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

test('profileDatabase stores the window: every statement, table counter deltas, activity samples', async () => {
  assert.ok(profile.windowArtifactId, 'window artifact id');
  const { rows } = await store.query(`SELECT kind, data FROM perf_orchestrator.artifacts WHERE id = $1`, [profile.windowArtifactId]);
  assert.equal(rows[0].kind, 'db-window');
  const w = rows[0].data as DatabaseWindow;
  assert.equal(w.windowRequests, REQUESTS);
  assert.equal(w.statements.length, 4);
  const products = w.tables!.find((t) => t.table === 'products')!;
  assert.ok(products.seqScan >= REQUESTS, `products seq scans in the window: ${products.seqScan}`);
  assert.equal(products.nTupIns, 0, 'the load inserted nothing');
  assert.ok(w.activity && w.activity.samples >= 5, `pg_stat_activity was sampled during the window (${w.activity?.samples} samples)`);
  assert.ok(!profile.problems.some((p) => /not sampled/.test(p)), profile.problems.join('; '));
  assert.ok(w.windowSeconds !== null && w.windowSeconds > 0);
});

test('profileDatabase without a before snapshot says the figures are cumulative', async () => {
  const { profileDatabase } = createDatabaseProfileActivities(deps);
  const p = await profileDatabase({ runId: 'dbskill-test', target, beforeSnapshotId: null, windowRequests: 1, totalRequestLatencyMs: 1 });
  assert.equal(p.available, true);
  assert.ok(p.problems.some((m) => /cumulative/.test(m)));
  assert.ok(p.problems.some((m) => /not sampled during the load window; one sample taken after it/.test(m)));
  assert.equal(p.dbShareOfLatencyPct, 100, 'capped at 100');
});

test('the pg_stat_activity sampler stops when cancelled, keeping the samples it took', async () => {
  const abort = new AbortController();
  setTimeout(() => abort.abort(), 300);
  const started = Date.now();
  const { samples } = await sampleActivitySamples(pool, 30, 50, { signal: abort.signal });
  assert.ok(Date.now() - started < 5_000, `stopped after ${Date.now() - started} ms`);
  assert.ok(samples.length >= 2 && samples.length < 100, `${samples.length} samples`);
  assert.ok(samples.every((x) => Array.isArray(x.sessions)));
});

test('analyzer without hypopg: proposes the index, unverified, risk medium', async () => {
  const { findings, notes } = await analyzeDatabase(connections.database(target), target, profile, { installHypopg: false }, { store });
  const idx = findings.filter((f) => f.rootCause === 'missing_index');
  assert.equal(idx.length, 1, JSON.stringify(findings, null, 2));
  assert.equal(idx[0].id, 'idx-dbskill-products-category_id-created_at');
  assert.equal(idx[0].risk, 'medium');
  assert.ok(idx[0].evidence.some((e) => /NOT verified/.test(e)));
  assert.ok(notes.some((n) => /CREATE EXTENSION hypopg/.test(n)));
  const ext = findings.find((f) => f.rootCause === 'missing_extension')!;
  assert.ok(ext, 'the missing extension is a finding with its steps');
  assert.ok(
    (ext.action as { steps: string[] }).steps.some((s) => /hypopg: CREATE EXTENSION IF NOT EXISTS hypopg;/.test(s)),
    JSON.stringify(ext.action),
  );
  const { rowCount } = await pool.query(`SELECT 1 FROM pg_extension WHERE extname = 'hypopg'`);
  assert.equal(rowCount, 0, 'installHypopg: false leaves the database alone');
});

test('the skill activity stores its evidence, and analyzing the stored evidence gives the same findings', async () => {
  const runSkill = skillActivity(databaseOptimizationAnalyzer, deps);
  await pool.query('DROP EXTENSION IF EXISTS hypopg'); // an earlier test's analysis created it; this one must
  const result = await runSkill(skillRequest(target, { database: profile }, 'dbskill-test'));
  assert.equal(result.skipped, null);
  assert.ok(result.findings.some((f) => f.rootCause === 'missing_index'));
  assert.equal(result.evidence.figures.indexesProposed, 1);
  assert.ok(Number(result.evidence.figures.statements) > 0);
  const stored = await loadArtifact<DatabaseEvidence>(store, result.evidence.artifactId!);
  const again = databaseOptimizationAnalyzer.analyze(stored, databaseOptimizationAnalyzer.options(target), skillRequest(target, {}));
  assert.deepEqual(again.findings, result.findings);

  const none = await runSkill(skillRequest(target, { database: { ...profile, available: false } }));
  assert.deepEqual([none.findings, none.evidence.artifactId], [[], null]);
  assert.match(String(none.skipped), /database profile not available/);
});

test('an analysis started before the registry still gets bare findings from the new activities', async () => {
  // The request shapes of analysis-before-registry.ts, as a retried activity of an in-flight run would carry them.
  const legacyDb = (await skillActivity(
    databaseOptimizationAnalyzer,
    deps,
  )({ runId: 'dbskill-test', target, profile })) as unknown as Finding[];
  assert.ok(Array.isArray(legacyDb), 'bare findings');
  assert.ok(legacyDb.some((f) => f.rootCause === 'missing_index'));
  const legacyCache = await skillActivity(cacheAnalyzer, deps)({ target, cache: undefined, baseline: minimalBaseline() });
  assert.deepEqual(legacyCache, [], 'no redis section: nothing, as before');
});

test('a skill whose analyze throws keeps its evidence and fails for good (a retry would collect again for nothing)', async () => {
  let collected = 0;
  const broken: Skill<null, { n: number }> = {
    name: 'cache-analyzer',
    skip: () => null,
    options: () => null,
    collect: async () => ({ evidence: { n: ++collected }, notes: [] }),
    analyze: () => {
      throw new Error('boom');
    },
    figures: () => ({}),
  };
  await assert.rejects(skillActivity(broken, deps)(skillRequest(target, {}, 'dbskill-broken')), (err: unknown) => {
    assert.ok(err instanceof ApplicationFailure && err.nonRetryable && err.type === 'SkillFailed', String(err));
    assert.match(err.message, /cache-analyzer could not analyze its evidence \(artifact \d+\): boom/);
    return true;
  });
  const { rows } = await store.query(
    `SELECT data FROM perf_orchestrator.artifacts WHERE run_id = 'dbskill-broken' AND kind = 'skill-evidence:cache-analyzer'`,
  );
  assert.deepEqual(rows.at(-1)?.data, { n: 1 });
});

test('analyzer: the (category_id, created_at DESC) index, the N+1 and the health findings, verified with hypopg', async () => {
  const runSkill = skillActivity(databaseOptimizationAnalyzer, deps);
  await pool.query('DROP EXTENSION IF EXISTS hypopg'); // an earlier test's analysis created it; this one must
  const result = await runSkill(skillRequest(target, { database: profile }, 'dbskill-test'));
  const findings = result.findings;
  // The analyzer created hypopg: its note (an analysis note of the report) says where and how to drop it.
  assert.ok(
    result.notes.some((n) =>
      new RegExp(`created extension hypopg in database "${databases[0].name}" \\(schema public\\); .*DROP EXTENSION hypopg;`).test(n),
    ),
    result.notes.join('\n'),
  );
  const byCause = (c: string) => findings.filter((f) => f.rootCause === c);
  assert.equal(byCause('missing_index').length, 1, JSON.stringify(findings, null, 2));
  assert.equal(byCause('n_plus_one').length, 1);

  const idx = byCause('missing_index')[0];
  assert.equal(idx.id, 'idx-dbskill-products-category_id-created_at');
  assert.equal(idx.layer, 'database');
  assert.equal(idx.risk, 'low');
  assert.equal(idx.effortDays, 0.25, 'an index on a table under 1M rows (the effort table)');
  assert.equal(idx.source, 'database-optimization-analyzer');
  assert.deepEqual(idx.action, {
    type: 'create_index',
    schema: 'dbskill',
    table: 'products',
    columns: [{ name: 'category_id' }, { name: 'created_at', desc: true }],
    indexName: 'perf_products_category_id_created_at_idx',
    verifyQueries: [find(profile, /FROM dbskill\.products/)!.query],
  });
  assert.equal(idx.rollback, 'DROP INDEX CONCURRENTLY "dbskill"."perf_products_category_id_created_at_idx"');
  assert.ok(
    idx.evidence.some((e) => /verified with hypopg/.test(e)),
    idx.evidence.join('\n'),
  );
  assert.ok(idx.evidence.some((e) => /Seq Scan on dbskill\.products/.test(e)));
  assert.ok(
    idx.evidence.some((e) => /category_id \(~50 distinct values\)/.test(e)),
    'column order from pg_stats',
  );
  assert.ok(idx.evidence.some((e) => /no writes to it in the window/.test(e)));
  const products = find(profile, /FROM dbskill\.products/)!;
  assert.ok(idx.estimatedLatencyReductionMs > products.meanMs * 0.5 && idx.estimatedLatencyReductionMs <= products.meanMs);

  const lookup = find(profile, /FROM dbskill\.categories/)!;
  const n1 = byCause('n_plus_one')[0];
  assert.equal(n1.id, `n1-${lookup.queryid}`);
  assert.equal(n1.layer, 'application');
  assert.equal(n1.action.type, 'manual');
  assert.match((n1.action as { steps: string[] }).steps[0], /SELECT id, name FROM dbskill\.categories WHERE id = ANY\(\$1\)/);
  assert.ok(Math.abs(n1.estimatedLatencyReductionMs - (LOOKUPS_PER_REQUEST - 1) * (lookup.meanMs + 0.05)) < 0.01);

  // Health: the window's sequential scans on products point at the index finding; hygiene findings are manual and last.
  const seq = findings.find((f) => f.id === 'db-health-seq-scans')!;
  assert.ok(seq, findings.map((f) => f.id).join(', '));
  assert.ok(
    seq.evidence.some((e) =>
      /dbskill\.products .*sequential scans in the window.*addressed by idx-dbskill-products-category_id-created_at/.test(e),
    ),
    seq.evidence.join('\n'),
  );
  for (const f of findings.filter((x) => x.id.startsWith('db-'))) {
    assert.ok(f.action.type === 'manual' || f.action.type === 'drop_index', f.id);
    assert.equal(f.estimatedLatencyReductionMs, 0);
    assert.ok(f.rollback.length > 0);
  }
  const hygiene = JSON.stringify(
    findings.filter((f) => f.id.startsWith('db-')).map((f) => [f.id, f.evidence]),
    null,
    1,
  );
  assert.ok(!findings.some((f) => f.rootCause === 'unused_index'), `orders_customer_id_idx is used: ${hygiene}`);
  assert.ok(!findings.some((f) => f.rootCause === 'stale_statistics'), hygiene);
  const ext = findings.find((f) => f.rootCause === 'missing_extension')!;
  assert.ok((ext.action as { steps: string[] }).steps.some((s) => /shared_preload_libraries = 'pg_stat_statements, pg_qualstats'/.test(s)));

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
  const runSkill = skillActivity(databaseOptimizationAnalyzer, deps);
  const findings = (await runSkill(skillRequest(withToggle, { database: profile }, 'dbskill-test'))).findings;
  const n1 = findings.find((f) => f.rootCause === 'n_plus_one')!;
  assert.deepEqual(n1.action, { type: 'feature_toggle', toggle: 'batchCategories', value: true });
  assert.equal(n1.effortDays, 0.2);
});

test('analyzer: createIndexes false turns the index into a manual step', async () => {
  const manual = parseTargetProfile(profileInput({ actions: { createIndexes: false } }));
  const { findings } = await analyzeDatabase(connections.database(manual), manual, profile, { healthChecks: false }, { store });
  const idx = findings.find((f) => f.rootCause === 'missing_index')!;
  assert.equal(idx.action.type, 'manual');
  assert.match(
    (idx.action as { steps: string[] }).steps[0],
    /CREATE INDEX CONCURRENTLY "dbskill"\."perf_products_category_id_created_at_idx" ON "dbskill"\."products" \("category_id", "created_at" DESC\)/,
  );
});

test('analyzer: filters on calls, time and tables', async () => {
  const run = async (o: Record<string, unknown>) =>
    (
      await analyzeDatabase(
        connections.database(target),
        target,
        profile,
        { healthChecks: false, reportMissingExtensions: false, ...o },
        { store },
      )
    ).findings
      .map((f) => f.rootCause)
      .sort();
  assert.deepEqual(await run({}), ['missing_index', 'n_plus_one']);
  assert.deepEqual(await run({ excludeTables: ['dbskill.products'] }), ['n_plus_one']);
  assert.deepEqual(await run({ includeTables: ['prod*'] }), ['missing_index']);
  assert.deepEqual(await run({ minCalls: REQUESTS + 1 }), ['n_plus_one'], 'the listing ran REQUESTS times');
  assert.deepEqual(await run({ minMeanMs: 1000 }), []);
});

test('analyzer: statements that cannot be planned are skipped with a note; writes are planned, never run', async () => {
  const stat = (queryid: string, query: string): StatementStat => ({
    queryid,
    query,
    calls: 10,
    totalMs: 100,
    meanMs: 10,
    rows: 10,
    callsPerRequest: 1,
  });
  const fake: DatabaseProfile = {
    ...profile,
    windowArtifactId: null,
    topStatements: [
      stat('1', 'SELECT 1 / 0 FROM dbskill.products WHERE category_id = $1'), // fails while planning (constant folding)
      stat('2', 'SELECT * FROM dbskill.no_such_table WHERE id = $1'),
      stat('3', 'UPDATE dbskill.products SET price = $1 WHERE name = $2'),
      stat('4', 'SELECT 1; DROP TABLE dbskill.products'),
      stat('5', 'SELEC broken'),
      stat('6', Q_PRODUCTS.replace('LIMIT 20', 'LIMIT $2')),
    ],
  };
  const { findings, notes, advisor } = await analyzeDatabase(
    connections.database(target),
    target,
    fake,
    { healthChecks: false },
    { store },
  );
  assert.ok(
    notes.some((n) => /1 statements could not be planned \(1: division by zero/.test(n)),
    notes.join('\n'),
  );
  assert.ok(
    notes.some((n) => /1 statements could not be parsed and were skipped \(5: syntax error/.test(n)),
    notes.join('\n'),
  );
  assert.equal(advisor!.stats.planned, 2, 'the UPDATE and the listing; the unknown table has no candidate');
  // The UPDATE's WHERE name = $2 is planned (EXPLAIN only): an index on name would serve it.
  assert.deepEqual(
    findings
      .filter((f) => f.rootCause === 'missing_index')
      .map((f) => f.id)
      .sort(),
    ['idx-dbskill-products-category_id-created_at', 'idx-dbskill-products-name'],
  );
  const { rows } = await pool.query(`SELECT count(*)::int AS n, count(*) FILTER (WHERE price IS NULL)::int AS nulls FROM dbskill.products`);
  assert.deepEqual(rows[0], { n: 50000, nulls: 0 }, 'nothing was executed');
});

test('analyzer: once the index exists, nothing is proposed for the listing and the new index shows as unused', async () => {
  await pool.query('CREATE INDEX products_cat_created_idx ON dbskill.products (category_id, created_at DESC)');
  try {
    // The counters of this test database are minutes old: judged at any age here (the minimum has its own test).
    const opts = { health: { minCounterAgeDays: 0 } };
    const { findings, notes } = await analyzeDatabase(connections.database(target), target, profile, opts, { store });
    assert.ok(!findings.some((f) => f.rootCause === 'missing_index'), JSON.stringify(findings.map((f) => f.id)));
    assert.ok(
      notes.some((n) => /already served by an existing index.*products_cat_created_idx/.test(n)),
      notes.join('\n'),
    );
    const unused = findings.find((f) => f.rootCause === 'unused_index')!;
    assert.ok(
      unused.evidence.some((e) => /dbskill\.products_cat_created_idx on products \(category_id, created_at DESC\): 0 scans/.test(e)),
      unused.evidence.join('\n'),
    );
    assert.deepEqual(unused.action, {
      type: 'drop_index',
      schema: 'dbskill',
      table: 'products',
      indexName: 'products_cat_created_idx',
      definition: 'CREATE INDEX products_cat_created_idx ON dbskill.products USING btree (category_id, created_at DESC)',
    });
    assert.match(
      unused.rollback,
      /CREATE INDEX CONCURRENTLY products_cat_created_idx ON dbskill\.products USING btree \(category_id, created_at DESC\)/,
    );
  } finally {
    await pool.query('DROP INDEX dbskill.products_cat_created_idx');
  }
});

test('profile database.advisor: minTableRows above the table size -> no index for it; the defaults still propose it', async () => {
  const big = parseTargetProfile(
    profileInput({ database: { urlEnv: 'DBSKILL_DATABASE_URL', schemas: ['dbskill'], advisor: { minTableRows: 60_000 } } }),
  );
  assert.equal(big.database!.advisor.minPlanCost, 100, 'the other fields keep their defaults');
  const ids = async (t: TargetProfile) =>
    (
      await analyzeDatabase(connections.database(t), t, profile, { healthChecks: false, reportMissingExtensions: false }, { store })
    ).findings
      .filter((f) => f.rootCause === 'missing_index')
      .map((f) => f.id);
  assert.deepEqual(await ids(big), [], 'dbskill.products has 50,000 rows, below 60,000');
  assert.deepEqual(await ids(target), ['idx-dbskill-products-category_id-created_at']);
  // Through the activity: the request's target carries the options.
  const runSkill = skillActivity(databaseOptimizationAnalyzer, deps);
  const viaActivity = (await runSkill(skillRequest(big, { database: profile }, 'dbskill-test'))).findings;
  assert.ok(!viaActivity.some((f) => f.rootCause === 'missing_index'), JSON.stringify(viaActivity.map((f) => f.id)));
});

test('EXPLAIN ANALYZE only on request: a parameterless SELECT gets actual figures; writes and $n statements are never run', async () => {
  const stat = (queryid: string, query: string, totalMs: number): StatementStat => ({
    queryid,
    query,
    calls: 10,
    totalMs,
    meanMs: totalMs / 10,
    rows: 10,
    callsPerRequest: 1,
  });
  const fake: DatabaseProfile = {
    ...profile,
    windowArtifactId: null,
    topStatements: [
      stat('ea-1', "UPDATE dbskill.products SET price = -1 WHERE name = 'product 9'", 900), // the slowest: a write, never run
      stat('ea-2', "SELECT id, price FROM dbskill.products WHERE name = 'product 7'", 500),
      stat('ea-3', 'SELECT id, price FROM dbskill.products WHERE name = $1 AND price > 0', 400), // parameters: not run
    ],
  };
  const withEa = parseTargetProfile(
    profileInput({ database: { urlEnv: 'DBSKILL_DATABASE_URL', schemas: ['dbskill'], advisor: { explainAnalyze: true } } }),
  );
  const on = await analyzeDatabase(
    connections.database(withEa),
    withEa,
    fake,
    { healthChecks: false, reportMissingExtensions: false },
    { store },
  );
  const idx = on.findings.find((f) => f.id === 'idx-dbskill-products-name');
  assert.ok(idx, JSON.stringify(on.findings.map((f) => f.id)));
  const actual = idx.evidence.filter((e) => /^EXPLAIN \(ANALYZE, BUFFERS\)/.test(e));
  assert.equal(actual.length, 1, idx.evidence.join('\n'));
  assert.match(actual[0], /actual [\d.]+ ms execution \(\+[\d.]+ ms planning\), 1 rows, buffers: shared hit \d+, read \d+/);
  assert.ok(
    on.notes.some((n) => /EXPLAIN \(ANALYZE, BUFFERS\) ran 1 of 1 SELECTs \(1 without parameters, 0 with sample values/.test(n)),
    on.notes.join('\n'),
  );
  const { rows } = await pool.query(`SELECT count(*)::int AS n FROM dbskill.products WHERE price < 0`);
  assert.equal(rows[0].n, 0, 'the UPDATE was not run');

  const off = await analyzeDatabase(
    connections.database(target),
    target,
    fake,
    { healthChecks: false, reportMissingExtensions: false },
    { store },
  );
  const idxOff = off.findings.find((f) => f.id === 'idx-dbskill-products-name')!;
  assert.ok(idxOff, JSON.stringify(off.findings.map((f) => f.id)));
  assert.ok(!idxOff.evidence.some((e) => /EXPLAIN \(ANALYZE/.test(e)), idxOff.evidence.join('\n'));
  assert.ok(!off.notes.some((n) => /EXPLAIN \(ANALYZE|EXPLAIN ANALYZE/.test(n)), off.notes.join('\n'));
});

test('sample queries: custom plans with real values next to the generic plan, EXPLAIN ANALYZE with them on request; writes never run', async () => {
  // A skewed column: 'done' is 95% of the rows, every other status a handful.
  await pool.query(`
    DROP TABLE IF EXISTS dbskill.jobs;
    CREATE TABLE dbskill.jobs (id int PRIMARY KEY, status text NOT NULL, payload text NOT NULL);
    INSERT INTO dbskill.jobs SELECT g, CASE WHEN g % 20 = 0 THEN 'wait-' || g ELSE 'done' END, 'p' || g FROM generate_series(1, 50000) g;`);
  await pool.query('VACUUM ANALYZE dbskill.jobs');
  const stat = (queryid: string, query: string, totalMs: number): StatementStat => ({
    queryid,
    query,
    calls: 10,
    totalMs,
    meanMs: totalMs / 10,
    rows: 10,
    callsPerRequest: 1,
  });
  const fake: DatabaseProfile = {
    ...profile,
    windowArtifactId: null,
    topStatements: [
      stat('sq-1', 'SELECT id, price FROM dbskill.products WHERE name = $1', 900),
      stat('sq-2', 'UPDATE dbskill.products SET price = $1 WHERE name = $2', 800),
      stat('sq-3', 'SELECT id, payload FROM dbskill.jobs WHERE status = $1', 700),
    ],
  };
  const sampleQueries = [
    "SELECT id, price FROM dbskill.products WHERE name = 'product 7'",
    "UPDATE dbskill.products SET price = -5 WHERE name = 'product 8'",
    "SELECT id, payload FROM dbskill.jobs WHERE status = 'done'",
    'SELECT nonsense FROM WHERE',
    'SELECT v FROM dbskill.tiny WHERE id = 3',
    'SELECT id, price FROM dbskill.products WHERE name = $1',
  ];
  const withSamples = parseTargetProfile(
    profileInput({ database: { urlEnv: 'DBSKILL_DATABASE_URL', schemas: ['dbskill'], advisor: { explainAnalyze: true, sampleQueries } } }),
  );
  const r = await analyzeDatabase(
    connections.database(withSamples),
    withSamples,
    fake,
    { healthChecks: false, reportMissingExtensions: false },
    { store },
  );
  const byId = (id: string) => r.findings.find((f) => f.id === id);
  const name = byId('idx-dbskill-products-name');
  assert.ok(name, JSON.stringify(r.findings.map((f) => f.id)));
  const ev = name.evidence.join('\n');
  assert.match(
    ev,
    /with sample values \(profile sample 1: SELECT id, price FROM dbskill\.products WHERE name = 'product 7'\), custom plan \(EXPLAIN, not run\): cost [\d.]+ -> [\d.]+ with the index \(-[\d.]+%\), which it uses/,
  );
  assert.match(ev, /profile sample 2: UPDATE dbskill\.products SET price = -5 .*custom plan \(EXPLAIN, not run\)/);
  assert.match(
    ev,
    /EXPLAIN \(ANALYZE, BUFFERS\), run once READ ONLY with the values of profile sample 1: actual [\d.]+ ms execution .*, 1 rows/,
  );
  assert.equal(
    (await pool.query(`SELECT count(*)::int AS n FROM dbskill.products WHERE price = -5`)).rows[0].n,
    0,
    'the UPDATE sample was not run',
  );

  // The generic plan finds the status index worthwhile; the sample's value is 95% of the table, so its custom plan would not use it.
  const status = byId('idx-dbskill-jobs-status');
  assert.ok(status, JSON.stringify(r.findings.map((f) => f.id)));
  assert.match(status.evidence.join('\n'), /profile sample 3: .*status = 'done'.*the planner does NOT use it for these values/);

  const notes = r.notes.join('\n');
  assert.match(notes, /sample query 4 could not be parsed \(.*\): fix it in database\.advisor\.sampleQueries or remove it/);
  assert.match(notes, /sample query 5 matches no statement of the window/);
  assert.match(notes, /sample query 6 still has parameters \(\$1\): give it with real values/);
  assert.match(notes, /EXPLAIN \(ANALYZE, BUFFERS\) ran 2 of 2 SELECTs \(0 without parameters, 2 with sample values/);
  await pool.query('DROP TABLE dbskill.jobs');
});

test('partitioning: a table over the (profile) row threshold that dominates the sequential scans is architectural', async () => {
  const small = parseTargetProfile(
    profileInput({ database: { urlEnv: 'DBSKILL_DATABASE_URL', schemas: ['dbskill'], advisor: { partitionMinRows: 40_000 } } }),
  );
  const { findings } = await analyzeDatabase(connections.database(small), small, profile, { reportMissingExtensions: false }, { store });
  const part = findings.find((f) => f.rootCause === 'partitioning');
  assert.ok(part, JSON.stringify(findings.map((f) => f.id)));
  assert.equal(part.architectural, true);
  assert.equal(part.action.type, 'manual');
  assert.match(part.title, /Partition dbskill\.products/);
  assert.ok(
    part.evidence.some((e) =>
      /dbskill\.products \(50,000 rows, .*\): its \d+ sequential scans read [\d,]+ rows, \d+(\.\d)?% of all rows read sequentially/.test(e),
    ),
    part.evidence.join('\n'),
  );
  // The default threshold (10,000,000 rows): no such finding.
  const def = await analyzeDatabase(connections.database(target), target, profile, { reportMissingExtensions: false }, { store });
  assert.ok(!def.findings.some((f) => f.rootCause === 'partitioning' || f.architectural), JSON.stringify(def.findings.map((f) => f.id)));
});
