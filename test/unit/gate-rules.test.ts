import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gateVerdictOf, interleavedP95Ratio, pairP95s, storedP95Ratio, worstVerdict } from '../../common/gate/ratio';
import { evaluateThresholds, parseThreshold, ThresholdError } from '../../common/gate/thresholds';
import { wilsonInterval } from '../../common/gate/wilson';
import type { LoadTestSummary } from '../../common/types';

const est = (ratio: number, low: number, high: number) => ({ ratio, low, high, method: 'test', n: 5 });

test('gate rule: fail needs both the lower end above 1 and the estimate above the threshold; one alone warns', () => {
  assert.equal(gateVerdictOf(est(1.1, 1.02, 1.2)).verdict, 'fail');
  assert.equal(gateVerdictOf(est(1.04, 1.01, 1.07)).verdict, 'warn'); // surely worse, within 5%
  assert.equal(gateVerdictOf(est(1.08, 0.97, 1.2)).verdict, 'warn'); // over, but could be noise
  assert.equal(gateVerdictOf(est(1.03, 0.98, 1.08)).verdict, 'pass');
  // Boundaries: exactly 1.0 at the lower end and exactly the threshold do not count as beyond.
  assert.equal(gateVerdictOf(est(1.05, 1.0, 1.1)).verdict, 'pass');
  assert.equal(gateVerdictOf(est(1.0501, 1.0001, 1.1)).verdict, 'fail');
  assert.equal(gateVerdictOf(est(1.1, 1.02, 1.2), 1.15).verdict, 'warn');
  assert.equal(gateVerdictOf(null).verdict, 'warn');
});

test('interleaved ratio: a steady 10% slower candidate gives an interval above 1; identical pairs give ratio 1', () => {
  const pairs = [100, 120, 90, 110, 105].map((a, i) => ({ a, b: a * (1.1 + (i % 2 ? 0.01 : -0.01)) }));
  const r = interleavedP95Ratio(pairs)!;
  assert.ok(r.low > 1 && r.ratio > 1.08 && r.ratio < 1.12, JSON.stringify(r));
  assert.equal(gateVerdictOf(r).verdict, 'fail');
  assert.equal(interleavedP95Ratio([{ a: 10, b: 10 }]), null, 'one pair gives no interval');
});

test('interleaved pairs: a candidate block where nothing finished counts as at least its window, not as no data', () => {
  // Field test 4 (Knex pool of 2): the fourth candidate block answered nothing in its 4 s.
  const block = (p95: number, requests = 20, unfinished = 0) => ({ requests, latencyMs: { p95 }, durationSeconds: 4, unfinished });
  const raw = [
    [1649.7, 1678.3],
    [2181.1, 3016.7],
    [1157.1, 2814.0],
    [2273.3, 0],
    [1469.4, 2758.7],
  ];
  assert.equal(interleavedP95Ratio(raw.map(([a, b]) => ({ a, b }))), null, 'the raw p95 of 0 voids the interval');
  const pairs = raw.map(([a, b]) => pairP95s(block(a), b ? block(b) : block(0, 0, 8)));
  assert.deepEqual(pairs[3], { a: 2273.3, b: 4000 });
  const r = interleavedP95Ratio(pairs.filter((p) => p !== null))!;
  assert.ok(r.low > 1 && r.ratio > 1.5, JSON.stringify(r));
  assert.equal(gateVerdictOf(r).verdict, 'fail');
  // Nothing unanswered, an open model, or a baseline block without answers: no lower bound, no pair.
  assert.equal(pairP95s(block(100), block(0, 0, 0)), null);
  assert.equal(pairP95s(block(100), { ...block(0, 0, 8), model: 'open' }), null);
  assert.equal(pairP95s(block(0, 0, 8), block(100)), null);
});

test('stored ratio needs 10 seconds a side and reads per-second p95 series', () => {
  const base = Array.from({ length: 20 }, (_, i) => 20 + (i % 3));
  assert.equal(storedP95Ratio(base.slice(0, 9), base), null);
  const r = storedP95Ratio(base, base)!;
  assert.ok(Math.abs(r.ratio - 1) < 1e-9 && r.low < 1 && r.high > 1, JSON.stringify(r));
  const slower = storedP95Ratio(
    base,
    base.map((x) => x * 1.3),
  )!;
  assert.equal(gateVerdictOf(slower).verdict, 'fail');
});

test('worstVerdict orders fail > warn > pass', () => {
  assert.equal(worstVerdict(['pass', 'warn']), 'warn');
  assert.equal(worstVerdict(['warn', 'fail', 'pass']), 'fail');
  assert.equal(worstVerdict([]), 'pass');
});

test('thresholds parse k6-style, with units and endpoints, and refuse what they cannot read', () => {
  const eps = ['product', 'catalog'];
  assert.deepEqual(parseThreshold('p95<300', eps), { text: 'p95<300', metric: 'p95', op: '<', value: 300 });
  assert.equal(parseThreshold('p(99) <= 0.8s', eps).value, 800);
  assert.equal(parseThreshold('p(99) <= 0.8s', eps).metric, 'p99');
  assert.deepEqual(parseThreshold('error_rate<1%', eps), { text: 'error_rate<1%', metric: 'error_rate', op: '<', value: 1 });
  assert.equal(parseThreshold('throughput>500rps', eps).value, 500);
  assert.equal(parseThreshold('p95{product}<200', eps).endpoint, 'product');
  assert.throws(() => parseThreshold('p95{nope}<200', eps), /unknown endpoint "nope".*product, catalog/);
  assert.throws(() => parseThreshold('p97<200', eps), /unknown metric "p97"/);
  assert.throws(() => parseThreshold('error_rate<0.01', eps), /percentage/);
  assert.throws(() => parseThreshold('throughput>5ms', eps), /req\/s/);
  assert.throws(() => parseThreshold('p95 = 3', eps), ThresholdError);
});

test('thresholds evaluate on the whole test and on one endpoint; a missing endpoint fails', () => {
  const lat = (p95: number) => ({ p50: 1, p90: 2, p95, p99: p95 * 2, max: 100, mean: 3 });
  const s = {
    throughputRps: 600,
    errorRatePct: 0.5,
    durationSeconds: 10,
    latencyMs: lat(250),
    endpoints: [{ name: 'product', requests: 1000, errors: 20, latencyMs: lat(210) }],
  } as unknown as LoadTestSummary;
  const eps = ['product', 'catalog'];
  const r = evaluateThresholds(
    ['p95<300', 'p99<400', 'error_rate<1%', 'throughput>=600', 'p95{product}<200', 'error_rate{product}<1%', 'p95{catalog}<1000'].map((t) =>
      parseThreshold(t, eps),
    ),
    s,
  );
  assert.deepEqual(
    r.map((x) => [x.threshold.text, x.actual, x.passed]),
    [
      ['p95<300', 250, true],
      ['p99<400', 500, false],
      ['error_rate<1%', 0.5, true],
      ['throughput>=600', 600, true],
      ['p95{product}<200', 210, false],
      ['error_rate{product}<1%', 2, false],
      ['p95{catalog}<1000', null, false],
    ],
  );
});

test('Wilson interval: known values and edges', () => {
  const w = wilsonInterval(38, 40);
  assert.ok(Math.abs(w.low - 0.8346) < 0.001 && Math.abs(w.high - 0.9862) < 0.001, JSON.stringify(w));
  assert.equal(wilsonInterval(0, 40).low, 0);
  assert.ok(wilsonInterval(0, 40).high > 0.08 && wilsonInterval(0, 40).high < 0.09);
  assert.equal(wilsonInterval(40, 40).high, 1);
  assert.throws(() => wilsonInterval(5, 0), RangeError);
});
