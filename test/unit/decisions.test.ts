import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseFocus, impactScore, selectTier, validationFor, worstGap } from '../../common/decisions';

const none = { dbShareOfLatencyPct: null, appCpuPct: null, cacheHitRatioPct: null, networkLatencyMs: null };
const all = ['application', 'database', 'caching', 'infrastructure', 'network'] as const;

test('database first when the database holds more than half of request time', () => {
  assert.deepEqual(chooseFocus({ ...none, dbShareOfLatencyPct: 51 }, [...all]), ['database']);
  assert.deepEqual(chooseFocus({ ...none, dbShareOfLatencyPct: 50 }, [...all]), []);
});

test('application when app CPU > 80%, caching when hit ratio < 70%, edge when network > 100 ms', () => {
  assert.deepEqual(chooseFocus({ ...none, appCpuPct: 81 }, [...all]), ['application']);
  assert.deepEqual(chooseFocus({ ...none, appCpuPct: 80 }, [...all]), []);
  assert.deepEqual(chooseFocus({ ...none, cacheHitRatioPct: 69.9 }, [...all]), ['caching']);
  assert.deepEqual(chooseFocus({ ...none, cacheHitRatioPct: 70 }, [...all]), []);
  assert.deepEqual(chooseFocus({ ...none, networkLatencyMs: 101 }, [...all]), ['network']);
});

test('rules keep their order and respect the scope', () => {
  const s = { dbShareOfLatencyPct: 90, appCpuPct: 95, cacheHitRatioPct: 10, networkLatencyMs: 300 };
  assert.deepEqual(chooseFocus(s, [...all]), ['database', 'application', 'caching', 'network']);
  assert.deepEqual(chooseFocus(s, ['caching', 'database']), ['database', 'caching']);
});

test('impact score = latency_reduction_ms x requests_per_sec / effort_days', () => {
  assert.equal(impactScore(20, 100, 0.5), 4000);
  assert.equal(impactScore(-5, 100, 1), 0);
  assert.throws(() => impactScore(1, 1, 0), /effortDays/);
});

test('tier follows the gap to the targets', () => {
  const targets = { p95Ms: 100, p99Ms: 200, throughputRps: 100, errorRatePct: 1 };
  assert.equal(worstGap({ p95Ms: 100, p99Ms: 200, throughputRps: 100, errorRatePct: 0 }, targets), 1);
  assert.equal(worstGap({ p95Ms: 300, p99Ms: 200, throughputRps: 100, errorRatePct: 0 }, targets), 3);
  assert.equal(worstGap({ p95Ms: 10, p99Ms: 20, throughputRps: 25, errorRatePct: 0 }, targets), 4);
  assert.equal(selectTier(1.1, 1), 'T1');
  assert.equal(selectTier(1.5, 1), 'T2');
  assert.equal(selectTier(1.5, 3), 'T3');
  assert.equal(selectTier(4, 1), 'T3');
  assert.equal(selectTier(6, 1), 'T4');
});

test('validation depth grows with the tier', () => {
  assert.deepEqual(validationFor('T1'), { peak: false, stress: false, soak: false });
  assert.deepEqual(validationFor('T2'), { peak: true, stress: false, soak: false });
  assert.deepEqual(validationFor('T3'), { peak: true, stress: true, soak: false });
  assert.deepEqual(validationFor('T4'), { peak: true, stress: true, soak: true });
});

test('an architectural finding in scope makes the tier T4; out of scope or absent, the tier stays', async () => {
  const { tierWithArchitecture } = await import('../../common/decisions');
  const tuning = { layer: 'database' as const };
  const arch = { layer: 'database' as const, architectural: true };
  assert.equal(tierWithArchitecture('T1', []), 'T1');
  assert.equal(tierWithArchitecture('T2', [tuning, { ...tuning, architectural: false }]), 'T2');
  assert.equal(tierWithArchitecture('T1', [tuning, arch]), 'T4');
  assert.equal(tierWithArchitecture('T3', [arch], ['database']), 'T4');
  assert.equal(tierWithArchitecture('T2', [arch], ['caching', 'application']), 'T2');
  assert.equal(tierWithArchitecture('T4', [arch]), 'T4');
});
