// The unused-index check against a real PostgreSQL 15: how long the scan counters have run (stats_reset, or the
// server's start when it is NULL), no drop on counters a pg_stat_reset() has just zeroed, and indexes on
// foreign keys (one column, two columns in permuted order) named with what would scan the table without them.
// Its own database: pg_stat_reset() resets the counters of the current database.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Pool } from 'pg';
import { collectHealth, healthFindings, type HealthSnapshot } from '../../activities/skills/database-optimization-analyzer/health';
import { counterAge } from '../../activities/skills/database-optimization-analyzer/health/checks/counter-age';
import { runDatabase } from '../helpers/services';

const S = 'health_age';
let db: Awaited<ReturnType<typeof runDatabase>>;
let pool: Pool;
let fresh: HealthSnapshot; // before any reset: stats_reset is NULL
let reset: HealthSnapshot; // just after pg_stat_reset()

before(async () => {
  db = await runDatabase('perf_test_health_age');
  pool = new Pool({ connectionString: db.url, max: 2 });
  await pool.query(`
    CREATE SCHEMA ${S};
    CREATE TABLE ${S}.parent (id int PRIMARY KEY);
    CREATE TABLE ${S}.pair (x int, y int, PRIMARY KEY (x, y));
    CREATE TABLE ${S}.child (
      id int PRIMARY KEY, parent_id int NOT NULL REFERENCES ${S}.parent (id) ON DELETE CASCADE,
      px int NOT NULL, py int NOT NULL, note text,
      CONSTRAINT child_pair_fkey FOREIGN KEY (px, py) REFERENCES ${S}.pair (x, y));
    INSERT INTO ${S}.parent SELECT g FROM generate_series(1, 100) g;
    INSERT INTO ${S}.pair SELECT g, g FROM generate_series(1, 100) g;
    INSERT INTO ${S}.child SELECT g, 1 + g % 100, 1 + g % 100, 1 + g % 100, 'n' || g FROM generate_series(1, 5000) g;
    CREATE INDEX child_parent_idx ON ${S}.child (parent_id);
    CREATE INDEX child_pair_idx ON ${S}.child (py, px);
    CREATE INDEX child_parent_partial_idx ON ${S}.child (parent_id) WHERE note IS NULL;
    CREATE INDEX child_note_idx ON ${S}.child (note);
    ANALYZE ${S}.parent, ${S}.pair, ${S}.child;
  `);
  fresh = await collectHealth(pool, [S]);
  await pool.query('SELECT pg_stat_reset()');
  reset = await collectHealth(pool, [S]);
});

after(async () => {
  await pool?.end();
  await db?.drop();
});

const unused = (s: HealthSnapshot, o = {}) => healthFindings(s, null, [], o).filter((f) => f.rootCause === 'unused_index');

test('counter age: a new database has no stats_reset (the server start bounds it); pg_stat_reset() sets it to now', async () => {
  assert.equal(fresh.statsReset, null);
  const started = (await pool.query('SELECT pg_postmaster_start_time() AS t')).rows[0].t as Date;
  assert.equal(fresh.serverStart, started.toISOString());
  const discarded = (await pool.query('SELECT stats_reset AS t FROM pg_stat_bgwriter')).rows[0].t as Date | null;
  assert.equal(fresh.sharedStatsReset, discarded?.toISOString() ?? null, 'the reader reads the cluster-wide discard time');
  const age = counterAge(fresh)!;
  const later = Math.max(started.getTime(), discarded?.getTime() ?? 0);
  assert.equal(Date.parse(age.since), later, 'the later of the server start and the discard');
  assert.equal(age.source, later === started.getTime() ? 'server_start' : 'stats_discard');

  assert.ok(reset.statsReset, 'pg_stat_reset() sets pg_stat_database.stats_reset');
  const since = Date.parse(reset.takenAt) - Date.parse(reset.statsReset!);
  assert.ok(since >= 0 && since < 60_000, `reset ${since} ms before the snapshot`);
  assert.equal(counterAge(reset)!.source, 'stats_reset');
});

test('just after pg_stat_reset(): no index is offered for dropping; one piece of advice says how young the counters are', () => {
  const found = unused(reset);
  assert.deepEqual(
    found.map((f) => [f.id, f.action.type]),
    [['db-health-unused-indexes-young-counters', 'manual']],
  );
  const f = found[0];
  assert.match(f.title, /^4 indexes scanned at most 50 times, but the scan counters have run only 0(\.\d)? hours \(minimum 7 days\)/);
  assert.ok(
    f.evidence.some((e) => e.includes(`(since ${reset.statsReset}, this database's statistics reset (pg_stat_database.stats_reset))`)),
    f.evidence.join('\n'),
  );
  assert.ok(f.evidence.some((e) => /child_parent_idx .*: 0 scans, .*; it serves foreign key child_parent_id_fkey/.test(e)));
  assert.ok(f.evidence.some((e) => /^health_age\.child_note_idx on child \(note\): 0 scans/.test(e)));
  assert.ok(!healthFindings(reset, null, []).some((x) => x.action.type === 'drop_index'));
});

test('counters old enough (minimum 0): the plain indexes get a drop; the foreign-key ones only advice, saying what would scan', () => {
  const found = unused(reset, { minCounterAgeDays: 0 });
  assert.deepEqual(found.map((f) => [f.id, f.action.type]).sort(), [
    ['db-health-foreign-key-indexes', 'manual'],
    ['db-unused-index-health_age-child_note_idx', 'drop_index'],
    ['db-unused-index-health_age-child_parent_partial_idx', 'drop_index'], // partial: the foreign key's checks cannot use it
  ]);
  const fk = found.find((f) => f.id === 'db-health-foreign-key-indexes')!;
  assert.match(fk.title, /^2 indexes on foreign-key columns/);
  const text = fk.evidence.join('\n');
  assert.match(
    text,
    /health_age\.child_parent_idx on child \(parent_id\): 0 scans, .*; it serves foreign key child_parent_id_fkey \(parent_id\) -> health_age\.parent \(ON DELETE CASCADE, ON UPDATE NO ACTION\): without it, ON DELETE\/UPDATE of health_age\.parent rows would scan health_age\.child \(5,000 rows\) for each deleted\/updated key/,
  );
  assert.match(
    text,
    /health_age\.child_pair_idx on child \(py, px\): .*; it serves foreign key child_pair_fkey \(px, py\) -> health_age\.pair .* would scan health_age\.child \(5,000 rows\)/,
  );
  assert.match(fk.rollback, /CREATE INDEX CONCURRENTLY child_parent_idx ON health_age\.child USING btree \(parent_id\);/);
});

test('what the wording claims: a delete of a parent row looks the child rows up through the foreign-key index', async () => {
  const scans = async () =>
    Number(
      (await pool.query(`SELECT idx_scan FROM pg_stat_user_indexes WHERE indexrelid = '${S}.child_parent_idx'::regclass`)).rows[0].idx_scan,
    );
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    await c.query(`DELETE FROM ${S}.parent WHERE id = 7`);
    await c.query('ROLLBACK');
    await c.query('SELECT pg_stat_force_next_flush()');
  } finally {
    c.release();
  }
  await pool.query('SELECT pg_stat_clear_snapshot()');
  assert.ok((await scans()) > 0, 'the ON DELETE CASCADE lookup scanned child_parent_idx');
});
