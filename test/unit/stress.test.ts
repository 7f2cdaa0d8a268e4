import { test } from 'node:test';
import assert from 'node:assert/strict';
import { breakingPoint, firstStepShortfall, judgeStressStep, connectionsForRate, stressRates } from '../../common/stress';
import type { LoadTestSummary } from '../../common/types';

const targets = { p95Ms: 50, p99Ms: 100, throughputRps: 100, errorRatePct: 1 };

function summary(over: Partial<LoadTestSummary> & { p99?: number }): LoadTestSummary {
  const p99 = over.p99 ?? 20;
  return {
    id: '7',
    phase: 'stress',
    concurrency: 12,
    durationSeconds: 5,
    requests: 1000,
    errors: 0,
    errorRatePct: 0,
    throughputRps: 200,
    latencyMs: { p50: 5, p90: 10, p95: 15, p99, max: p99 * 2, mean: 6 },
    endpoints: [],
    errorKinds: {},
    warmupRequests: 0,
    ...over,
  };
}

test('stress rates: multiples of the measured throughput, increasing and bounded', () => {
  assert.deepEqual(stressRates(100), [25, 50, 75, 100, 150, 200, 300, 400, 600, 800, 1200, 1600], 'from below the measured throughput');
  assert.deepEqual(stressRates(0), [1, 1.5, 2, 3, 4, 6, 8, 12, 16], 'a dead baseline still starts at 1 req/s');
  assert.deepEqual(stressRates(2), [1, 1.5, 2, 3, 4, 6, 8, 12, 16, 24, 32], 'never below 1 req/s');
  assert.deepEqual(stressRates(33.33, [1, 2, 2, 1.5, 4]), [33.3, 66.7, 133.3]);
  assert.deepEqual(stressRates(100_000, [1, 1.5, 2, 3]), [100_000, 150_000, 200_000]);
  assert.deepEqual(stressRates(500_000, [1, 2]), [200_000], 'never above the bound');
});

test('a step is within the SLO when failures (errors, dropped) and p99 are', () => {
  const ok = judgeStressStep(summary({}), 200, targets);
  assert.equal(ok.withinSlo, true);
  assert.equal(ok.reason, null);
  assert.equal(ok.rateRps, 200);
  assert.equal(ok.loadTestId, '7');
  const slow = judgeStressStep(summary({ p99: 150 }), 200, targets);
  assert.equal(slow.withinSlo, false);
  assert.match(slow.reason!, /p99 150 ms > 100 ms/);
  const errors = judgeStressStep(summary({ errors: 20, errorRatePct: 2 }), 200, targets);
  assert.equal(errors.withinSlo, false);
  assert.match(errors.reason!, /failed 2% > 1%/);
  // Dropped arrivals count as failures even when every request sent was fine.
  const dropped = judgeStressStep(summary({ dropped: 50 }), 200, targets);
  assert.equal(dropped.withinSlo, false);
  assert.equal(dropped.failedPct, 4.762);
  assert.match(dropped.reason!, /failed 4\.762% > 1%: 0 errors, 50 dropped \(every connection busy\)/);
  assert.equal(judgeStressStep(summary({ requests: 0, errors: 0 }), 200, targets).withinSlo, false, 'nothing answered');
  // Exactly at the bound is still within.
  assert.equal(judgeStressStep(summary({ errors: 10, p99: 100 }), 200, targets).withinSlo, true);
});

test('requests unanswered when the step ended are late, not failed: they count against the p99 only', () => {
  // The trial: "failed 64.5%" with 0 errors, every "failure" a request still in flight.
  const inFlight = judgeStressStep(summary({ requests: 355, unfinished: 645, p99: 80 }), 200, targets);
  assert.equal(inFlight.failedPct, 0);
  assert.equal(inFlight.unfinished, 645);
  assert.equal(inFlight.withinSlo, false);
  assert.doesNotMatch(inFlight.reason!, /failed \d/);
  assert.match(inFlight.reason!, /p99 over 100 ms: 645 requests \(64\.5%\) were still unanswered when the step ended \(late, not failed\)/);
  // At most 1% unanswered (the tail beyond the p99) and the measured p99 stands.
  assert.equal(judgeStressStep(summary({ unfinished: 10 }), 200, targets).withinSlo, true);
  assert.equal(judgeStressStep(summary({ unfinished: 11 }), 200, targets).withinSlo, false);
  // A few errors and a few unanswered: neither over its limit alone, so within (before: 1.3% failed).
  const mixed = judgeStressStep(summary({ errors: 5, unfinished: 8 }), 200, targets);
  assert.equal(mixed.failedPct, 0.496);
  assert.equal(mixed.withinSlo, true);
  // Histories recorded before keep their rule on replay.
  assert.equal(judgeStressStep(summary({ errors: 5, unfinished: 8 }), 200, targets, { unfinishedAsFailed: true }).withinSlo, false);
});

test('first step missed: latency alone at a low rate is a slow request, not a lack of capacity', () => {
  const slow = judgeStressStep(summary({ p99: 900, throughputRps: 25 }), 25, targets);
  const latency = firstStepShortfall({ steps: [slow], baseRps: 100 }, targets, 700);
  assert.doesNotMatch(latency, /capacity is below/);
  assert.match(
    latency,
    /even the first step, 25 req\/s \(0\.25x the throughput measured under the baseline load\), missed the SLO \(p99 900 ms > 100 ms\)/,
  );
  assert.match(
    latency,
    /a single request already takes longer than the p99 target of 100 ms; the median request under the baseline load took 700 ms/,
  );
  assert.match(latency, /request latency, not capacity/);
  const failing = judgeStressStep(summary({ errors: 300, errorRatePct: 30 }), 25, targets);
  assert.match(
    firstStepShortfall({ steps: [failing], baseRps: 100 }, targets, 5),
    /failed 30% > 1%: 300 errors\): capacity is below 25 req\/s$/,
  );
  // A first step above the measured throughput that misses on latency: queueing, so capacity.
  assert.match(firstStepShortfall({ steps: [slow], baseRps: 10 }, targets, null), /capacity is below 25 req\/s$/);
});

test('breaking point: the highest rate within the SLO', () => {
  const steps = [
    { rateRps: 100, throughputRps: 100, withinSlo: true },
    { rateRps: 150, throughputRps: 149, withinSlo: true },
    { rateRps: 200, throughputRps: 160, withinSlo: false },
  ];
  assert.equal(breakingPoint(steps)?.rateRps, 150);
  assert.equal(breakingPoint([{ rateRps: 100, throughputRps: 90, withinSlo: false }]), null);
  // Closed-model steps recorded before rate steps: by throughput.
  assert.equal(
    breakingPoint([
      { throughputRps: 1470, withinSlo: true },
      { throughputRps: 1745, withinSlo: true },
      { throughputRps: 1552, withinSlo: false },
    ])?.throughputRps,
    1745,
  );
});

test("connections per step: rate x twice the p99 target, at least 64, at most 10000, or the profile's", () => {
  assert.equal(connectionsForRate(1000, 100), 200);
  assert.equal(connectionsForRate(10, 100), 64);
  assert.equal(connectionsForRate(100_000, 1000), 10_000);
  assert.equal(connectionsForRate(1000, 100, 32), 32);
});

test('the output contract takes the stress and soak details, and results recorded without them', async () => {
  const { OutputContractSchema } = await import('../../common/output-contract');
  const summary = OutputContractSchema.shape.validation_results.shape.improvement_summary;
  const base = {
    outcome: 'improved',
    comparison: [],
    latency_p95_reduction_percent: 10,
    latency_p99_reduction_percent: 8,
    throughput_increase_percent: 5,
    error_rate_reduction_percent: 0,
    peak: null,
    escalation_workflow_id: null,
  };
  const full = summary.parse({
    ...base,
    stress_breaking_point: { concurrency: 12, throughput_rps: 150, p99_ms: 40, rate_rps: 150, next_step_failure: 'failed 30% > 1%' },
    soak: {
      duration_s: 60,
      p95_ms: 12,
      rss_mb_max: 130,
      rss_slope_mb_per_min: 40,
      leak_suspected: true,
      p95_drift_pct: 3,
      flags: ['memory leak suspected: ...'],
    },
  });
  assert.equal(full.stress_breaking_point?.rate_rps, 150);
  assert.equal(full.soak?.leak_suspected, true);
  const old = summary.parse({
    ...base,
    stress_breaking_point: { concurrency: 32, throughput_rps: 1745, p99_ms: 36 },
    soak: { duration_s: 60, p95_ms: 15, rss_mb_max: 116 },
  });
  assert.equal(old.soak?.leak_suspected, undefined);
});
