import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allTargetsMet, anyRegression, compareRuns } from '../../common/compare';

const targets = { p95Ms: 50, p99Ms: 100, throughputRps: 200, errorRatePct: 1 };

test('an improvement is positive for latency and throughput alike', () => {
  const rows = compareRuns(
    { p95Ms: 100, p99Ms: 200, throughputRps: 100, errorRatePct: 0 },
    { p95Ms: 40, p99Ms: 90, throughputRps: 250, errorRatePct: 0 },
    targets,
  );
  const by = Object.fromEntries(rows.map((r) => [r.metric, r]));
  assert.equal(by.p95Ms.changePct, 60);
  assert.equal(by.throughputRps.changePct, 150);
  assert.equal(by.p95Ms.metBefore, false);
  assert.equal(by.p95Ms.metAfter, true);
  assert.equal(anyRegression(rows), false);
  assert.equal(allTargetsMet(rows), true);
});

test('more than 10% worse on any target metric is a regression', () => {
  const before = { p95Ms: 100, p99Ms: 200, throughputRps: 100, errorRatePct: 0 };
  assert.equal(anyRegression(compareRuns(before, { ...before, p95Ms: 111 }, targets)), true);
  assert.equal(anyRegression(compareRuns(before, { ...before, p95Ms: 109 }, targets)), false);
  assert.equal(anyRegression(compareRuns(before, { ...before, throughputRps: 89 }, targets)), true);
  assert.equal(anyRegression(compareRuns(before, { ...before, p95Ms: 109 }, targets, 5)), true);
});

test('error rate: a few errors near zero are noise, a real jump is a regression', () => {
  const before = { p95Ms: 100, p99Ms: 200, throughputRps: 100, errorRatePct: 0 };
  assert.equal(anyRegression(compareRuns(before, { ...before, errorRatePct: 0.2 }, targets)), false);
  assert.equal(anyRegression(compareRuns(before, { ...before, errorRatePct: 5 }, targets)), true);
});
