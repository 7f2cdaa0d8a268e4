// database.advisor in the target profile: defaults, and clear messages naming the field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTargetProfile } from '../../common/profile';
import { analyzerOptionsFor, DEFAULT_ANALYZER_OPTIONS } from '../../activities/skills/database-optimization-analyzer/options';

const input = (advisor?: unknown) => ({
  name: 'shop',
  http: { baseUrl: 'http://127.0.0.1:3999', endpoints: [{ name: 'home', path: '/' }] },
  database: { urlEnv: 'SHOP_DATABASE_URL', ...(advisor === undefined ? {} : { advisor }) },
  targets: { p95Ms: 100, p99Ms: 200, throughputRps: 50 },
});

test('database.advisor defaults equal the analyzer defaults', () => {
  const p = parseTargetProfile(input());
  assert.deepEqual(p.database!.advisor, {
    minPlanCost: 100,
    minSavingPct: 50,
    minTableRows: 10_000,
    minCalls: 5,
    minMeanMs: 0,
    minTotalMs: 0,
    nPlusOneMinCallsPerRequest: 5,
    includeTables: [],
    excludeTables: [],
    explainAnalyze: false,
    sampleQueries: [],
    rewrites: false,
    rewriteMinOffset: 1000,
    partitionMinRows: 10_000_000,
    minCounterAgeDays: 7,
    tieMarginPct: 2,
    slowMeanMs: 5,
  });
  const o = analyzerOptionsFor(p);
  for (const k of [
    'minPlanCost',
    'minSavingFraction',
    'minTableRows',
    'minCalls',
    'minMeanMs',
    'minTotalMs',
    'nPlusOneMinCallsPerRequest',
    'includeTables',
    'excludeTables',
    'explainAnalyze',
    'sampleQueries',
    'rewrites',
    'rewriteMinOffset',
  ] as const) {
    assert.deepEqual(o[k], DEFAULT_ANALYZER_OPTIONS[k], k);
  }
  assert.equal(o.health.partitionMinRows, 10_000_000);
  assert.equal(o.health.minCounterAgeDays, 7);
});

test('database.advisor values reach the analyzer options; explicit options win', () => {
  const p = parseTargetProfile(
    input({
      minTableRows: 500,
      minSavingPct: 30,
      minMeanMs: 0.5,
      minTotalMs: 20,
      excludeTables: ['audit_*'],
      explainAnalyze: true,
      partitionMinRows: 1000,
      sampleQueries: ['SELECT 1 FROM t WHERE a = 5'],
    }),
  );
  const o = analyzerOptionsFor(p);
  assert.equal(o.minTableRows, 500);
  assert.equal(o.minSavingFraction, 0.3);
  assert.equal(o.minMeanMs, 0.5);
  assert.equal(o.minTotalMs, 20);
  assert.deepEqual(o.excludeTables, ['audit_*']);
  assert.equal(o.explainAnalyze, true);
  assert.deepEqual(o.sampleQueries, ['SELECT 1 FROM t WHERE a = 5']);
  assert.equal(o.health.partitionMinRows, 1000);
  const x = analyzerOptionsFor(p, { minTableRows: 7, health: { partitionMinRows: 9 } });
  assert.equal(x.minTableRows, 7);
  assert.equal(x.health.partitionMinRows, 9);
});

test('a bad database.advisor value gets a message naming the field', () => {
  assert.throws(() => parseTargetProfile(input({ minTableRows: -1 })), /database\.advisor\.minTableRows: /);
  assert.throws(() => parseTargetProfile(input({ minSavingPct: 150 })), /database\.advisor\.minSavingPct: is a percentage \(at most 100\)/);
  assert.throws(() => parseTargetProfile(input({ explainAnalyze: 'yes' })), /database\.advisor\.explainAnalyze: /);
  assert.throws(() => parseTargetProfile(input({ minCall: 3 })), /database\.advisor: .*minCall/);
  assert.throws(() => parseTargetProfile(input({ sampleQueries: 'SELECT 1' })), /database\.advisor\.sampleQueries: /);
  assert.throws(() => parseTargetProfile(input({ sampleQueries: [''] })), /database\.advisor\.sampleQueries\.0: /);
});

test('database.advisor.rewrites turns the query rewrites on (off by default); a bad rewriteMinOffset names the field', () => {
  const o = analyzerOptionsFor(parseTargetProfile(input({ rewrites: true, rewriteMinOffset: 5000 })));
  assert.equal(o.rewrites, true);
  assert.equal(o.rewriteMinOffset, 5000);
  assert.equal(analyzerOptionsFor(parseTargetProfile(input())).rewrites, false);
  assert.throws(() => parseTargetProfile(input({ rewriteMinOffset: 0 })), /rewriteMinOffset/);
  assert.throws(() => parseTargetProfile(input({ rewrites: 'yes' })), /rewrites/);
});

test('database.advisor.minCounterAgeDays reaches the health options; a bad value names the field, in the profile or explicit', () => {
  assert.equal(analyzerOptionsFor(parseTargetProfile(input({ minCounterAgeDays: 0 }))).health.minCounterAgeDays, 0);
  assert.equal(analyzerOptionsFor(parseTargetProfile(input({ minCounterAgeDays: 0.5 }))).health.minCounterAgeDays, 0.5);
  assert.throws(() => parseTargetProfile(input({ minCounterAgeDays: -1 })), /database\.advisor\.minCounterAgeDays: is a number of days/);
  assert.throws(() => parseTargetProfile(input({ minCounterAgeDays: '7' })), /database\.advisor\.minCounterAgeDays: /);
  const p = parseTargetProfile(input());
  assert.throws(() => analyzerOptionsFor(p, { health: { minCounterAgeDays: -2 } }), /health option minCounterAgeDays .*\(got -2\)/);
  assert.throws(() => analyzerOptionsFor(p, { health: { minCounterAgeDays: Number.NaN } }), /minCounterAgeDays must be a finite number/);
});

test('database.advisor.tieMarginPct reaches the advisor as a fraction; explicit advisor options win; a bad value names the field', () => {
  assert.equal(analyzerOptionsFor(parseTargetProfile(input())).advisor.tieMargin, 0.02);
  assert.equal(analyzerOptionsFor(parseTargetProfile(input({ slowMeanMs: 20 }))).advisor.slowMeanMs, 20);
  assert.equal(analyzerOptionsFor(parseTargetProfile(input({ tieMarginPct: 5 }))).advisor.tieMargin, 0.05);
  assert.equal(analyzerOptionsFor(parseTargetProfile(input({ tieMarginPct: 5 })), { advisor: { tieMargin: 0 } }).advisor.tieMargin, 0);
  assert.throws(() => parseTargetProfile(input({ tieMarginPct: 100 })), /database\.advisor\.tieMarginPct: is a percentage \(below 100\)/);
  assert.throws(() => parseTargetProfile(input({ tieMarginPct: -1 })), /database\.advisor\.tieMarginPct: /);
});
