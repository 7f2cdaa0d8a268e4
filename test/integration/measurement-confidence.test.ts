// The before/after's trust flags, provoked for real: a target that starts slow and warms up makes a
// drifting window, and busy loops on the host make it saturated; both are flagged and the reasons
// name the window and what was seen.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { Pool } from 'pg';
import { parseTargetProfile } from '../../common/profile';
import type { LoadTestRequest, LoadTestSummary } from '../../common/types';
import { createLoadTestActivities } from '../../activities/loadtest/activity';
import { TargetConnections } from '../../activities/connections';
import { migrateStore } from '../../activities/store/schema';
import { windowConfidence } from '../../common/verdict';
import { testPool } from '../helpers/services';
import { startWarmingTarget, type WarmingTarget } from '../helpers/warming-target';

const COLD_MS = 40; // the first seconds' delay, falling to WARM_MS over WARMING_S
const WARM_MS = 2;
const WARMING_S = 6;

let target: WarmingTarget;
let store: Pool;
let connections: TargetConnections;

before(async () => {
  target = await startWarmingTarget((t) => (t >= WARMING_S ? WARM_MS : COLD_MS - ((COLD_MS - WARM_MS) * t) / WARMING_S));
  store = await testPool('perf_test_verdict_store');
  await migrateStore(store);
  connections = new TargetConnections();
});

after(async () => {
  await target?.close();
  await connections?.close();
  await store?.end();
});

async function measure(phase: LoadTestRequest['phase']): Promise<LoadTestSummary> {
  const profile = parseTargetProfile({
    name: 'verdict-it',
    http: { baseUrl: target.baseUrl, endpoints: [{ name: 'item', path: '/item' }] },
    targets: { p95Ms: 50, p99Ms: 100, throughputRps: 10 },
  });
  const activities = createLoadTestActivities({ store, connections, policy: connections.policy });
  const req: LoadTestRequest = {
    runId: `verdict-${Date.now()}`,
    phase,
    target: profile,
    concurrency: 2,
    durationSeconds: 10,
    warmupSeconds: 0,
  };
  return new MockActivityEnvironment().run(activities.runLoadTest, req);
}

function busyLoops(n: number): ChildProcess[] {
  return Array.from({ length: n }, () => spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
}

test('a cold start on a busy host: the window is flagged as drifting and saturated, with its reasons', async () => {
  target.restart();
  const loops = busyLoops(4);
  let window: LoadTestSummary;
  try {
    window = await measure('baseline');
  } finally {
    for (const p of loops) p.kill('SIGKILL');
  }
  assert.ok(window.perSecond && window.perSecond.rps.length >= 10, `measured seconds: ${window.perSecond?.rps.length}`);
  assert.ok(window.host, 'the host was read during the window');
  assert.ok(window.host.hostCpuPct >= 90, `host CPU ${window.host.hostCpuPct}% with 4 busy loops on ${window.host.cores} cores`);

  const confidence = windowConfidence('baseline', window);
  assert.equal(confidence.level, 'low');
  const reasons = confidence.reasons.join('\n');
  assert.match(reasons, /^baseline: throughput drifted \+\d/m, reasons);
  assert.match(reasons, /^baseline: host CPU \d+(\.\d)?% busy/m, reasons);
});
