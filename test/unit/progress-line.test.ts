// The progress line said "re-testing under the baseline load" through the peak, stress and soak stages (issue 11).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeProgress, type LoadProgressView } from '../../client/load-progress';
import { describeValidation } from '../../common/decisions';

const at: LoadProgressView = { elapsedSeconds: 3.4, totalSeconds: 5, requests: 400, errors: 0, currentRps: 118.2, p95Ms: 40.26 };

test('the load line names the test that runs, and a stress step its rate', () => {
  assert.equal(describeProgress({ ...at, phase: 'peak' }), 'peak load test: 3/5s, 118.2 req/s, p95 40.3 ms, 0 errors');
  assert.equal(
    describeProgress({ ...at, phase: 'stress', rateRps: 120 }),
    'stress load test at 120 req/s: 3/5s, 118.2 req/s, p95 40.3 ms, 0 errors',
  );
  assert.equal(describeProgress({ ...at, phase: 'soak' }).startsWith('soak load test: '), true);
  assert.equal(describeProgress(at), 'load 3/5s, 118.2 req/s, p95 40.3 ms, 0 errors', 'a worker that sends no phase');
});

test('while the virtual users log in, the line says so instead of a load of zeros', () => {
  const setup: LoadProgressView = { ...at, elapsedSeconds: 0, totalSeconds: 0, currentRps: 0, p95Ms: 0, setup: { done: 3, total: 8 } };
  assert.equal(describeProgress({ ...setup, phase: 'soak' }), 'soak load test: logging in before the load: 3/8 virtual users');
  assert.equal(describeProgress(setup), 'logging in before the load: 3/8 virtual users');
});

test("the validation step lists the tier's stages, not only the re-test under the baseline load", () => {
  assert.equal(describeValidation('T1'), 'the baseline load again (tier T1)');
  assert.equal(describeValidation('T2'), 'the baseline load again, then 2x peak (tier T2)');
  assert.equal(describeValidation('T3'), 'the baseline load again, then 2x peak, stress ramp (tier T3)');
  assert.equal(describeValidation('T4'), 'the baseline load again, then 2x peak, stress ramp, soak (tier T4)');
});
