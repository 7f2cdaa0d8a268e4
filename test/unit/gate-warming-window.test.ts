// A measured window that got faster as it ran (common/gate/warming-window.ts): said on the check and
// on a baseline, never silently compared.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WARMING_DROP_PCT, WARMING_MIN_SECONDS, warmingOf, warmingReason } from '../../common/gate/warming-window';
import { checkVerdict, storedComparison } from '../../common/gate/check-verdict';
import { baselineShowText } from '../../client/render-baseline';
import { sampleSummary } from '../helpers/baseline-fixtures';

/** A per-second p95 series: `first` ms for a third, a middle, `last` ms for a third, with a small wobble. */
const series = (first: number, last: number, n = 12): number[] =>
  Array.from({ length: n }, (_, i) => {
    const level = i < n / 3 ? first : i >= (2 * n) / 3 ? last : (first + last) / 2;
    return level * (i % 2 ? 1.03 : 0.97);
  });

test('warming: a first third more than 20% slower than the last is flagged; at 20% or with too few seconds it is not', () => {
  const w = warmingOf(series(150, 100));
  assert.ok(w);
  assert.equal(w.dropPct, 33);
  assert.equal(w.firstP95Ms, 150);
  assert.equal(w.lastP95Ms, 100);
  const atThreshold = Array.from({ length: 9 }, (_, i) => (i < 3 ? 100 : i >= 6 ? 100 * (1 - WARMING_DROP_PCT / 100) : 90));
  assert.equal(warmingOf(atThreshold), null, 'exactly the threshold is not beyond it');
  assert.ok(warmingOf(atThreshold.map((x, i) => (i >= 6 ? x - 0.01 : x))));
  assert.equal(warmingOf(series(150, 100, WARMING_MIN_SECONDS - 1)), null);
  assert.equal(warmingOf(series(100, 160)), null, 'slower at the end is drift, not warming');
  // One slow second is not a trend (medians).
  assert.equal(warmingOf([900, 100, 101, 99, 100, 102, 100, 99, 101]), null);
});

test('a warming window is a low-confidence reason on the check, for what it measured and for a stored baseline', () => {
  const measured = { perSecond: { rps: series(100, 100), p95Ms: series(150, 100) } };
  const v = checkVerdict([], null, measured);
  assert.equal(v.verdict, 'pass', 'a flag, not a verdict');
  assert.equal(v.lowConfidence.length, 1);
  assert.match(v.lowConfidence[0], /^measured: p95 fell 33% within the window \(150 ms in its first third, 100 ms in its last\)/);
  const cold = storedComparison('pinned', [{ id: '12', perSecondP95Ms: series(150, 100) }], series(100, 100), 1.05);
  assert.match(cold.lowConfidence?.[0] ?? '', /^baseline 12: p95 fell 33%/);
  assert.deepEqual(checkVerdict([], cold, { perSecond: { rps: [], p95Ms: series(100, 100) } }).lowConfidence, cold.lowConfidence);
  const warm = storedComparison('pinned', [{ id: '13', perSecondP95Ms: series(100, 100) }], series(100, 100), 1.05);
  assert.equal(warm.lowConfidence, undefined);
  assert.equal(warmingReason('x', undefined), null);
});

test('baseline show says whether the window was warm', () => {
  const show = (p95Ms: number[] | null) =>
    baselineShowText(
      {
        id: '3',
        target: 'shop',
        source: 'check:c/r',
        pinned: true,
        note: null,
        createdBy: 'ci',
        createdAt: '2026-11-30T10:00:00.000Z',
        summary: sampleSummary(p95Ms ? { perSecond: { rps: p95Ms.map(() => 100), p95Ms } } : { perSecond: undefined }),
      },
      false,
    );
  assert.match(show(series(150, 100)), /warm-up: +WARMING: p95 fell 33% within the window .*pin a window measured warm/);
  assert.match(show(series(100, 100)), /warm-up: +steady/);
  assert.match(show([20, 20, 20]), /warm-up: +not read \(fewer than 9 measured seconds\)/);
  assert.match(show(null), /warm-up: +not read \(no per-second series\)/);
});
