// The advisor's cost gate: plan cost at least minPlanCost, or measured at least slowMeanMs per call.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { measuredSlow, passesCostGate } from '../../activities/skills/database-optimization-analyzer/advisor/cost-gate';

const opts = { minPlanCost: 100, slowMeanMs: 5 };

test('a plan at the threshold passes; below it only a statement measured slow enough passes', () => {
  assert.equal(passesCostGate(100, { calls: 10, totalMs: 1 }, opts), true);
  assert.equal(passesCostGate(99.9, { calls: 10, totalMs: 49.9 }, opts), false);
  assert.equal(passesCostGate(99.9, { calls: 10, totalMs: 50 }, opts), true);
  assert.equal(measuredSlow(99.9, { calls: 10, totalMs: 50 }, opts), true);
  assert.equal(measuredSlow(100, { calls: 10, totalMs: 500 }, opts), false, 'passing on cost is not "measured slow"');
  assert.equal(passesCostGate(10, { calls: 0, totalMs: 0 }, opts), false, 'no calls: no mean');
});
