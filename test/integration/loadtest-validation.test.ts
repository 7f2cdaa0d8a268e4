// The stress and soak test types of validationWorkflow on a real Temporal dev server, with the
// real load-test, process-metrics and attribution activities against local servers in their own processes:
// the stress ramp finds the breaking point of a server of known capacity, and the soak flags a
// server that leaks memory on purpose (and not its twin that does not).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import type { Pool } from 'pg';
import { parseTargetProfile, type TargetProfile } from '../../common/profile';
import { LOADGEN_TASK_QUEUE } from '../../common/run';
import type { ValidationInput, ValidationResult } from '../../common/stages';
import type { LoadTestSummary } from '../../common/types';
import { createLoadTestActivities } from '../../activities/loadtest/activity';
import { createProcessActivities } from '../../activities/profiling/process';
import { createEndpointAttributionActivities } from '../../activities/profiling/endpoint-attribution';
import { TargetConnections } from '../../activities/connections';
import { migrateStore } from '../../activities/store/schema';
import { testPool } from '../helpers/services';
import { startTemporal } from '../helpers/temporal';
import { validationWorkflow } from '../../workflows';

Runtime.install({ logger: new DefaultLogger('WARN') });

// A server in its own process (so its RSS and event loop are its own). Prints its port.
const SERVER = `
const http = require('node:http');
const capacity = Number(process.env.CAPACITY || 0), delay = Number(process.env.DELAY_MS || 0), leakKb = Number(process.env.LEAK_KB || 0);
const kept = [];
let inFlight = 0;
const server = http.createServer((req, res) => {
  if (leakKb) kept.push(Buffer.alloc(leakKb * 1024, 7)); // retained forever: the leak
  if (capacity && inFlight >= capacity) { res.writeHead(503, { 'content-length': '4' }); return res.end('busy'); }
  inFlight++;
  const answer = () => { inFlight--; res.writeHead(200, { 'content-length': '2' }); res.end('ok'); };
  if (delay) setTimeout(answer, delay); else answer();
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
setTimeout(() => process.exit(0), 300000).unref();
`;

interface Child {
  url: string;
  proc: ChildProcess;
}

async function startServer(env: Record<string, string>): Promise<Child> {
  const proc = spawn(process.execPath, ['-e', SERVER], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    proc.stdout!.once('data', (d) => resolve(Number(String(d).trim())));
    proc.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  return { url: `http://127.0.0.1:${port}`, proc };
}

function stopServer(c: Child | undefined): Promise<void> {
  if (!c || c.proc.exitCode !== null) return Promise.resolve();
  return new Promise((r) => {
    c.proc.once('exit', () => r());
    c.proc.kill('SIGKILL');
  });
}

/** A baseline far worse than anything measured here, so "after" is never a regression. */
function poorBaseline(concurrency: number): LoadTestSummary {
  return {
    id: '0',
    phase: 'baseline',
    concurrency,
    durationSeconds: 2,
    requests: 10,
    errors: 5,
    errorRatePct: 50,
    throughputRps: 1,
    latencyMs: { p50: 900, p90: 950, p95: 980, p99: 990, max: 1000, mean: 900 },
    endpoints: [],
    errorKinds: {},
    warmupRequests: 0,
  };
}

let env: TestWorkflowEnvironment;
let store: Pool;
let connections: TargetConnections;
let worker: Worker;
let loadgen: Worker;
let workerDone: Promise<void>;
const taskQueue = `loadtest-validation-${process.pid}`;
const children: Child[] = [];

before(async () => {
  store = await testPool('perf_test_store');
  await migrateStore(store);
  connections = new TargetConnections();
  env = await startTemporal();
  const deps = { store, connections, policy: connections.policy };
  worker = await Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    workflowsPath: require.resolve('../../workflows/validation'),
    activities: { ...createLoadTestActivities(deps), ...createProcessActivities(deps), ...createEndpointAttributionActivities(deps) },
    maxHeartbeatThrottleInterval: '1 second',
  });
  // Load tests run on their own task queue (workflows/load-test.ts).
  loadgen = await Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue: LOADGEN_TASK_QUEUE,
    activities: createLoadTestActivities(deps),
    maxHeartbeatThrottleInterval: '1 second',
  });
  workerDone = Promise.all([worker.run(), loadgen.run()]).then(() => undefined);
});

after(async () => {
  worker?.shutdown();
  loadgen?.shutdown();
  await workerDone;
  await Promise.all(children.map(stopServer));
  await env?.teardown();
  await connections?.close();
  await store?.end();
});

function validate(target: TargetProfile, tier: ValidationInput['tier'], id: string): Promise<ValidationResult> {
  const input: ValidationInput = {
    runId: `it-${id}-${Date.now()}`,
    target,
    tier,
    baseline: poorBaseline(target.load.concurrency),
    regressionThresholdPct: 10,
  };
  return env.client.workflow.execute(validationWorkflow, { taskQueue, workflowId: `validation-${id}-${Date.now()}`, args: [input] });
}

describe('validationWorkflow stress and soak', { concurrency: false }, () => {
  test('stress: open-model rate steps find the breaking point of a server that answers at most 10 requests at a time', async (t) => {
    // 10 concurrent requests of 50 ms: 200 req/s; anything beyond is answered 503 at once.
    const capacityRps = 200;
    const server = await startServer({ CAPACITY: '10', DELAY_MS: '50' });
    children.push(server);
    const target = parseTargetProfile({
      name: 'capacity',
      http: { baseUrl: server.url, endpoints: [{ name: 'work', path: '/work' }] },
      // Closed baseline with 2 users: ~40 req/s; steps x1, x2, x4, x8: ~40, 80, 160, 320 req/s.
      load: {
        concurrency: 2,
        durationSeconds: 2,
        warmupSeconds: 0,
        stressStepSeconds: 2,
        stressMultipliers: [1, 2, 4, 8],
        requestTimeoutMs: 3000,
      },
      targets: { p95Ms: 1000, p99Ms: 1000, throughputRps: 1, errorRatePct: 1 },
    });
    const r = await validate(target, 'T3', 'stress');
    assert.deepEqual(r.completed, ['after', 'peak', 'stress']);
    const stress = r.stress!;
    const steps = stress.steps.map(
      (s) => `${s.rateRps} req/s -> ${s.throughputRps} ok/s, failed ${s.failedPct}%${s.withinSlo ? '' : ` (${s.reason})`}`,
    );
    t.diagnostic(`base ${stress.baseRps} req/s; steps: ${steps.join('; ')}`);
    assert.ok(stress.steps.length >= 2 && stress.steps.length <= 4);
    assert.ok(stress.steps.every((s) => s.rateRps !== undefined && s.loadTestId && s.concurrency > 0));
    const failing = stress.steps[stress.steps.length - 1];
    assert.equal(failing.withinSlo, false, 'the ramp ends at the first step that misses the SLO');
    assert.match(failing.reason!, /failed .*% > 1%/);
    assert.ok(stress.steps.slice(0, -1).every((s) => s.withinSlo));
    const bp = stress.breakingPoint!;
    assert.ok(bp, 'a breaking point');
    assert.equal(bp.rateRps, stress.steps[stress.steps.length - 2].rateRps, 'the highest rate still within the SLO');
    // Known capacity: the breaking point is at most it, the failing step at least most of it.
    assert.ok(bp.rateRps! <= capacityRps, `breaking point ${bp.rateRps} req/s above the capacity ${capacityRps}`);
    assert.ok(bp.rateRps! >= capacityRps / 2.6, `breaking point ${bp.rateRps} req/s far below the capacity ${capacityRps}`);
    assert.ok(failing.rateRps! > capacityRps * 0.75, `failed at ${failing.rateRps} req/s, well under the capacity`);
    assert.ok(bp.throughputRps > bp.rateRps! * 0.9, 'within the SLO, throughput follows the offered rate');
  });

  test('soak: flags the target that leaks memory, not its twin', async (t) => {
    const leaky = await startServer({ LEAK_KB: '32' });
    const sound = await startServer({});
    children.push(leaky, sound);
    const profile = (name: string, url: string) =>
      parseTargetProfile({
        name,
        http: { baseUrl: url, endpoints: [{ name: 'hit', path: '/hit/{{int:1:100}}' }] },
        // Open model at 200 req/s; short after/peak/stress phases, then an 8 s soak.
        load: {
          model: 'open',
          rateRps: 200,
          durationSeconds: 1,
          warmupSeconds: 0,
          soakSeconds: 8,
          stressStepSeconds: 1,
          stressMultipliers: [1],
          requestTimeoutMs: 3000,
        },
        targets: { p95Ms: 1000, p99Ms: 1000, throughputRps: 1 },
      });
    const [leak, ok] = await Promise.all([
      validate(profile('leaky', leaky.url), 'T4', 'leaky'),
      validate(profile('sound', sound.url), 'T4', 'sound'),
    ]);
    for (const [name, r] of [
      ['leaky', leak],
      ['sound', ok],
    ] as const) {
      t.diagnostic(
        `${name}: RSS slope ${r.soak?.rssSlopeMbPerMin} MB/min (r2 ${r.soak?.rssR2}), max ${r.soak?.rssMbMax} MB, ` +
          `p95 drift ${r.soak?.p95Drift?.changePct}%, flags ${JSON.stringify(r.soak?.flags)}`,
      );
      assert.deepEqual(r.completed, ['after', 'peak', 'stress', 'soak']);
      assert.equal(r.soak!.summary.model, 'open');
      assert.ok(
        Math.abs(r.soak!.summary.requests + (r.soak!.summary.dropped ?? 0) - 1600) <= 5,
        `soak requests ${r.soak!.summary.requests}`,
      );
      assert.equal(r.peak!.rateRps, 400, 'peak: twice the baseline rate');
    }
    assert.equal(leak.soak!.leakSuspected, true);
    assert.ok(leak.soak!.rssSlopeMbPerMin! > 50, `leak slope ${leak.soak!.rssSlopeMbPerMin}`);
    assert.ok(leak.soak!.flags!.some((f) => /memory leak suspected/.test(f)));
    assert.equal(ok.soak!.leakSuspected, false);
    assert.ok(!ok.soak!.flags!.some((f) => /memory leak/.test(f)));
  });
});
