// Hot functions of the CPU profile become application bottlenecks (the seed: functions > 5% CPU).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { functionLocation, hotFunctionBottlenecks, inventoryBottlenecks } from '../../common/bottlenecks';
import type { CpuProfileSummary, LoadTestSummary, NetworkProfile } from '../../common/types';

const baseline: LoadTestSummary = {
  id: '1',
  phase: 'baseline',
  concurrency: 4,
  durationSeconds: 10,
  requests: 1000,
  errors: 0,
  errorRatePct: 0,
  throughputRps: 100,
  latencyMs: { p50: 5, p90: 8, p95: 9, p99: 12, max: 20, mean: 6 },
  endpoints: [],
  errorKinds: {},
  warmupRequests: 0,
};

const cpu: CpuProfileSummary = {
  inspectorUrl: 'http://127.0.0.1:9229',
  pid: 42,
  runtime: 'node v20.20.2',
  artifactId: '7',
  file: '/tmp/p/shop.cpuprofile',
  durationMs: 10_000,
  samples: 9000,
  samplingIntervalUs: 1000,
  thresholdPct: 5,
  busyPct: 70,
  gcPct: 6,
  functions: [
    { functionName: 'renderPage', url: 'file:///srv/app/render.js', lineNumber: 12, selfPct: 30, totalPct: 45, hot: true },
    { functionName: '(garbage collector)', url: '', lineNumber: 0, selfPct: 6, totalPct: 6, hot: true },
    { functionName: 'parse', url: 'node:internal/url', lineNumber: 3, selfPct: 5, totalPct: 9, hot: false },
  ],
  eventLoopDelayMs: { p50Ms: 10, p99Ms: 40, maxMs: 60, meanMs: 12 },
  problems: [],
};

test('hot functions above the threshold are application bottlenecks scored by the CPU they take', () => {
  const b = hotFunctionBottlenecks(cpu, 100);
  assert.equal(b.length, 2);
  assert.equal(b[0].layer, 'application');
  assert.match(
    b[0].description,
    /^hot function renderPage \(render\.js:12\): 30% of the main thread in itself, 45% with its callees \(rule: > 5%\)$/,
  );
  // 30% of the thread = 300 ms per second; at 100 req/s that is 3 ms per request: 3 x 100 / 1 day.
  assert.equal(b[0].impactScore, 300);
  assert.ok(b[0].evidence.includes('file:///srv/app/render.js:12'));
  assert.ok(b[0].evidence.some((e) => /3 ms of main-thread time per request at 100 req\/s/.test(e)));
  assert.ok(b[0].evidence.some((e) => e.includes('/tmp/p/shop.cpuprofile') && e.includes('artifact 7')));
  assert.match(b[1].description, /^garbage collection: 6% of the main thread/);
  assert.equal(hotFunctionBottlenecks(cpu, 0)[0].impactScore, 0);
  assert.match(b[1].evidence[0], /^native code/);
  assert.match(
    hotFunctionBottlenecks({ ...cpu, functions: [{ ...cpu.functions[0], selfPct: 24.37, totalPct: 24.37 }] }, 10)[0].description,
    /: 24\.4% of the main thread in itself, 24\.4% with/,
  );
  assert.equal(functionLocation({ url: '', lineNumber: 0 }), '(native)');
  assert.equal(functionLocation({ url: 'file:///a/b/c.ts?x=1', lineNumber: 9 }), 'c.ts:9');
});

test('the inventory includes them with the other findings, and works without a CPU profile', () => {
  const network: NetworkProfile = {
    connectMsAvg: 150,
    ttfbMsAvg: 200,
    samples: 6,
    endpoints: [
      {
        name: 'home',
        method: 'GET',
        samples: 3,
        errors: 0,
        status: 200,
        connectMsAvg: 150,
        ttfbMsAvg: 200,
        transferMsAvg: 5,
        totalMsAvg: 205,
      },
    ],
  };
  const targets = { p95Ms: 50, p99Ms: 100, throughputRps: 10, errorRatePct: 1 };
  const all = inventoryBottlenecks({ baseline, database: null, cache: null, process: null, network, cpu }, targets);
  assert.deepEqual(
    all.map((b) => b.layer),
    ['network', 'application', 'application'],
  ); // 150 x 100 > 300 > 60
  assert.ok(all[0].evidence.includes('home: connect 150 ms, TTFB 200 ms, transfer 5 ms'));
  const without = inventoryBottlenecks({ baseline, database: null, cache: null, process: null, network: null }, targets);
  assert.deepEqual(without, []);
  assert.deepEqual(inventoryBottlenecks({ baseline, database: null, cache: null, process: null, network: null, cpu: null }, targets), []);
});
