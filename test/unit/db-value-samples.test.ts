// Real parameter values: literal-bearing texts matched to pg_stat_statements entries by fingerprint
// (value-samples.ts), and how the custom plans' saving combines with the generic one (custom-plans.ts).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ensureParser } from '../../activities/postgres/sql-parse';
import {
  harvestValueSamples,
  sampleSetsByFingerprint,
  samplesByFingerprint,
  VALUE_SAMPLE_MAX_LENGTH,
} from '../../activities/postgres/value-samples';
import { keepNewLiterals } from '../../activities/profiling/database-activity';
import { planShapesEvidence } from '../../activities/skills/database-optimization-analyzer/index-finding';
import { decisiveSaving, meanRatio } from '../../activities/skills/database-optimization-analyzer/advisor/custom-plans';

before(async () => {
  assert.equal(await ensureParser(), true);
});

const PGSS = [
  { queryid: 'a', query: 'SELECT id FROM app.tickets WHERE status = $1 AND owner = $2' },
  { queryid: 'b', query: 'UPDATE app.tickets SET seen = $1 WHERE id = $2' },
  { queryid: 'c', query: 'SELECT id FROM app.tickets WHERE id = ANY($1)' },
];

test('harvest: literal texts match their pgss entry whatever the values and spacing; a few distinct value sets each', () => {
  const texts = [
    "SELECT id FROM app.tickets WHERE status = 'open' AND owner = 7",
    "select id from app.tickets where status = 'open' and owner = 8;",
    "SELECT id FROM app.tickets WHERE status = 'open' AND owner = 7", // the same value set again
    "SELECT id FROM app.tickets WHERE status = 'closed' AND owner = 9",
    "SELECT id FROM app.tickets WHERE status = 'x' AND owner = 10", // a fourth: over the limit of 3
    'UPDATE app.tickets SET seen = true WHERE id = 42',
  ];
  const m = harvestValueSamples(texts, PGSS);
  assert.deepEqual([...m.keys()].sort(), ['a', 'b']);
  assert.equal(m.get('a')!.length, 3);
  assert.equal(m.get('a')![1], "select id from app.tickets where status = 'open' and owner = 8", 'trailing semicolon dropped');
  assert.deepEqual(m.get('b'), ['UPDATE app.tickets SET seen = true WHERE id = 42']);
});

test('harvest skips what is no real-value instance: $n (extended protocol), no literal, several statements, junk, too long', () => {
  const skipped = [
    'SELECT id FROM app.tickets WHERE status = $1 AND owner = $2',
    'SELECT id FROM app.tickets',
    "SELECT id FROM app.tickets WHERE status = 'a' AND owner = 1; SELECT 1",
    "SELECT id FROM app.tickets WHERE status = 'a' AND owner =",
    'INSERT INTO app.tickets (id) VALUES (1)',
    `SELECT id FROM app.tickets WHERE status = '${'x'.repeat(VALUE_SAMPLE_MAX_LENGTH)}' AND owner = 1`,
  ];
  assert.equal(samplesByFingerprint(skipped).size, 0);
  assert.equal(harvestValueSamples(skipped, PGSS).size, 0);
});

test('samples from pg_stat_activity and the log together: each keeps its source, a text seen in both counts once (the first)', () => {
  const m = sampleSetsByFingerprint([
    "SELECT id FROM app.tickets WHERE status = 'open' AND owner = 7", // bare: pg_stat_activity
    { text: "SELECT id FROM app.tickets WHERE status = 'open' AND owner = 7", source: 'log' },
    { text: "SELECT id FROM app.tickets WHERE status = 'x' AND owner = 8", source: 'log' },
    { text: 'SELECT id FROM app.tickets WHERE status = $1 AND owner = $2', source: 'log' },
  ]);
  assert.deepEqual(
    [...m.values()],
    [
      [
        { text: "SELECT id FROM app.tickets WHERE status = 'open' AND owner = 7", source: 'activity' },
        { text: "SELECT id FROM app.tickets WHERE status = 'x' AND owner = 8", source: 'log' },
      ],
    ],
  );
});

test('the custom plans decide when there are samples; mean ratio over the samples planned both ways', () => {
  assert.equal(meanRatio([100, 200, 50], [10, null, 25]), (0.1 + 0.5) / 2);
  assert.equal(meanRatio([100], [null]), null);
  const generic = { ratio: 0.7, used: true };
  assert.deepEqual(decisiveSaving({ generic, custom: null }), generic);
  assert.deepEqual(decisiveSaving({ generic, custom: { ratio: 0.05, used: true, samples: 2, sources: ['activity'] } }), {
    ratio: 0.05,
    used: true,
  });
  assert.deepEqual(
    decisiveSaving({ generic: { ratio: 0.1, used: true }, custom: { ratio: 1, used: false, samples: 1, sources: ['log'] } }),
    {
      ratio: 1,
      used: false,
    },
  );
});

test('the sampler keeps each literal text once over the window, and at most 500', () => {
  const seen = new Set<string>();
  const sample = (literals: string[]) => ({ at: 0, sessions: [], literals });
  assert.deepEqual(keepNewLiterals(sample(['a 1', 'b 2']), seen).literals, ['a 1', 'b 2']);
  assert.deepEqual(keepNewLiterals(sample(['b 2', 'c 3']), seen).literals, ['c 3']);
  for (let i = 0; i < 600; i++) keepNewLiterals(sample([`q ${i}`]), seen);
  assert.equal(seen.size, 500);
});

test('the finding says which plan shapes showed the saving, without the values', () => {
  const line = planShapesEvidence({
    generic: { savingPct: 12.5, used: true },
    custom: { savingPct: 97.1, used: true, samples: 2 },
  });
  assert.match(
    line,
    /generic plan -12.5%, uses the index; custom plans with 2 real value sets sampled from pg_stat_activity -97.1%, uses the index/,
  );
  assert.match(
    planShapesEvidence({ generic: { savingPct: -3, used: false }, custom: { savingPct: 0, used: false, samples: 1 } }),
    /generic plan \+3%, does not use the index; custom plans with 1 real value set sampled from pg_stat_activity /,
  );
  const both = {
    generic: { savingPct: 1, used: false },
    custom: { savingPct: 90, used: true, samples: 3, sources: ['activity', 'log'] as const },
  };
  assert.match(
    planShapesEvidence({ ...both, custom: { ...both.custom, sources: ['log'] } }),
    /3 real value sets sampled from the server's log -90%/,
  );
  assert.match(
    planShapesEvidence({ ...both, custom: { ...both.custom, sources: [...both.custom.sources] } }),
    /from pg_stat_activity and the server's log/,
  );
});
