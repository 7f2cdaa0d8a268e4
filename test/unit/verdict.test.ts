import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tQuantile975, welchInterval, pairedInterval } from '../../common/verdict/stats';
import {
  batchMeans,
  batchMeansEffect,
  blockEffect,
  interleavedEffect,
  judgeEffect,
  describeVerdict,
  type Effect,
} from '../../common/verdict';

const close = (a: number, b: number, eps = 1e-3): void => assert.ok(Math.abs(a - b) < eps, `${a} != ${b}`);

test('t quantiles: the table, fractional df rounded down, the wider side between tabled df', () => {
  assert.equal(tQuantile975(1), 12.706);
  assert.equal(tQuantile975(4.9), 2.776);
  assert.equal(tQuantile975(30), 2.042);
  assert.equal(tQuantile975(35), 2.042);
  assert.equal(tQuantile975(45), 2.021);
  assert.equal(tQuantile975(5000), 1.96);
  assert.ok(Number.isNaN(tQuantile975(0.5)));
});

test("Welch's interval matches the hand computation (df 4, t 2.776)", () => {
  const i = welchInterval([1, 2, 3], [4, 5, 6])!;
  close(i.difference, 3);
  close(i.df, 4);
  close(i.low, 3 - 2.776 * Math.sqrt(2 / 3));
  close(i.high, 3 + 2.776 * Math.sqrt(2 / 3));
  assert.equal(welchInterval([1], [2, 3]), null);
  assert.equal(pairedInterval([0.1]), null);
});

test('batch means: contiguous equal batches, the remainder spread, never more batches than points', () => {
  assert.deepEqual(batchMeans([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 5), [1.5, 3.5, 5.5, 7.5, 9.5]);
  assert.deepEqual(batchMeans([1, 2, 3], 5), [1, 2, 3]);
  assert.deepEqual(batchMeans([1, 2, 3, 4, 5, 6, 7], 3), [1.5, 4, 6.5]);
});

test('interleaved pairs: the same ratio every pair gives a zero-width interval at that ratio', () => {
  const e = interleavedEffect([
    { a: 100, b: 110 },
    { a: 200, b: 220 },
    { a: 50, b: 55 },
  ])!;
  assert.equal(e.method, 'interleaved');
  assert.equal(e.n, 3);
  close(e.changePct, 10, 0.01);
  close(e.lowPct, 10, 0.01);
  close(e.highPct, 10, 0.01);
});

test('too few samples or a zero value: no effect, and the verdict claims nothing', () => {
  assert.equal(interleavedEffect([{ a: 100, b: 120 }]), null);
  assert.equal(
    interleavedEffect([
      { a: 0, b: 120 },
      { a: 10, b: 12 },
    ]),
    null,
  );
  assert.equal(blockEffect([1], [2, 3]), null);
  const v = judgeEffect(null, 'higher-is-better');
  assert.equal(v.verdict, 'not enough data');
  assert.equal(v.regressed, false);
  assert.match(describeVerdict(v), /not enough data/);
});

test('two pairs pointing different ways: the interval holds zero, no detectable change', () => {
  const e = interleavedEffect([
    { a: 100, b: 120 },
    { a: 100, b: 90 },
  ])!;
  assert.ok(e.lowPct < 0 && e.highPct > 0);
  assert.equal(judgeEffect(e, 'higher-is-better').verdict, 'no detectable change');
});

const effect = (changePct: number, lowPct: number, highPct: number): Effect => ({ method: 'blocks', n: 4, changePct, lowPct, highPct });

test('latency: lower is better, so a drop whose whole interval is below zero is an improvement', () => {
  const v = judgeEffect(effect(-20, -25, -15), 'lower-is-better');
  assert.equal(v.verdict, 'improved');
  assert.equal(v.improvementPct, 20);
  assert.equal(v.improvementLowPct, 15);
  assert.equal(v.improvementHighPct, 25);
});

test('regressed needs the whole interval worse AND the estimate beyond the threshold', () => {
  assert.equal(judgeEffect(effect(15, 12, 18), 'lower-is-better').regressed, true);
  const small = judgeEffect(effect(5, 3, 7), 'lower-is-better');
  assert.equal(small.verdict, 'worse');
  assert.equal(small.regressed, false);
  const unsure = judgeEffect(effect(15, -1, 30), 'lower-is-better');
  assert.equal(unsure.verdict, 'no detectable change');
  assert.equal(unsure.regressed, false);
  assert.equal(judgeEffect(effect(-12, -14, -11), 'higher-is-better', { regressionThresholdPct: 10 }).regressed, true);
  assert.equal(judgeEffect(effect(-12, -14, -11), 'higher-is-better', { regressionThresholdPct: 15 }).regressed, false);
});

test('an interval touching zero is not an improvement', () => {
  assert.equal(judgeEffect(effect(10, 0, 20), 'higher-is-better').verdict, 'no detectable change');
  assert.equal(judgeEffect(effect(10, 0.01, 20), 'higher-is-better').verdict, 'improved');
});

test('one run a side: batch means turn a drifting baseline into a wide interval', () => {
  const steady = Array.from({ length: 30 }, (_, i) => 100 + (i % 2));
  const better = Array.from({ length: 30 }, (_, i) => 130 + (i % 2));
  const clear = judgeEffect(batchMeansEffect(steady, better), 'higher-is-better');
  assert.equal(clear.verdict, 'improved');
  assert.equal(clear.method, 'batch-means');
  // A baseline that triples within itself (a cold start) next to the same "after".
  const cold = Array.from({ length: 30 }, (_, i) => 40 + i * 4);
  const unsure = judgeEffect(batchMeansEffect(cold, better), 'higher-is-better');
  assert.equal(unsure.verdict, 'no detectable change');
  assert.ok(unsure.improvementHighPct! - unsure.improvementLowPct! > 50, describeVerdict(unsure));
});

test('the description names the estimate, the interval, the method and the verdict', () => {
  const text = describeVerdict(judgeEffect(effect(-20, -25, -15), 'lower-is-better'));
  assert.equal(text, '+20.0% (95% CI +15.0% to +25.0%, blocks, 4 blocks a side): improved');
});
