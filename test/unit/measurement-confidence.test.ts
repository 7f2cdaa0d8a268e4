import { test } from 'node:test';
import assert from 'node:assert/strict';
import { combineConfidence, confidenceOf, driftOf, saturationReasons, steadyAtEnd, warmupSecondsNeeded } from '../../common/verdict';

test('steady: two windows within the tolerance; a ramp is not; noise inside the tolerance is', () => {
  assert.equal(steadyAtEnd(Array(10).fill(100)), true);
  assert.equal(steadyAtEnd(Array(9).fill(100)), false, 'needs two whole windows');
  assert.equal(steadyAtEnd(Array.from({ length: 10 }, (_, i) => 10 + i * 10)), false);
  assert.equal(steadyAtEnd(Array.from({ length: 10 }, (_, i) => (i % 2 ? 95 : 105))), true);
  assert.equal(steadyAtEnd(Array.from({ length: 10 }, (_, i) => (i % 2 ? 80 : 120))), false, 'seconds 20% apart');
  assert.equal(steadyAtEnd(Array(10).fill(0)), true, 'nothing at all is steady too');
});

test('a target that starts slow: the warm-up lasts until two steady windows are seen', () => {
  const series = [10, 20, 40, 80, 100, ...Array(10).fill(100)];
  assert.equal(warmupSecondsNeeded(series), 13);
  assert.equal(warmupSecondsNeeded([10, 20, 40, 80, 160, 320]), null);
  assert.equal(warmupSecondsNeeded(Array(10).fill(100)), 10);
});

test('drift: first third against last third, beyond the tolerance', () => {
  const cold = driftOf([10, 10, 10, 20, 20, 20, 40, 40, 40])!;
  assert.equal(cold.changePct, 300);
  assert.equal(cold.drifting, true);
  assert.equal(driftOf([100, 101, 99, 100, 102, 98])!.drifting, false);
  assert.equal(driftOf([100, 100, 100, 100, 100])!, null);
  assert.equal(driftOf([100, 100, 84, 84, 84, 84])!.drifting, true, '16% > 15%');
  assert.equal(driftOf([100, 100, 86, 86, 86, 86])!.drifting, false, '14% <= 15%');
});

test('saturation: load above the cores, a busy host, a generator near a full core', () => {
  assert.deepEqual(saturationReasons({ cores: 2, loadAvg1: 2, hostCpuPct: 50 }), []);
  const r = saturationReasons({ cores: 2, loadAvg1: 13.04, hostCpuPct: 98, loadGeneratorCpuPct: 92 });
  assert.equal(r.length, 3);
  assert.match(r[0], /load average 13 on 2 cores/);
  assert.match(r[1], /host CPU 98% busy/);
  assert.match(r[2], /load generator used 92% of a core/);
  assert.deepEqual(saturationReasons({ cores: 2, loadAvg1: 2.1, hostCpuPct: 89.9, loadGeneratorCpuPct: null }).length, 1);
});

test('confidence: low with every reason labelled by its window, ok when none', () => {
  const ok = confidenceOf({ label: 'baseline', saturation: [], drift: driftOf(Array(9).fill(50)) });
  assert.deepEqual(ok, { level: 'ok', reasons: [] });
  const low = confidenceOf({
    label: 'baseline',
    saturation: ['host CPU 98% busy'],
    drift: driftOf([10, 10, 10, 20, 20, 20, 40, 40, 40]),
    warmupCapped: true,
  });
  assert.equal(low.level, 'low');
  assert.deepEqual(low.reasons, [
    'baseline: host CPU 98% busy',
    'baseline: throughput drifted +300% within the window (10 -> 40 req/s)',
    'baseline: still not steady when the warm-up reached its cap',
  ]);
  assert.equal(combineConfidence([ok, low]).level, 'low');
  assert.equal(combineConfidence([ok, ok]).level, 'ok');
});
