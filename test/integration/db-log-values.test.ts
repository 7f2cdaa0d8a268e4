// Real parameter values from the server's log against a real PostgreSQL 15 with hypopg. The
// application (node-postgres, extended protocol) asks for the open tickets with `status = $1`:
// pg_stat_activity and pg_stat_statements only ever show `$1`, and the generic plan assumes a third of
// the table matches, so an index on status does not pay on it. With log_min_duration_statement = 0
// set on this test's database only, the server logs each call with `DETAIL:  parameters: $1 =
// 'open'`; the profile reads the part of the log written during the window, and the custom plan with
// that value proposes the index. The value never reaches the findings.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { accessSync, constants } from 'node:fs';
import { dirname } from 'node:path';
import { Pool } from 'pg';
import { TargetConnections } from '../../activities/connections';
import type { ActivityDeps } from '../../activities/deps';
import { createDatabaseProfileActivities } from '../../activities/profiling/database';
import type { DatabaseWindow, StatsSnapshot } from '../../activities/postgres/statistics';
import { analyzeDatabase } from '../../activities/skills/database-optimization-analyzer';
import { loadArtifact } from '../../activities/store/artifacts';
import { migrateStore } from '../../activities/store/schema';
import { parseTargetProfile, type TargetProfile } from '../../common/profile';
import { testDatabase, testPool } from '../helpers/services';

const DB = 'perf_test_logparams_values';
const QUERY = 'SELECT id, title FROM lp.tickets WHERE status = $1';

let admin: Pool; // this database's setup, and the setting reset after
let store: Pool;
let deps: ActivityDeps;
let target: TargetProfile;

/** Where this server writes its log: PERF_TEST_PG_LOG, or Debian's /var/log/postgresql/postgresql-<major>-<cluster>.log. */
async function serverLogFile(pool: Pool): Promise<string> {
  const { rows } = await pool.query(
    `SELECT pg_current_logfile() AS current, current_setting('data_directory') AS data, current_setting('server_version_num')::int / 10000 AS major`,
  );
  const cluster = String(rows[0].data).split('/').pop();
  const file =
    process.env.PERF_TEST_PG_LOG ??
    (rows[0].current ? `${rows[0].data}/${rows[0].current}` : `/var/log/postgresql/postgresql-${rows[0].major}-${cluster}.log`);
  try {
    accessSync(file, constants.R_OK);
  } catch (err) {
    throw new Error(
      `this test reads PostgreSQL's log at ${file} (${(err as Error).message}); set PERF_TEST_PG_LOG to the server's log ` +
        `(SHOW log_destination must include stderr), or run the tests as a user that may read it`,
      { cause: err },
    );
  }
  return file;
}

before(async () => {
  admin = await testPool(DB);
  store = await testPool(`${DB}_store`);
  await migrateStore(store);
  const logFile = await serverLogFile(admin);
  const connections = new TargetConnections({ LOGPARAMS_DATABASE_URL: await testDatabase(DB) });
  deps = { store, connections, policy: { ...connections.policy, logDirs: [dirname(logFile)] } };
  target = parseTargetProfile({
    name: 'logparams',
    http: { baseUrl: 'http://127.0.0.1:3999', endpoints: [{ name: 'tickets', path: '/tickets' }] },
    database: { urlEnv: 'LOGPARAMS_DATABASE_URL', schemas: ['lp'], logFile },
    targets: { p95Ms: 100, p99Ms: 200, throughputRps: 50 },
  });
  await admin.query(`CREATE EXTENSION IF NOT EXISTS hypopg;
    DROP SCHEMA IF EXISTS lp CASCADE; CREATE SCHEMA lp;
    CREATE TABLE lp.tickets (id int PRIMARY KEY, status text NOT NULL, title text NOT NULL, body text);
    INSERT INTO lp.tickets SELECT g, CASE WHEN g % 500 = 0 THEN 'open' WHEN g % 500 = 1 THEN 'pending' ELSE 'closed' END,
      't' || g, repeat('b', 80) FROM generate_series(1, 100000) g;`);
  await admin.query('VACUUM ANALYZE lp.tickets');
  // This database only: other tests share the server.
  await admin.query(`ALTER DATABASE ${DB} SET log_min_duration_statement = 0`);
});

after(async () => {
  await admin?.query(`ALTER DATABASE ${DB} RESET log_min_duration_statement`).catch(() => undefined);
  await admin?.query('DROP SCHEMA IF EXISTS lp CASCADE').catch(() => undefined);
  await admin?.end();
  await store?.end();
});

test('values logged during the window reach the custom plans: the index a generic plan rejects is proposed, the log named as the source', async () => {
  const { captureDatabaseSnapshot, profileDatabase } = createDatabaseProfileActivities(deps);
  const before = await captureDatabaseSnapshot({ runId: 'logparams-test', target });
  assert.ok(before.snapshotId, before.problems.join(' | '));
  const snapshot = await loadArtifact<StatsSnapshot>(store, before.snapshotId);
  assert.ok(snapshot.logPosition && snapshot.logPosition.size > 0, 'the log position at the window start is kept');

  // The application: new sessions (they take the database's setting), extended protocol.
  const app = new Pool({ connectionString: await testDatabase(DB), max: 2 });
  try {
    for (let i = 0; i < 20; i++) await app.query(QUERY, ['open']);
  } finally {
    await app.end();
  }

  const profile = await profileDatabase({
    runId: 'logparams-test',
    target,
    beforeSnapshotId: before.snapshotId,
    windowRequests: 20,
    totalRequestLatencyMs: 20 * 15,
    activityNotMeasured: 'not sampled in this test',
  });
  assert.equal(profile.available, true, profile.problems.join(' | '));
  assert.deepEqual(
    profile.problems.filter((p) => p.startsWith('database.logFile')),
    [],
  );
  const window = await loadArtifact<DatabaseWindow>(store, profile.windowArtifactId!);
  assert.deepEqual(window.logValueSamples, ["SELECT id, title FROM lp.tickets WHERE status = 'open'"]);
  assert.deepEqual(window.valueSamples, [], 'pg_stat_activity had nothing: the extended protocol shows $1');

  const { findings, advisor } = await analyzeDatabase(admin, target, profile, { healthChecks: false }, { store });
  const rec = advisor?.recommendations.find((r) => r.table === 'tickets');
  assert.ok(rec, `no index proposed: ${JSON.stringify(advisor?.rejected)} ${advisor?.notes.join(' | ')}`);
  assert.deepEqual(
    rec.keys.map((k) => k.name),
    ['status'],
  );
  const shapes = rec.statements[0].planShapes!;
  assert.ok(shapes.generic.savingPct < 50, `the generic plan alone would not propose it: ${JSON.stringify(shapes)}`);
  assert.ok(shapes.custom?.used && shapes.custom.savingPct > 80 && shapes.custom.samples === 1, JSON.stringify(shapes));
  assert.deepEqual(shapes.custom.sources, ['log']);
  const text = JSON.stringify(findings);
  assert.match(text, /custom plans with 1 real value set sampled from the server's log/);
  assert.ok(!text.includes("'open'"), 'the logged value stays out of the findings');
});
