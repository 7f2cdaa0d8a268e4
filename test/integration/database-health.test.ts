// Health checks against a real PostgreSQL 15: the conditions are created for real (duplicate,
// unused and INVALID indexes, bloat, stale statistics, sequences near their limit, a session idle in
// transaction, a blocked update, a long query); thresholds are lowered only where the real condition
// would take hours (transaction ID age) or depends on the server's size (connections, cache).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pool, PoolClient } from 'pg';
import { collectHealth, type HealthSnapshot } from '../../activities/skills/database-optimization-analyzer/health';
import { DEFAULT_HEALTH_OPTIONS, healthFindings } from '../../activities/skills/database-optimization-analyzer/health';
import { missingExtensionsFinding } from '../../activities/skills/database-optimization-analyzer/extensions';
import { extensionStates } from '../../activities/postgres/extensions';
import { readQualstats, qualstatEvidence } from '../../activities/skills/database-optimization-analyzer/qualstats';
import { ensureParser } from '../../activities/postgres/sql-parse';
import type { Finding } from '../../common/types';
import { testPool } from '../helpers/services';

const DB = 'perf_test_dbhealth';
const S = 'dbhealth';
let pool: Pool;
let snapshot: HealthSnapshot;
let findings: Finding[];
const held: PoolClient[] = [];
let blockedUpdate: Promise<unknown> | null = null;
let longQuery: Promise<unknown> | null = null;

const steps = (f: Finding) => (f.action as { steps: string[] }).steps;
const byId = (id: string) => {
  const f = findings.find((x) => x.id === id);
  assert.ok(f, `no finding ${id} in ${findings.map((x) => x.id).join(', ')}`);
  return f;
};

before(async () => {
  await ensureParser();
  pool = await testPool(DB);
  const c = await pool.connect();
  try {
    await c.query(`DROP SCHEMA IF EXISTS ${S} CASCADE`);
    await c.query(`
      CREATE SCHEMA ${S};
      CREATE TABLE ${S}.t_dup (id int PRIMARY KEY, a int NOT NULL, b int NOT NULL, code text NOT NULL);
      INSERT INTO ${S}.t_dup SELECT g, g % 100, g % 7, 'c' || (g % 500) FROM generate_series(1, 20000) g;
      CREATE INDEX t_dup_a_idx ON ${S}.t_dup (a);
      CREATE INDEX t_dup_a_b_idx ON ${S}.t_dup (a, b);
      CREATE TABLE ${S}.t_bloat (id int, pad text) WITH (autovacuum_enabled = false);
      INSERT INTO ${S}.t_bloat SELECT g, repeat('x', 100) FROM generate_series(1, 200000) g;
      CREATE TABLE ${S}.t_stale (id int PRIMARY KEY, v int) WITH (autovacuum_enabled = false);
      INSERT INTO ${S}.t_stale SELECT g, g FROM generate_series(1, 20000) g;
      CREATE TABLE ${S}.t_serial (id serial PRIMARY KEY, v int);
      CREATE SEQUENCE ${S}.s_small AS integer MAXVALUE 1000;
      CREATE TABLE ${S}.t_lock (id int PRIMARY KEY, v int);
      INSERT INTO ${S}.t_lock VALUES (1, 0);
    `);
    await c.query('SELECT pg_stat_force_next_flush()');
    await c.query(`ANALYZE ${S}.t_dup, ${S}.t_bloat, ${S}.t_stale`);
    // A failed CREATE UNIQUE INDEX CONCURRENTLY leaves an INVALID index.
    await assert.rejects(c.query(`CREATE UNIQUE INDEX CONCURRENTLY t_dup_code_uq ON ${S}.t_dup (code)`), /could not create unique index/);
    // Bloat: 80% of the rows deleted, no vacuum.
    await c.query(`DELETE FROM ${S}.t_bloat WHERE id % 5 <> 0`);
    // Stale statistics: half the rows changed since the last analyze.
    await c.query(`UPDATE ${S}.t_stale SET v = v + 1 WHERE id <= 10000`);
    await c.query(`SELECT setval('${S}.s_small', 900)`);
    await c.query(`SELECT setval(pg_get_serial_sequence('${S}.t_serial', 'id'), 2000000000)`);
    await c.query('SELECT pg_stat_force_next_flush()');
    await c.query('SELECT pg_stat_force_next_flush()');
    // ANALYZE the bloated table so reltuples is its live rows (its pages stay).
    await c.query(`ANALYZE ${S}.t_bloat`);
    // Index usage: t_dup_a_idx is scanned (it would be the one a plan picks for a = $1), t_dup_a_b_idx never.
    await c.query('SET enable_seqscan = off; SET enable_bitmapscan = off');
    for (let i = 0; i < 60; i++) await c.query(`SELECT id FROM ${S}.t_dup WHERE a = $1 AND id > 0`, [i]);
    await c.query('RESET enable_seqscan; RESET enable_bitmapscan');
    await c.query('SELECT pg_stat_force_next_flush()');
  } finally {
    c.release();
  }

  // Live sessions: idle in transaction, a blocked update behind a held row lock, a long query.
  const idle = await pool.connect();
  held.push(idle);
  await idle.query('BEGIN');
  await idle.query(`SELECT a FROM ${S}.t_dup WHERE id = 1`);
  const locker = await pool.connect();
  held.push(locker);
  await locker.query('BEGIN');
  await locker.query(`UPDATE ${S}.t_lock SET v = v + 1 WHERE id = 1`);
  const waiter = await pool.connect();
  held.push(waiter);
  blockedUpdate = waiter.query(`UPDATE ${S}.t_lock SET v = v + 10 WHERE id = 1`);
  const sleeper = await testPool(DB);
  longQuery = sleeper.query('SELECT pg_sleep(2)').finally(() => sleeper.end());
  await new Promise((r) => setTimeout(r, 1_300));

  snapshot = await collectHealth(pool, [S]);
  findings = healthFindings(snapshot, null, [], {
    minCounterAgeDays: 0, // the counters of this new database are minutes old (database-health-counters.test.ts tests the minimum)
    idleInTransactionMs: 500,
    lockWaitMs: 500,
    longRunningMs: 1_000,
    connectionsMaxFraction: 0.01, // this test server has max_connections 100: any use is "near" the limit
    xidAgeWarn: 1, // a fresh cluster is far from wraparound: every table qualifies
    cacheHitRatioMinPct: 100.01, // any ratio is below it
    cacheMinBlockAccesses: 1,
  });

  await locker.query('ROLLBACK');
  await blockedUpdate;
  await idle.query('ROLLBACK');
  await longQuery;
});

after(async () => {
  for (const c of held) c.release();
  await pool?.end();
});

test('the snapshot reads indexes, tables, sequences and sessions of the schema', () => {
  assert.deepEqual(snapshot.indexes.map((i) => i.name).sort(), [
    't_dup_a_b_idx',
    't_dup_a_idx',
    't_dup_code_uq',
    't_dup_pkey',
    't_lock_pkey',
    't_serial_pkey',
    't_stale_pkey',
  ]);
  assert.equal(snapshot.indexes.find((i) => i.name === 't_dup_code_uq')!.valid, false);
  assert.ok(snapshot.indexes.find((i) => i.name === 't_dup_a_idx')!.scans >= 60);
  assert.ok(snapshot.database.xidAge > 0);
  assert.ok(Number(snapshot.settings.max_connections) > 0);
  assert.ok(snapshot.sessions.some((s) => s.state === 'idle in transaction'));
  assert.ok(snapshot.sessions.some((s) => s.blockedBy.length > 0));
  // Literals of running queries are normalized away.
  assert.ok(
    snapshot.sessions.every((s) => !/v \+ 10/.test(s.query)),
    snapshot.sessions.map((s) => s.query).join('\n'),
  );
});

test('duplicate index: (a) is covered by (a, b); drop it (approved by id), CREATE kept as the rollback', () => {
  const f = byId('db-duplicate-index-dbhealth-t_dup_a_idx');
  assert.equal(f.rootCause, 'duplicate_index');
  assert.ok(
    f.evidence.some((e) => /dbhealth\.t_dup_a_idx \(a, .*\) is covered by t_dup_a_b_idx \(a, b\)/.test(e)),
    f.evidence.join('\n'),
  );
  assert.deepEqual(f.action, {
    type: 'drop_index',
    schema: 'dbhealth',
    table: 't_dup',
    indexName: 't_dup_a_idx',
    definition: 'CREATE INDEX t_dup_a_idx ON dbhealth.t_dup USING btree (a)',
  });
  assert.equal(f.rollback, 'CREATE INDEX CONCURRENTLY t_dup_a_idx ON dbhealth.t_dup USING btree (a);');
});

test('unused index: (a, b) never scanned; the duplicate and unique/primary indexes are not listed again', () => {
  const unused = findings.filter((x) => x.rootCause === 'unused_index');
  assert.deepEqual(
    unused.map((x) => x.id),
    ['db-unused-index-dbhealth-t_dup_a_b_idx'],
  );
  const f = unused[0];
  assert.ok(f.action.type === 'drop_index' && f.action.indexName === 't_dup_a_b_idx');
  assert.match(f.rollback, /CREATE INDEX CONCURRENTLY t_dup_a_b_idx ON dbhealth\.t_dup USING btree \(a, b\);/);
  assert.ok(f.evidence.some((e) => /replicas are not counted/.test(e)));
  assert.equal(f.risk, 'medium');
});

test('invalid index: the leftover of the failed unique build', () => {
  const f = byId('db-health-invalid-indexes');
  assert.deepEqual(steps(f), [
    'DROP INDEX CONCURRENTLY IF EXISTS "dbhealth"."t_dup_code_uq";',
    'CREATE UNIQUE INDEX CONCURRENTLY t_dup_code_uq ON dbhealth.t_dup USING btree (code); -- only if the index is still wanted',
  ]);
});

test('bloat: the table with 80% deleted rows, with VACUUM and (manual) rewrite steps', () => {
  const f = byId('db-health-bloat');
  assert.ok(
    f.evidence.some((e) => /table dbhealth\.t_bloat: ~\d+(\.\d)? MB of .* is free space \(\d+%\), 160,000 dead rows/.test(e)),
    f.evidence.join('\n'),
  );
  assert.ok(steps(f).includes('VACUUM (VERBOSE, ANALYZE) "dbhealth"."t_bloat";'));
  assert.ok(steps(f).some((s) => /VACUUM FULL "dbhealth"."t_bloat"; \(locks the table: NOT applied by the tool\)/.test(s)));
});

test('stale statistics: 10,000 of 20,000 rows modified since ANALYZE', () => {
  const f = byId('db-health-stale-statistics');
  assert.ok(
    f.evidence.some((e) => /dbhealth\.t_stale: 10,000 rows modified since the last analyze/.test(e)),
    f.evidence.join('\n'),
  );
  assert.ok(steps(f).includes('ANALYZE "dbhealth"."t_stale";'));
  assert.ok(!f.evidence.some((e) => /t_dup/.test(e)), 't_dup is analyzed and unchanged');
});

test('sequences: one at 90% of its MAXVALUE, one whose int column is near its limit', () => {
  const f = byId('db-health-sequences');
  assert.equal(f.rootCause, 'sequence_exhaustion');
  assert.equal(f.risk, 'high');
  assert.ok(
    f.evidence.some((e) => /dbhealth\.s_small: 900 of 1,000 \(90%\)/.test(e)),
    f.evidence.join('\n'),
  );
  assert.ok(
    f.evidence.some((e) =>
      /dbhealth\.t_serial_id_seq: 2,000,000,000 of 2,147,483,647 .* feeding dbhealth\.t_serial\.id \(integer\)/.test(e),
    ),
    f.evidence.join('\n'),
  );
  assert.ok(
    steps(f).some((s) => /ALTER TABLE "dbhealth"\."t_serial" ALTER COLUMN "id" TYPE bigint;/.test(s) && /NOT applied by the tool/.test(s)),
  );
});

test('sequences: the step for a sequence no column owns is SQL that PostgreSQL accepts', async () => {
  const step = steps(byId('db-health-sequences')).find((x) => x.startsWith('ALTER SEQUENCE "dbhealth"."s_small"'));
  assert.equal(step, 'ALTER SEQUENCE "dbhealth"."s_small" AS bigint MAXVALUE 9223372036854775807;');
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    await c.query(step!);
    const { rows } = await c.query(
      `SELECT data_type, max_value::text FROM pg_sequences WHERE schemaname = 'dbhealth' AND sequencename = 's_small'`,
    );
    assert.deepEqual(rows[0], { data_type: 'bigint', max_value: '9223372036854775807' });
  } finally {
    await c.query('ROLLBACK');
    c.release();
  }
});

test('a health read waiting behind DDL fails after its lock timeout instead of hanging', async () => {
  // Its own session: the test pool's connections are taken by the sessions the other checks observe.
  const lockerPool = await testPool(DB);
  const locker = await lockerPool.connect();
  try {
    await locker.query('BEGIN');
    await locker.query(`LOCK TABLE ${S}.t_stale IN ACCESS EXCLUSIVE MODE`);
    const started = Date.now();
    await assert.rejects(collectHealth(pool, [S], { lockTimeoutMs: 200, statementTimeoutMs: 10_000 }), /lock timeout/);
    assert.ok(Date.now() - started < 5_000, `failed after ${Date.now() - started} ms`);
  } finally {
    await locker.query('ROLLBACK');
    locker.release();
    await lockerPool.end();
  }
});

test('a pattern-ops or other-collation twin is not a duplicate; an index on a foreign key is never unused', async () => {
  const X = 'dbhealth_ops';
  await pool.query(`DROP SCHEMA IF EXISTS ${X} CASCADE`);
  await pool.query(`
    CREATE SCHEMA ${X};
    CREATE TABLE ${X}.parent (id int PRIMARY KEY, code text NOT NULL);
    CREATE INDEX parent_code_idx ON ${X}.parent (code);
    CREATE INDEX parent_code_like ON ${X}.parent (code text_pattern_ops);
    CREATE INDEX parent_code_c ON ${X}.parent (code COLLATE "C");
    CREATE TABLE ${X}.child (id int PRIMARY KEY, parent_id int NOT NULL REFERENCES ${X}.parent (id), note text);
    CREATE INDEX child_parent_idx ON ${X}.child (parent_id);
    CREATE INDEX child_note_idx ON ${X}.child (note);
  `);
  try {
    const s = await collectHealth(pool, [X]);
    const idx = (name: string) => s.indexes.find((i) => i.name === name)!;
    assert.equal(idx('child_parent_idx').foreignKey, 'child_parent_id_fkey');
    assert.equal(idx('child_note_idx').foreignKey, null);
    assert.notDeepEqual(idx('parent_code_like').keyOpclasses, idx('parent_code_idx').keyOpclasses);
    assert.notDeepEqual(idx('parent_code_c').keyCollations, idx('parent_code_idx').keyCollations);
    const found = healthFindings(s, null, [], { unusedIndexMaxScans: 50, minCounterAgeDays: 0 });
    assert.deepEqual(
      found.filter((f) => f.rootCause === 'duplicate_index').map((f) => f.id),
      [],
    );
    const unused = found.filter((f) => f.rootCause === 'unused_index').map((f) => f.id);
    assert.ok(!unused.some((id) => id.includes('child_parent_idx')), unused.join(', '));
    assert.ok(unused.includes('db-health-foreign-key-indexes'), 'listed as advice, without a drop');
    assert.ok(
      unused.some((id) => id.includes('child_note_idx')),
      unused.join(', '),
    );
  } finally {
    await pool.query(`DROP SCHEMA IF EXISTS ${X} CASCADE`);
  }
});

test('settings counted in blocks read as sizes in the evidence, as SHOW prints them', async () => {
  // The server's own SHOW text: the same figure and unit, whatever unit pg_settings counts in.
  const shown = (await pool.query('SHOW shared_buffers')).rows[0].shared_buffers;
  assert.equal(snapshot.settings.shared_buffers, shown);
  assert.match(shown, /^\d+(kB|MB|GB)$/);
});

test('sessions: idle in transaction, blocked update with its blocker, long-running query', () => {
  const idle = byId('db-health-idle-in-transaction');
  assert.ok(
    idle.evidence.some((e) => /idle in transaction for \d+(\.\d)? s after: SELECT a FROM dbhealth\.t_dup WHERE id = \$1/.test(e)),
    idle.evidence.join('\n'),
  );
  assert.ok(steps(idle).some((s) => /idle_in_transaction_session_timeout = '60s'/.test(s)));

  const blocked = byId('db-health-blocked-queries');
  assert.equal(blocked.rootCause, 'lock_contention');
  assert.ok(
    blocked.evidence.some((e) =>
      /UPDATE dbhealth\.t_lock SET v = v \+ \$1 WHERE id = \$2 <- blocked by: idle in transaction: UPDATE dbhealth\.t_lock SET v = v \+ \$1 WHERE id = \$2/.test(
        e,
      ),
    ),
    blocked.evidence.join('\n'),
  );
  assert.ok(steps(blocked).some((s) => /pg_cancel_backend\(\d+\)/.test(s)));

  const long = byId('db-health-long-running-queries');
  assert.ok(
    long.evidence.some((e) => /SELECT pg_sleep\(\$1\)/.test(e)),
    long.evidence.join('\n'),
  );
});

test('thresholds: connections, cache hit ratio and wraparound report with their figures and steps', () => {
  const conn = byId('db-health-connections');
  assert.match(conn.title, /Connections near the limit: \d+ of \d+ usable/);
  const cache = byId('db-health-cache-hit-ratio');
  assert.match(cache.title, /Buffer cache hit ratio [\d.]+% < 100.01%/);
  assert.ok(steps(cache).some((s) => /ALTER SYSTEM SET shared_buffers/.test(s)));
  const wrap = byId('db-health-wraparound');
  assert.ok(steps(wrap).some((s) => s === 'VACUUM (FREEZE, VERBOSE) "dbhealth"."t_dup";'));
});

test('every health finding is a manual step (or an index drop approved by id) with evidence, no latency claim, and a rollback', () => {
  for (const f of findings) {
    assert.equal(f.layer, 'database');
    assert.equal(f.action.type, /^db-(unused|duplicate)-index-/.test(f.id) ? 'drop_index' : 'manual', f.id);
    assert.equal(f.estimatedLatencyReductionMs, 0);
    assert.ok(f.evidence.length > 0 && f.rollback.length > 0 && f.effortDays > 0, f.id);
  }
  // With the defaults, the same database raises none of the threshold-only findings.
  const defaults = healthFindings(snapshot, null, [], DEFAULT_HEALTH_OPTIONS).map((f) => f.id);
  assert.ok(!defaults.includes('db-health-wraparound') && !defaults.includes('db-health-connections'), defaults.join(', '));
});

test('extensions: pg_qualstats is installed but not preloaded -> the exact steps', async () => {
  const { major, states } = await extensionStates(pool);
  assert.equal(major, 15);
  const q = states.find((s) => s.name === 'pg_qualstats')!;
  assert.equal(q.installed, true, 'postgresql-15-pg-qualstats is installed on this machine');
  assert.equal(q.preloaded, false);
  const f = missingExtensionsFinding(
    states.filter((s) => s.name === 'pg_qualstats'),
    ['pg_stat_statements'],
    DB,
  )!;
  assert.equal(f.rootCause, 'missing_extension');
  assert.deepEqual(steps(f).slice(0, 2), [
    "pg_qualstats: ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements, pg_qualstats';",
    'pg_qualstats: restart PostgreSQL (the library loads at start)',
  ]);
  const missing = missingExtensionsFinding(
    [
      {
        name: 'hypopg',
        installed: false,
        created: false,
        schema: null,
        needsPreload: false,
        preloaded: false,
        package: 'postgresql-15-hypopg',
        purpose: 'x',
      },
    ],
    [],
    'shop',
  )!;
  assert.match(steps(missing)[0], /apt-get install postgresql-15-hypopg/);
  assert.equal(steps(missing)[1], 'hypopg: CREATE EXTENSION IF NOT EXISTS hypopg; -- in database "shop", as its owner or a superuser');
});

test('pg_qualstats: the predicates a session evaluated (loaded locally, as without preload)', async () => {
  const c = await pool.connect();
  try {
    await c.query('CREATE EXTENSION IF NOT EXISTS pg_qualstats');
    await c.query(`LOAD 'pg_qualstats'`);
    await c.query('SET pg_qualstats.sample_rate = 1');
    await c.query(`SELECT count(*) FROM ${S}.t_dup WHERE code = $1`, ['c7']); // no valid index on code: a Filter
    const rows = await readQualstats(c, 'public');
    const b = rows.find((r) => r.table === 't_dup' && r.column === 'code')!;
    assert.ok(b, JSON.stringify(rows));
    assert.equal(b.operator, '=');
    assert.equal(b.evalType, 'f');
    assert.ok(b.executionCount > 0);
    assert.match(
      qualstatEvidence(b),
      /pg_qualstats: dbhealth\.t_dup\.code = \.\.\. evaluated on [\d,]+ rows in \d+ executions, filtered out [\d.]+% \(after a scan: no index served it\)/,
    );
    assert.deepEqual(await readQualstats(c, 'public', ['1']), [], 'filtered by queryid');
  } finally {
    c.release(true); // the library stays loaded in that backend: do not return it to the pool
    await pool.query('DROP EXTENSION IF EXISTS pg_qualstats');
  }
});
