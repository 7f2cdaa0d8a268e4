// GIN/GiST candidates without the sampleVerify opt-in: proposed NOT verified, saying why and how to
// verify them; a trigram index in a database without pg_trgm (the server has it) becomes a manual
// finding whose first step creates the extension (the create_index action cannot).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pool } from 'pg';
import { adviseIndexes } from '../../activities/skills/database-optimization-analyzer/advisor';
import { ensureParser } from '../../activities/postgres/sql-parse';
import { indexFinding } from '../../activities/skills/database-optimization-analyzer/index-finding';
import type { DatabaseEvidence } from '../../activities/skills/database-optimization-analyzer/findings';
import { DEFAULT_ANALYZER_OPTIONS } from '../../activities/skills/database-optimization-analyzer/options';
import { parseTargetProfile } from '../../common/profile';
import { testPool } from '../helpers/services';

const DB = 'perf_test_gin_unverified';
let pool: Pool;

const target = parseTargetProfile({
  name: 'shop',
  http: { baseUrl: 'http://127.0.0.1:3999', endpoints: [{ name: 'home', path: '/' }] },
  database: { urlEnv: 'SHOP_DATABASE_URL' },
  targets: { p95Ms: 100, p99Ms: 200, throughputRps: 50 },
});
const evidence = { windowRequests: 1000, qualstats: [], samplePlans: {}, actual: {} } as unknown as DatabaseEvidence;

before(async () => {
  assert.ok(await ensureParser());
  pool = await testPool(DB);
  await pool.query(`
    DROP EXTENSION IF EXISTS pg_trgm;
    DROP SCHEMA IF EXISTS gu CASCADE;
    CREATE SCHEMA gu;
    CREATE TABLE gu.docs (id int PRIMARY KEY, payload jsonb NOT NULL, name text NOT NULL);
    INSERT INTO gu.docs SELECT g, jsonb_build_object('tenant', g % 3000, 'n', g), md5(g::text) FROM generate_series(1, 20000) g;
  `);
  await pool.query('VACUUM ANALYZE gu.docs');
});

after(async () => {
  await pool?.end();
});

const advise = (query: string) =>
  adviseIndexes(
    pool,
    { schemas: ['gu'], statements: [{ queryid: '1', query, calls: 300, totalMs: 3000, rows: 3000 }] },
    { hypopgSchema: null },
  );

test('without sampleVerify: proposed NOT verified, the finding says hypopg cannot model it and how to verify it', async () => {
  const r = await advise('SELECT id FROM gu.docs WHERE payload @> $1');
  assert.equal(r.recommendations.length, 1);
  const rec = r.recommendations[0];
  assert.deepEqual(
    [rec.method, rec.keys, rec.verified, rec.verifiedBy],
    ['gin', [{ name: 'payload', opclass: 'jsonb_path_ops' }], false, null],
  );
  assert.equal(rec.savedMs, 1500, 'the assumed saving: 50% of the window time');
  assert.match(
    r.notes.join(' | '),
    /hypopg cannot model gin\/gist indexes: 1 such proposal is NOT verified; enable the advisor option sampleVerify/,
  );
  const f = indexFinding(rec, target, evidence, DEFAULT_ANALYZER_OPTIONS);
  assert.match(f.evidence[0], /^NOT verified: hypopg cannot model gin indexes; enable the advisor option sampleVerify/);
  assert.equal(f.risk, 'medium');
  assert.equal(f.action.type, 'create_index');
  assert.match(f.title, /USING gin \(payload jsonb_path_ops\)/);
});

test('trigram ILIKE in a database without pg_trgm: a manual action, CREATE EXTENSION first, then the index', async () => {
  const r = await advise("SELECT id FROM gu.docs WHERE name ILIKE '%ab12%'");
  const rec = r.recommendations[0];
  assert.ok(rec, JSON.stringify(r));
  assert.equal(rec.needsExtension, 'pg_trgm');
  assert.deepEqual(rec.keys, [{ name: 'name', opclass: 'gin_trgm_ops' }]);
  const f = indexFinding(rec, target, evidence, DEFAULT_ANALYZER_OPTIONS);
  assert.equal(f.action.type, 'manual');
  const steps = (f.action as { steps: string[] }).steps;
  assert.equal(steps[0], 'run: CREATE EXTENSION IF NOT EXISTS "pg_trgm"');
  assert.match(steps[1], /^run: CREATE INDEX CONCURRENTLY .* ON "gu"\."docs" USING gin \("name" "gin_trgm_ops"\)$/);
  assert.match(f.evidence[0], /needs the pg_trgm extension/);
});

test('sampleVerify asked for but pg_trgm missing: still unverified (the sample cannot build the index), never an error', async () => {
  const r = await adviseIndexes(
    pool,
    {
      schemas: ['gu'],
      statements: [{ queryid: '1', query: 'SELECT id FROM gu.docs WHERE name ILIKE $1', calls: 300, totalMs: 3000, rows: 3000 }],
    },
    { hypopgSchema: null },
    { sampleVerify: { enabled: true, maxRows: 1000, timeoutMs: 5000 } },
  );
  assert.deepEqual(
    r.recommendations.map((x) => [x.verifiedBy, x.needsExtension]),
    [[null, 'pg_trgm']],
  );
});
