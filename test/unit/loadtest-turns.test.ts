// Two engines taking turns (activities/loadtest/turns.ts): one side open at a time, a waiting user
// sent when its side's turn comes, each pair's order at random, both open once stopped; and the
// seconds of the two sides paired for the gate (common/gate/alternating.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pairOrder, Turns } from '../../activities/loadtest/turns';
import { intervalFigures } from '../../activities/loadtest/alternating';
import { alternatingPairs } from '../../common/gate/alternating';
import { interleavedComparison } from '../../common/gate/check-verdict';
import { mulberry32 } from '../../common/seeded-random';
import type { LoadProgress } from '../../activities/loadtest/load';

test('pair order: random per pair, about half each way, the same for the same seed', () => {
  const rng = mulberry32(7);
  const firsts = Array.from({ length: 1000 }, () => pairOrder(rng)[0]);
  const baselineFirst = firsts.filter((s) => s === 'baseline').length;
  assert.ok(baselineFirst > 450 && baselineFirst < 550, String(baselineFirst));
  const again = mulberry32(7);
  assert.deepEqual(
    Array.from({ length: 20 }, () => pairOrder(again)[0]),
    firsts.slice(0, 20),
  );
});

test('turns: one side open at a time, a waiting user sent when its turn comes, both open once stopped', async () => {
  const turns = new Turns(20, mulberry32(1));
  const a = turns.gate('baseline');
  const b = turns.gate('candidate');
  assert.ok(a.isOpen() && b.isOpen(), 'before the start both are open (nothing waits)');
  turns.start();
  assert.notEqual(a.isOpen(), b.isOpen(), 'exactly one side on turn');
  const closed = a.isOpen() ? b : a;
  const sentWhileOpen: boolean[] = [];
  closed.wait(() => sentWhileOpen.push(closed.isOpen()));
  assert.deepEqual(sentWhileOpen, [], 'not sent while the other side has its turn');
  await new Promise((r) => setTimeout(r, 120));
  assert.deepEqual(sentWhileOpen, [true], 'sent once, when its turn came');
  const open = a.isOpen() ? a : b;
  let atOnce = false;
  open.wait(() => (atOnce = true));
  assert.ok(atOnce, 'the side on turn sends at once');
  const other = open === a ? b : a;
  let released = false;
  other.wait(() => (released = true));
  turns.stop();
  assert.ok(released && a.isOpen() && b.isOpen(), 'stopping releases the waiting and opens both');
  const share = turns.turnMs('baseline') / (turns.turnMs('baseline') + turns.turnMs('candidate'));
  assert.ok(share > 0.2 && share < 0.8, String(share));
  assert.throws(() => new Turns(5, Math.random), /sliceMs must be in \[10, 60000\]/);
});

const point = (over: Partial<LoadProgress>): LoadProgress =>
  ({
    warmup: false,
    intervalRequests: 100,
    p95Ms: 10,
    endpoints: [
      { requests: 60, p95Ms: 8 },
      { requests: 40, p95Ms: 12 },
    ],
    ...over,
  }) as LoadProgress;

test('alternating: measured seconds per side (warm-up left out), paired in time; a side that answered nothing was stalled', () => {
  const names = ['list', 'item'];
  const baseline = intervalFigures([point({ warmup: true, p95Ms: 99 }), point({}), point({}), point({}), point({})], names);
  assert.equal(baseline.length, 4);
  assert.deepEqual(baseline[0].endpoints[1], { name: 'item', requests: 40, p95Ms: 12 });
  const candidate = intervalFigures(
    [point({}), point({ p95Ms: 11 }), point({ p95Ms: 11, intervalRequests: 0 }), point({ p95Ms: 11 }), point({ p95Ms: 11 })],
    names,
  );
  const pairs = alternatingPairs({ intervals: { baseline, candidate } });
  assert.equal(pairs.length, 4, 'the shorter series decides');
  const c = interleavedComparison(pairs, 1.05, true, { sliceMs: 100 });
  assert.equal(c.pairs, undefined, 'seconds are not printed pair by pair');
  assert.match(c.method, /^sides taking turns every 100 ms, 4 seconds paired, paired t on log p95$/);
  // The stalled second counts as at least the whole second (1000 ms against 10): a clear regression.
  assert.ok(c.p95Ratio! > 2, JSON.stringify(c));
  assert.equal(c.endpoints?.length, 2);
});
