// The database skill's pure analyze step on hand-made evidence.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeDatabaseEvidence } from '../../activities/skills/database-optimization-analyzer/analyze';
import type { DatabaseEvidence } from '../../activities/skills/database-optimization-analyzer/findings';
import { analyzerOptionsFor } from '../../activities/skills/database-optimization-analyzer/options';
import { ensureParser } from '../../activities/postgres/sql-parse';
import { parseTargetProfile } from '../../common/profile';

const target = parseTargetProfile({
  name: 'shop',
  http: { baseUrl: 'http://127.0.0.1:3100', endpoints: [{ name: 'home', path: '/' }] },
  database: { urlEnv: 'SHOP_DATABASE_URL' },
  targets: { p95Ms: 50, p99Ms: 100, throughputRps: 100 },
});

const evidence = (over: Partial<DatabaseEvidence> = {}): DatabaseEvidence => ({
  windowRequests: 100,
  statements: [
    {
      queryid: '1',
      query: 'SELECT id, name FROM categories WHERE id = $1',
      calls: 2_000,
      totalMs: 200,
      rows: 2_000,
      sharedBlksHit: 0,
      sharedBlksRead: 0,
    },
  ],
  advisor: null,
  qualstats: [],
  samplePlans: {},
  actual: {},
  health: null,
  extensions: null,
  ...over,
});

before(async () => {
  assert.ok(await ensureParser());
});

test('N+1 from the statements of the evidence: 20 single-row lookups per request', () => {
  const { findings, notes } = analyzeDatabaseEvidence(evidence(), analyzerOptionsFor(target), target);
  assert.deepEqual(
    findings.map((f) => f.rootCause),
    ['n_plus_one'],
  );
  assert.deepEqual(notes, []);
});

test('a part that throws becomes a note; the other parts still report', () => {
  const broken = evidence({ health: { snapshot: {} as never, window: null } });
  const { findings, notes } = analyzeDatabaseEvidence(broken, analyzerOptionsFor(target), target);
  assert.deepEqual(
    findings.map((f) => f.rootCause),
    ['n_plus_one'],
  );
  assert.equal(notes.length, 1);
  assert.match(notes[0], /^health checks failed: /);
});
