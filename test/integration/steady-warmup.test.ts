// The warm-up until steady, for real: a target that starts slow and warms up is warmed up until its
// per-second throughput and p95 are steady (not to the cap), and the measured window that follows
// does not drift; a target whose speed never settles reaches the cap, and the figures are flagged.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { Pool } from 'pg';
import { parseTargetProfile } from '../../common/profile';
import type { LoadTestRequest, LoadTestSummary } from '../../common/types';
import type { LoadProgress } from '../../activities/loadtest/engine';
import { createLoadTestActivities } from '../../activities/loadtest/activity';
import { TargetConnections } from '../../activities/connections';
import { migrateStore } from '../../activities/store/schema';
import { beforeAfter, driftOf } from '../../common/verdict';
import type { SteadyWarmup } from '../../common/warmup';
import { testPool } from '../helpers/services';
import { startWarmingTarget, type WarmingTarget } from '../helpers/warming-target';

const COLD_MS = 60; // the first seconds' delay, falling to WARM_MS over WARMING_S
const WARM_MS = 10;
const WARMING_S = 3;
const RULE: SteadyWarmup = { until: 'steady', maxSeconds: 14, windowSeconds: 2, tolerancePct: 30 };

let target: WarmingTarget;
let store: Pool;
let connections: TargetConnections;

before(async () => {
  target = await startWarmingTarget(() => WARM_MS);
  store = await testPool('perf_test_warmup_store');
  await migrateStore(store);
  connections = new TargetConnections();
});

after(async () => {
  await target?.close();
  await connections?.close();
  await store?.end();
});

async function measure(
  delayAt: (seconds: number) => number,
  warmup: SteadyWarmup,
  durationSeconds: number,
  beats: LoadProgress[],
): Promise<LoadTestSummary> {
  const profile = parseTargetProfile({
    name: 'warmup-it',
    http: { baseUrl: target.baseUrl, endpoints: [{ name: 'item', path: '/item' }] },
    targets: { p95Ms: 100, p99Ms: 200, throughputRps: 10 },
  });
  const activities = createLoadTestActivities({ store, connections, policy: connections.policy });
  const req: LoadTestRequest = {
    runId: `warmup-${Date.now()}`,
    phase: 'baseline',
    target: profile,
    concurrency: 2,
    durationSeconds,
    warmupSeconds: 0,
    warmup,
  };
  const env = new MockActivityEnvironment();
  env.on('heartbeat', (d: LoadProgress) => beats.push(d));
  target.restart(delayAt);
  return env.run(activities.runLoadTest, req);
}

test('a target that warms up: warmed up until steady, not to the cap, and the measured window does not drift', async () => {
  const warming = (t: number) => (t >= WARMING_S ? WARM_MS : COLD_MS - ((COLD_MS - WARM_MS) * t) / WARMING_S);
  const beats: LoadProgress[] = [];
  const s = await measure(warming, RULE, 6, beats);
  assert.ok(s.warmup, 'the summary says how the warm-up went');
  assert.equal(s.warmup.steady, true, `warm-up ${JSON.stringify(s.warmup)}`);
  assert.ok(s.warmup.seconds >= WARMING_S && s.warmup.seconds < RULE.maxSeconds, `the warm-up lasted ${s.warmup.seconds} s`);
  const drift = driftOf(s.perSecond!.rps)!;
  assert.equal(drift.drifting, false, `measured seconds ${s.perSecond!.rps.join(', ')}`);
  assert.ok(s.window!.measuredFromMs - s.window!.startMs >= WARMING_S * 1000, 'the measured window starts after the warm-up');
  assert.ok(beats.some((b) => b.warmup && b.steadyWarmup?.maxSeconds === RULE.maxSeconds && b.totalSeconds === RULE.maxSeconds + 6));
  assert.ok(beats.some((b) => !b.warmup && b.steadyWarmup?.endedAfterSeconds === s.warmup!.seconds));
});

test('a target that never settles: the warm-up reaches its cap and the figures are flagged', async () => {
  const unsettled = (t: number) => (Math.floor(t) % 2 ? 40 : 5); // a second fast, a second slow
  const rule: SteadyWarmup = { ...RULE, maxSeconds: 4 };
  const s = await measure(unsettled, rule, 1, []);
  assert.equal(s.warmup?.steady, false, `warm-up ${JSON.stringify(s.warmup)}`);
  assert.ok(s.warmup!.seconds >= 4 && s.warmup!.seconds < 6, `capped after ${s.warmup!.seconds} s`);
  const ba = beforeAfter(s, s)!;
  assert.equal(ba.confidence.level, 'low');
  assert.match(ba.confidence.reasons.join('\n'), /^baseline: still not steady when the warm-up reached its cap/m);
});
