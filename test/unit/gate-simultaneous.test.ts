import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gateVerdictOf } from '../../common/gate/ratio';
import { MIN_PAIRED_SECONDS, pairedLogRatios, simultaneousP95Ratio } from '../../common/gate/simultaneous';

// A host whose load swings widely from second to second, hitting both sides alike.
const host = Array.from({ length: 12 }, (_, i) => 5 * (1 + 0.6 * Math.sin(i * 1.7)));
const jitter = (i: number): number => 1 + (i % 2 ? 0.02 : -0.02);

test('simultaneous ratio: host swings common to both sides cancel; a 10% slower candidate fails, itself passes', () => {
  const r = simultaneousP95Ratio(
    host,
    host.map((x, i) => x * 1.1 * jitter(i)),
  )!;
  assert.ok(r.low > 1 && r.ratio > 1.08 && r.ratio < 1.12, JSON.stringify(r));
  assert.equal(gateVerdictOf(r).verdict, 'fail');
  const same = simultaneousP95Ratio(
    host,
    host.map((x, i) => x * jitter(i + 1)),
  )!;
  assert.ok(same.low < 1 && same.high > 1 && Math.abs(same.ratio - 1) < 0.01, JSON.stringify(same));
  assert.equal(gateVerdictOf(same).verdict, 'pass');
  assert.equal(same.n, 5);
});

test('simultaneous ratio: drift that hits one side only widens the interval instead of faking a verdict', () => {
  // The candidate is slower in the first half only: batch means see the spread, the interval holds 1.
  const b = host.map((x, i) => x * (i < 6 ? 1.3 : 0.8));
  const r = simultaneousP95Ratio(host, b)!;
  assert.ok(r.low < 1 && r.high > 1.1, JSON.stringify(r));
});

test('simultaneous ratio: seconds where a side served nothing are dropped; too few seconds give null', () => {
  assert.deepEqual(
    pairedLogRatios([2, null, 4, 0, 5], [2, 3, null, 7, 5 * Math.E]).map((x) => +x.toFixed(9)),
    [0, 1],
  );
  const short = host.slice(0, MIN_PAIRED_SECONDS - 1);
  assert.equal(simultaneousP95Ratio(short, short), null);
  const holes = [...host, NaN, null];
  assert.ok(simultaneousP95Ratio(holes, [...host, 3, 3]));
  assert.throws(() => simultaneousP95Ratio([1, 2], [1]), /same seconds \(got 2 and 1/);
  assert.equal(gateVerdictOf(null).verdict, 'warn');
});
