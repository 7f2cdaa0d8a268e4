// The load generator against a local HTTP server, then the activity on a real Temporal dev server.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import { existsSync } from 'node:fs';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { WorkflowFailedError } from '@temporalio/client';
import { MockActivityEnvironment, TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { Pool } from 'pg';
import { parseTargetProfile, type TargetProfile } from '../../common/profile';
import type { LoadTestRequest } from '../../common/types';
import { runClosedLoad, type LoadProgress } from '../../activities/loadtest/closed-model';
import { createLoadTestActivities, type LoadTestArtifact } from '../../activities/loadtest/activity';
import { decodeHistogram, summarize } from '../../activities/loadtest/histogram';
import { TargetConnections } from '../../activities/connections';
import { loadArtifact } from '../../activities/store/artifacts';
import { migrateStore } from '../../activities/store/schema';
import { testPool } from '../helpers/services';
import type { loadTestWorkflow } from './workflows/loadtest-workflows';

const CLI = process.env.TEMPORAL_CLI_PATH ?? '/work/main/.tools/temporal/bin/temporal';
const DELAY_MS = 5;

let server: http.Server;
let baseUrl: string;
const seen = { requests: 0, lastAt: 0 };

function profile(url = baseUrl, extra: Partial<{ allowedHosts: string[] }> = {}): TargetProfile {
  return parseTargetProfile({
    name: 'loadtest-it',
    http: {
      baseUrl: url,
      ...extra,
      endpoints: [
        { name: 'items', path: '/items/{{int:1:1000}}', weight: 3 },
        { name: 'broken', path: '/broken', weight: 1 },
      ],
    },
    load: { requestTimeoutMs: 2000 },
    targets: { p95Ms: 50, p99Ms: 100, throughputRps: 10 },
  });
}

before(async () => {
  server = http.createServer((req, res) => {
    seen.requests++;
    seen.lastAt = Date.now();
    setTimeout(() => {
      res.statusCode = req.url === '/broken' ? 500 : 200;
      res.setHeader('content-type', 'application/json');
      res.end('{"ok":true}');
    }, DELAY_MS);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('runClosedLoad', () => {
  test('loads the local server for 2 s, classifies 500s, measures latency', async () => {
    const progress: LoadProgress[] = [];
    const started = Date.now();
    const r = await runClosedLoad({
      target: profile(),
      concurrency: 4,
      durationSeconds: 2,
      warmupSeconds: 0.5,
      onProgress: (p) => progress.push(p),
    });
    const took = Date.now() - started;
    assert.ok(took >= 2400 && took < 6000, `took ${took} ms`);
    assert.ok(r.requests > 0, 'counted requests');
    assert.ok(r.warmupRequests > 0, 'warm-up requests are not counted');
    const items = r.endpoints.find((e) => e.name === 'items')!;
    const broken = r.endpoints.find((e) => e.name === 'broken')!;
    assert.equal(items.requests + broken.requests, r.requests);
    assert.ok(items.requests > 0 && broken.requests > 0);
    assert.equal(items.errors, 0);
    assert.equal(broken.errors, broken.requests, 'every /broken answer is an error');
    assert.equal(r.errors, broken.requests);
    assert.equal(r.errorKinds.http_5xx, broken.requests);
    assert.equal(r.errorKindsByEndpoint.broken.http_5xx, broken.requests);
    assert.equal(r.errorKinds.timeout + r.errorKinds.connect_refused + r.errorKinds.reset + r.errorKinds.other_network, 0);
    assert.ok(Math.abs(r.errorRatePct - (r.errors / r.requests) * 100) < 0.01);
    assert.ok(Math.abs(r.throughputRps - r.requests / 2) < 0.01, 'throughput over the measured window');
    assert.ok(r.latencyMs.p50 >= DELAY_MS, `p50 ${r.latencyMs.p50}`);
    assert.ok(r.latencyMs.p95 >= r.latencyMs.p50 && r.latencyMs.max >= r.latencyMs.p99);
    assert.ok(items.latencyMs.p50 >= DELAY_MS);
    // Histograms are stored encoded and decode to the same figures.
    const overall = decodeHistogram(r.histograms.overall);
    assert.equal(overall.totalCount, r.requests);
    assert.deepEqual(summarize(overall), r.latencyMs);
    assert.equal(decodeHistogram(r.histograms.endpoints.broken).totalCount, broken.requests);
    // Progress each second, the last one at the end.
    assert.ok(progress.length >= 2, `progress ${progress.length}`);
    const last = progress[progress.length - 1];
    assert.equal(last.totalSeconds, 2.5);
    assert.equal(last.requests, r.requests);
    assert.ok(progress.some((p) => p.currentRps > 0 && p.p95Ms >= DELAY_MS));
    assert.equal(r.aborted, false);
    assert.equal(r.capped, false);
  });

  test('stops within ~1 s on abort, and at the request cap', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 500);
    const t = Date.now();
    const r = await runClosedLoad({ target: profile(), concurrency: 4, durationSeconds: 30, warmupSeconds: 0, signal: ac.signal });
    assert.ok(Date.now() - t < 1500, `stopped after ${Date.now() - t} ms`);
    assert.equal(r.aborted, true);
    assert.ok(r.requests > 0);
    assert.ok(r.measuredSeconds > 0.3 && r.measuredSeconds < 1.5);

    const capped = await runClosedLoad({ target: profile(), concurrency: 4, durationSeconds: 30, warmupSeconds: 0, maxRequests: 50 });
    assert.equal(capped.capped, true);
    assert.ok(capped.requests <= 50 && capped.requests > 0);
  });

  test('refuses hosts the profile does not allow', async () => {
    const before = seen.requests;
    await assert.rejects(
      runClosedLoad({ target: profile(), baseUrl: 'http://example.com', concurrency: 1, durationSeconds: 1, warmupSeconds: 0 }),
      (err: unknown) => {
        assert.ok(err instanceof ApplicationFailure);
        assert.equal(err.nonRetryable, true);
        assert.match(err.message, /example\.com.*not an allowed host/);
        return true;
      },
    );
    assert.equal(seen.requests, before);
    // A host listed in http.allowedHosts may be targeted.
    const port = new URL(baseUrl).port;
    const r = await runClosedLoad({
      target: profile(baseUrl, { allowedHosts: ['localhost'] }),
      baseUrl: `http://localhost:${port}`,
      concurrency: 1,
      durationSeconds: 1,
      warmupSeconds: 0,
    });
    assert.ok(r.requests > 0);
  });
});

describe('request splitting', () => {
  test('a profile that skipped the CLI is refused by the worker before one byte reaches the target', async () => {
    const received: Buffer[] = [];
    const raw = net.createServer((socket) => socket.on('data', (d) => received.push(d)));
    await new Promise<void>((r) => raw.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(raw.address() as AddressInfo).port}`;
    try {
      // As a workflow started without the CLI would pass it: no schema ran on it.
      const hostile = (endpoint: Record<string, unknown>): TargetProfile => {
        const p = profile(url);
        return { ...p, http: { ...p.http, endpoints: [{ ...p.http.endpoints[0], ...endpoint }] } } as TargetProfile;
      };
      const attempts = [
        hostile({ path: '/ok HTTP/1.0\r\n\r\nGET /smuggled' }),
        hostile({ headers: { 'x-a': 'v\r\nx-injected: yes' } }),
        hostile({ headers: { 'x-user': '{{who}}' }, variables: { who: { list: ['bob\r\nx-admin: 1'] } } }),
      ];
      for (const target of attempts) {
        await assert.rejects(runClosedLoad({ target, concurrency: 1, durationSeconds: 1, warmupSeconds: 0 }), (err: unknown) => {
          assert.ok(err instanceof ApplicationFailure && err.nonRetryable && err.type === 'BadLoadTestInput', String(err));
          assert.match(err.message, /endpoint .*: (path|headers|variables).* contains (CR|LF|a space)/);
          return true;
        });
      }
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(Buffer.concat(received).length, 0, 'nothing reached the listener');
    } finally {
      raw.close();
    }
  });
});

describe('runLoadTest activity on a Temporal dev server', () => {
  let env: TestWorkflowEnvironment;
  let store: Pool;
  let connections: TargetConnections;

  before(async () => {
    assert.ok(existsSync(CLI), `Temporal CLI not found at ${CLI}; run: npm run setup:tools (or set TEMPORAL_CLI_PATH)`);
    store = await testPool('perf_test_store');
    await migrateStore(store);
    connections = new TargetConnections();
    env = await TestWorkflowEnvironment.createLocal({ server: { executable: { type: 'existing-path', path: CLI } } });
  });

  after(async () => {
    await env?.teardown();
    await connections?.close();
    await store?.end();
  });

  test('heartbeats progress each second and, when cancelled, partial results before rethrowing', async () => {
    const mock = new MockActivityEnvironment();
    const beats: Array<Record<string, unknown>> = [];
    mock.on('heartbeat', (d: Record<string, unknown>) => beats.push(d));
    const activities = createLoadTestActivities({ store, connections, policy: connections.policy });
    const req: LoadTestRequest = {
      runId: `mock-${Date.now()}`,
      phase: 'peak',
      target: profile(),
      concurrency: 2,
      durationSeconds: 30,
      warmupSeconds: 0,
    };
    setTimeout(() => mock.cancel(), 2300);
    const t = Date.now();
    await assert.rejects(mock.run(activities.runLoadTest, req), (err: unknown) => {
      assert.ok(err instanceof CancelledFailure, String(err));
      return true;
    });
    assert.ok(Date.now() - t < 3500, `stopped after ${Date.now() - t} ms`);
    assert.ok(beats.length >= 3, `heartbeats: ${beats.length}`);
    assert.ok(typeof beats[0].elapsedSeconds === 'number' && typeof beats[0].currentRps === 'number');
    assert.equal(beats[0].phase, 'peak', 'the progress line names the test that runs');
    const last = beats[beats.length - 1] as { partial?: { requests: number; phase: string; errorKinds: Record<string, number> } };
    assert.ok(last.partial, 'last heartbeat carries partial results');
    assert.equal(last.partial.phase, 'peak');
    assert.ok(last.partial.requests > 0);
  });

  test('open model: heartbeats carry running totals; a cancel mid-run stops the arrivals and reports partial results', async () => {
    const mock = new MockActivityEnvironment();
    const beats: Array<Record<string, unknown>> = [];
    mock.on('heartbeat', (d: Record<string, unknown>) => beats.push(d));
    const activities = createLoadTestActivities({ store, connections, policy: connections.policy });
    const req: LoadTestRequest = {
      runId: `mock-open-${Date.now()}`,
      phase: 'soak',
      target: profile(),
      concurrency: 1,
      durationSeconds: 30,
      warmupSeconds: 0,
      model: 'open',
      rateRps: 300,
    };
    setTimeout(() => mock.cancel(), 2300);
    const t = Date.now();
    await assert.rejects(mock.run(activities.runLoadTest, req), (err: unknown) => err instanceof CancelledFailure);
    const stoppedAfter = Date.now() - t;
    // Requests already on the wire at the cancel may still land; after that, nothing new is sent.
    await new Promise((r) => setTimeout(r, 100));
    const count = seen.requests;
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(seen.requests, count, 'no arrival is sent after the cancel');
    assert.ok(stoppedAfter < 3500, `stopped after ${stoppedAfter} ms`);
    const tick = beats[0] as { offeredRps: number; totals: { requests: number; latencyMs: { p99: number } } };
    assert.ok(tick.offeredRps > 250 && tick.offeredRps < 350, `offered ${tick.offeredRps}`);
    assert.ok(tick.totals.requests > 0 && tick.totals.latencyMs.p99 >= DELAY_MS, 'running totals each second');
    const last = beats[beats.length - 1] as {
      partial?: { model: string; requests: number; dropped: number; offeredRps: number; durationSeconds: number };
    };
    assert.ok(last.partial, 'last heartbeat carries partial results');
    assert.equal(last.partial.model, 'open');
    assert.ok(last.partial.requests > 400, `partial requests ${last.partial.requests}`);
    assert.equal(last.partial.dropped, 0);
    assert.ok(Math.abs(last.partial.offeredRps - 300) < 15, `offered over the partial window ${last.partial.offeredRps}`);
  });

  test('runs, heartbeats, stores the full result, and stops promptly when cancelled', async (t) => {
    const taskQueue = `loadtest-${Date.now()}`;
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowsPath: require.resolve('./workflows/loadtest-workflows'),
      activities: createLoadTestActivities({ store, connections, policy: connections.policy }),
      // Heartbeats (which carry cancellation back) at least every second.
      maxHeartbeatThrottleInterval: '1 second',
    });
    await worker.runUntil(async () => {
      const runId = `it-${Date.now()}`;
      const req: LoadTestRequest = { runId, phase: 'baseline', target: profile(), concurrency: 4, durationSeconds: 2, warmupSeconds: 0.5 };
      const summary = await env.client.workflow.execute<typeof loadTestWorkflow>('loadTestWorkflow', {
        taskQueue,
        workflowId: `lt-${runId}`,
        args: [req],
      });
      assert.equal(summary.phase, 'baseline');
      assert.equal(summary.concurrency, 4);
      assert.equal(summary.durationSeconds, 2);
      assert.ok(summary.requests > 0);
      assert.ok(summary.latencyMs.p50 >= DELAY_MS);
      assert.equal(summary.errorKinds.http_5xx, summary.errors);
      assert.deepEqual(
        summary.endpoints.map((e) => e.name),
        ['items', 'broken'],
      );
      assert.match(summary.id, /^\d+$/);
      const art = await loadArtifact<LoadTestArtifact>(store, summary.id);
      assert.equal(art.runId, runId);
      assert.equal(art.phase, 'baseline');
      assert.equal(art.result.requests, summary.requests);
      assert.equal(decodeHistogram(art.result.histograms.endpoints.items).totalCount, summary.endpoints[0].requests);
      assert.ok(art.result.progress.length >= 2);
      assert.deepEqual(art.result.errorKinds, summary.errorKinds);
      const { rows } = await store.query('SELECT kind, run_id FROM perf_orchestrator.artifacts WHERE id = $1', [summary.id]);
      assert.deepEqual(rows[0], { kind: 'loadtest', run_id: runId });

      // Cancellation: a 30 s test cancelled after ~3 s ends within a few seconds, and so does the load.
      const handle = await env.client.workflow.start<typeof loadTestWorkflow>('loadTestWorkflow', {
        taskQueue,
        workflowId: `lt-cancel-${runId}`,
        args: [{ ...req, runId: `${runId}-cancel`, durationSeconds: 30, warmupSeconds: 0 }],
      });
      await new Promise((r) => setTimeout(r, 3000));
      const beforeCancel = seen.requests;
      assert.ok(beforeCancel > 0);
      const cancelAt = Date.now();
      await handle.cancel();
      await assert.rejects(handle.result(), (err: unknown) => {
        assert.ok(err instanceof WorkflowFailedError, String(err));
        assert.ok(err.cause instanceof CancelledFailure, String(err.cause));
        return true;
      });
      const endedAfter = Date.now() - cancelAt;
      assert.ok(endedAfter < 5000, `workflow ended ${endedAfter} ms after the cancel`);
      const stoppedAfter = seen.lastAt - cancelAt;
      t.diagnostic(`cancel: workflow ended after ${endedAfter} ms, last request ${stoppedAfter} ms after the cancel`);
      assert.ok(stoppedAfter < 4000, `load went on ${stoppedAfter} ms after the cancel`);
      await new Promise((r) => setTimeout(r, 100)); // requests already on the wire may still land
      const count = seen.requests;
      await new Promise((r) => setTimeout(r, 1000));
      assert.equal(seen.requests, count, 'no request after the activity stopped');
      // No artifact is stored for a cancelled test.
      const { rowCount } = await store.query('SELECT 1 FROM perf_orchestrator.artifacts WHERE run_id = $1', [`${runId}-cancel`]);
      assert.equal(rowCount, 0);
    });
  });
});
