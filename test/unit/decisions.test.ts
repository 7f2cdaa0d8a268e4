import { test } from 'node:test';
import assert from 'node:assert/strict';
import { autoTier, chooseFocus, impactScore, layerSignals, selectTier, validationFor, worstGap } from '../../common/decisions';
import { SKILLS, skillsInOrder } from '../../common/skills';
import { minimalBaseline } from '../helpers/skill-request';

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

test('skills run in the order of the decision rules: the focus layers first, then the registry order', () => {
  const names = (scope: Parameters<typeof skillsInOrder>[0], focus: Parameters<typeof skillsInOrder>[1]) =>
    skillsInOrder(scope, focus).map((s) => s.name);
  const obs = 'observability-stack-configurator';
  assert.deepEqual(names([...all], []), ['database-optimization-analyzer', 'cache-analyzer', obs]);
  // The observability skill serves every layer: it ranks with the first focus layer, after the skills before it in the registry.
  assert.deepEqual(names([...all], ['caching', 'database']), ['cache-analyzer', obs, 'database-optimization-analyzer']);
  // The database skill also serves the application layer (N+1 lookups are the application's).
  assert.deepEqual(names(['application'], []), ['database-optimization-analyzer', obs]);
  assert.deepEqual(names(['network', 'infrastructure'], ['network']), [obs]);
  assert.equal(new Set(SKILLS.map((s) => s.activity)).size, SKILLS.length, 'one activity per skill');
});

test('layer signals: a database profile that is not available gives no database share', () => {
  const db = { available: false, dbShareOfLatencyPct: 90 } as never;
  assert.equal(layerSignals({ database: db, process: null, cache: null, network: null }).dbShareOfLatencyPct, null);
  assert.deepEqual(
    layerSignals({ database: null, process: { cpuPctAvg: 85 } as never, cache: { hitRatioPct: 40 } as never, network: null }),
    {
      dbShareOfLatencyPct: null,
      appCpuPct: 85,
      cacheHitRatioPct: 40,
      networkLatencyMs: null,
    },
  );
});

test('auto tier: the gap to the targets, three layers at fault -> T3, an architectural finding in scope -> T4', () => {
  const targets = { p95Ms: 100, p99Ms: 200, throughputRps: 10, errorRatePct: 1 };
  const at = (p95: number) => minimalBaseline({ latencyMs: { p50: 1, p90: 1, p95, p99: 1, max: 1, mean: 1 }, throughputRps: 100 });
  assert.equal(autoTier(at(110), targets, ['database'], [], ['database']), 'T1');
  assert.equal(autoTier(at(150), targets, ['database', 'database'], [], ['database']), 'T2');
  assert.equal(autoTier(at(110), targets, ['database', 'caching', 'application'], [], [...all]), 'T3');
  assert.equal(autoTier(at(600), targets, [], [], [...all]), 'T4');
  const partition = [{ layer: 'database' as const, architectural: true }];
  assert.equal(autoTier(at(110), targets, [], partition, ['database']), 'T4');
  assert.equal(autoTier(at(110), targets, [], partition, ['caching']), 'T1');
});
