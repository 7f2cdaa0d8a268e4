// Real parameter values against a real PostgreSQL with hypopg. A skewed column: 99.8% of the tickets
// are closed, 0.2% open. pg_stat_statements shows `status = $1`; the generic plan assumes a third of
// the table matches and scans it, so an index on status does not pay on the generic plan. The app
// only ever asks for the open ones: with the literal-bearing sample taken from pg_stat_activity
// (status = 'open'), the custom plan uses the index and saves most of the cost. Direction: the
// generic plan says no, the real value says yes. The values never reach the result.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pool } from 'pg';
import { adviseIndexes, type AdvisorResult } from '../../activities/skills/database-optimization-analyzer/advisor';
import { prepareHypopg } from '../../activities/postgres/hypopg';
import { ensureParser } from '../../activities/postgres/sql-parse';
import { harvestValueSamples } from '../../activities/postgres/value-samples';
import { sampleDatabaseActivity } from '../../activities/profiling/database-activity';
import { testPool } from '../helpers/services';

const DB = 'perf_test_realvalues_advisor';
let pool: Pool;
let hypopgSchema: string;

const QUERY = 'SELECT id, title FROM rv.tickets WHERE status = $1';
const SAMPLE = "SELECT id, title FROM rv.tickets WHERE status = 'open'";

before(async () => {
  assert.ok(await ensureParser());
  pool = await testPool(DB);
  const h = await prepareHypopg(pool, true);
  assert.ok(h.schema, `hypopg is required: ${h.note}`);
  hypopgSchema = h.schema;
  await pool.query(`DROP SCHEMA IF EXISTS rv CASCADE; CREATE SCHEMA rv;
    CREATE TABLE rv.tickets (id int PRIMARY KEY, status text NOT NULL, title text NOT NULL, body text);
    INSERT INTO rv.tickets SELECT g, CASE WHEN g % 500 = 0 THEN 'open' WHEN g % 500 = 1 THEN 'pending' ELSE 'closed' END,
      't' || g, repeat('b', 80) FROM generate_series(1, 100000) g;`);
  await pool.query('VACUUM ANALYZE rv.tickets');
});

after(async () => {
  await pool?.query('DROP SCHEMA IF EXISTS rv CASCADE').catch(() => undefined);
  await pool?.end();
});

function advise(samples?: string[]): Promise<AdvisorResult> {
  return adviseIndexes(
    pool,
    { schemas: ['rv'], statements: [{ queryid: '1', query: QUERY, calls: 2000, totalMs: 2000 * 12, rows: 2000 * 200 }], samples },
    { hypopgSchema },
  );
}

test('generic plan alone: no index on the skewed column (a third of the table is assumed to match)', async () => {
  const r = await advise();
  assert.deepEqual(
    r.recommendations.map((x) => x.table),
    [],
    JSON.stringify(r.rejected),
  );
});

test("with a sampled value (status = 'open') the custom plan uses the index: proposed, and the evidence says which plan shape saved", async () => {
  const r = await advise([SAMPLE, 'SELECT 1', "SELECT id FROM rv.tickets WHERE title = 'x'"]);
  assert.equal(r.recommendations.length, 1, `${r.notes.join(' | ')} ${JSON.stringify(r.rejected)}`);
  const rec = r.recommendations[0];
  assert.equal(rec.table, 'tickets');
  assert.deepEqual(
    rec.keys.map((k) => k.name),
    ['status'],
  );
  const shapes = rec.statements[0].planShapes!;
  assert.ok(shapes.generic.savingPct < 50, `the generic plan saves too little: ${JSON.stringify(shapes)}`);
  assert.ok(shapes.custom && shapes.custom.used && shapes.custom.samples === 1, JSON.stringify(shapes));
  assert.ok(shapes.custom.savingPct > 80, JSON.stringify(shapes));
  assert.ok(!JSON.stringify(r).includes("'open'"), 'the sampled values stay out of the result');
});

test('harvest: a literal query seen in pg_stat_activity matches its pg_stat_statements entry by fingerprint', async () => {
  const busy = await pool.connect();
  try {
    const running = busy.query("SELECT id, title, pg_sleep(0.5) FROM rv.tickets WHERE id = 500 AND status = 'open'");
    // The window's sampler, as the profiler runs it beside the load: 4 samples, the literal text kept once.
    const { samples } = await sampleDatabaseActivity(pool, 0.4, 100);
    await running;
    const texts = samples.flatMap((x) => x.literals ?? []);
    assert.equal(texts.filter((t) => t.includes("status = 'open'")).length, 1, 'kept once over the window');
    const matched = harvestValueSamples(texts, [
      { queryid: 'q', query: 'SELECT id, title, pg_sleep($1) FROM rv.tickets WHERE id = $2 AND status = $3' },
      { queryid: 'other', query: QUERY },
    ]);
    assert.deepEqual([...matched.keys()], ['q'], JSON.stringify(texts));
    assert.match(matched.get('q')![0], /status = 'open'/);
    assert.ok(
      samples.every((x) => x.sessions.every((y) => !y.query.includes("'open'"))),
      'the session list keeps only the normalized text',
    );
  } finally {
    busy.release();
  }
});
