// The load test beside the service's own Prometheus: latencies disagree only outside the histogram bucket
// holding Prometheus's quantile; rates beyond the tolerance either way; error rates by points.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bucketOf, compareSources } from '../../common/observability/compare';

const EDGES = [1, 2.5, 5, 10, 25, 50, 100, 200, 300, 500, Infinity];
const same = { p95Ms: 40, p99Ms: 90, rps: 500, errorRatePct: 0 };

test('bucketOf: the bucket holding a figure; edges inclusive above; beyond the last finite edge, +Inf', () => {
  assert.deepEqual(bucketOf(40, EDGES), [25, 50]);
  assert.deepEqual(bucketOf(50, EDGES), [25, 50]);
  assert.deepEqual(bucketOf(0.3, EDGES), [0, 1]);
  assert.deepEqual(bucketOf(700, [100, 500]), [500, Infinity]);
});

test('compareSources: agreeing sources, each kind of disagreement with its meaning, missing figures skipped', () => {
  assert.deepEqual(compareSources(same, { ...same, p95Ms: 26, p99Ms: 99, rps: 460 }, EDGES), [], 'inside the buckets, rate within 10%');
  const d = compareSources({ ...same, p95Ms: 60, p99Ms: 20 }, same, EDGES);
  assert.deepEqual(
    d.map((x) => [x.figure, x.bucketMs]),
    [
      ['p95Ms', [25, 50]],
      ['p99Ms', [50, 100]],
    ],
  );
  assert.match(d[0].meaning, /time outside the handler/);
  assert.match(d[1].meaning, /measures something else/);
  assert.match(compareSources(same, { ...same, rps: 449 }, EDGES)[0].meaning, /fewer requests than were sent/);
  assert.match(compareSources(same, { ...same, rps: 551 }, EDGES)[0].meaning, /other traffic reached it/);
  assert.deepEqual(compareSources(same, { ...same, rps: 550 }, EDGES), [], 'exactly 10% is within');
  assert.match(compareSources({ ...same, errorRatePct: 3 }, same, EDGES)[0].meaning, /timeouts, refused connections/);
  assert.match(compareSources(same, { ...same, errorRatePct: 1.5 }, EDGES)[0].meaning, /answered 5xx to more requests/);
  assert.deepEqual(compareSources(same, { ...same, errorRatePct: 1 }, EDGES), []);
  assert.deepEqual(
    compareSources(same, { p95Ms: NaN, p99Ms: null, rps: null, errorRatePct: null }, EDGES),
    [],
    'NaN quantile: no requests in the window',
  );
});
