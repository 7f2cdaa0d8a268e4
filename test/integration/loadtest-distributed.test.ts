// A load test fanned out as shards over two load-generator workers on the perf-loadgen task queue
// (real Temporal dev server, real HTTP target): the merged result is exactly the shards' sum, and a
// lost shard fails the test loudly instead of vanishing.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApplicationFailure } from '@temporalio/common';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { WorkflowFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Pool } from 'pg';
import { DEFAULT_OPERATOR_POLICY } from '../../common/operator-policy';
import { TargetConnections } from '../../activities/connections';
import { createLoadTestActivities, type LoadTestArtifact } from '../../activities/loadtest/activity';
import { decodeHistogram } from '../../activities/loadtest/histogram';
import { loadArtifact } from '../../activities/store/artifacts';
import { parseTargetProfile, type TargetProfile } from '../../common/profile';
import { LOADGEN_TASK_QUEUE, TASK_QUEUE } from '../../common/run';
import type { LoadTestRequest, LoadTestSummary } from '../../common/types';
import { createWorkers } from '../../worker/create-worker';
import { testDatabase } from '../helpers/services';
import { startTemporal, workflowBundle } from '../helpers/temporal';
import { loadTestWorkflow } from '../../workflows';
import { recordHistories } from '../helpers/record-histories';

Runtime.install({ logger: new DefaultLogger('WARN') });

let env: TestWorkflowEnvironment;
let server: http.Server;
let target: TargetProfile;
let store: Pool;
let orchestrator: Awaited<ReturnType<typeof createWorkers>>;
const generators: { worker: Worker; done: Promise<void>; ran: number; fail: boolean }[] = [];
let running: Promise<void>;
const connections: NativeConnection[] = [];

before(async () => {
  env = await startTemporal();
  server = http.createServer((req, res) => setTimeout(() => res.end(req.url === '/b' ? 'bbbb' : 'a'), 2));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  target = parseTargetProfile({
    name: 'sharded',
    http: {
      baseUrl: `http://127.0.0.1:${port}`,
      endpoints: [
        { name: 'a', path: '/a', weight: 3 },
        { name: 'b', path: '/b' },
      ],
    },
    targets: { p95Ms: 50, p99Ms: 100, throughputRps: 10 },
    load: { concurrency: 4, durationSeconds: 2, warmupSeconds: 0.5, shards: 2 },
  });
  const storeUrl = await testDatabase('perf_test_distributed_store');
  store = new Pool({ connectionString: storeUrl });
  const connection = env.nativeConnection as NativeConnection;
  orchestrator = await createWorkers({
    connection,
    namespace: env.namespace ?? 'default',
    storeUrl,
    roles: ['orchestrator'],
    workflowBundle: await workflowBundle(),
  });
  running = orchestrator.run();
  const { runLoadTest } = createLoadTestActivities({ store, connections: new TargetConnections({}), policy: DEFAULT_OPERATOR_POLICY });
  for (let i = 0; i < 2; i++) {
    const g = { worker: null as unknown as Worker, done: Promise.resolve(), ran: 0, fail: false };
    // Each generator has its own connection, as it would on its own machine.
    const own = await NativeConnection.connect({ address: env.address });
    connections.push(own);
    g.worker = await Worker.create({
      connection: own,
      namespace: env.namespace ?? 'default',
      taskQueue: LOADGEN_TASK_QUEUE,
      // One shard at a time: the second shard has to go to the other generator.
      maxConcurrentActivityTaskExecutions: 1,
      activities: {
        async runLoadTest(req: LoadTestRequest): Promise<LoadTestSummary> {
          g.ran++;
          if (g.fail) throw ApplicationFailure.nonRetryable('generator host went away', 'GeneratorDown');
          return runLoadTest(req);
        },
      },
    });
    g.done = g.worker.run();
    generators.push(g);
  }
});

after(async () => {
  for (const g of generators) g.worker.shutdown();
  orchestrator?.shutdown();
  await Promise.all([running, ...generators.map((g) => g.done)]);
  await orchestrator?.close();
  await Promise.all(connections.map((c) => c.close()));
  await store?.end();
  server?.close();
  await env?.teardown();
});

const request = (): LoadTestRequest => ({
  runId: 'distributed-test',
  phase: 'baseline',
  target,
  concurrency: 4,
  durationSeconds: 2,
  warmupSeconds: 0.5,
});

describe('distributed load test', { concurrency: false }, () => {
  test('two shards on two generators merge to exactly the sum of the shards', async () => {
    const workflowId = `loadtest-${Date.now()}`;
    const summary: LoadTestSummary = await env.client.workflow.execute(loadTestWorkflow, {
      taskQueue: TASK_QUEUE,
      workflowId,
      args: [request()],
    });
    await recordHistories(env.client, 'two-shards', [workflowId]);
    assert.deepEqual(
      generators.map((g) => g.ran),
      [1, 1],
    );
    assert.equal(summary.shards?.count, 2);
    assert.ok(summary.requests > 0);
    assert.equal(
      summary.requests,
      summary.shards!.requests.reduce((a, b) => a + b, 0),
    );
    assert.equal(summary.concurrency, 4);
    assert.equal(
      summary.endpoints.reduce((n, e) => n + e.requests, 0),
      summary.requests,
    );

    const merged = await loadArtifact<LoadTestArtifact>(store, summary.id);
    assert.equal(decodeHistogram(merged.result.histograms.overall).totalCount, summary.requests);
    const shards = await Promise.all(summary.shards!.ids.map((id) => loadArtifact<LoadTestArtifact>(store, id)));
    const shardCounts = shards.map((s) => decodeHistogram(s.result.histograms.overall).totalCount);
    assert.equal(
      shardCounts.reduce((a, b) => a + b, 0),
      summary.requests,
    );
    assert.equal(
      merged.result.bytesIn,
      shards.reduce((n, s) => n + s.result.bytesIn, 0),
    );
    assert.ok(summary.latencyMs.p50 >= 2, `p50 ${summary.latencyMs.p50}`);
  });

  test('a shard lost after its retries fails the test and names it', async () => {
    generators[0].fail = true;
    generators[1].fail = true;
    await assert.rejects(
      env.client.workflow.execute(loadTestWorkflow, {
        taskQueue: TASK_QUEUE,
        workflowId: `loadtest-lost-${Date.now()}`,
        args: [request()],
      }),
      (err: unknown) =>
        err instanceof WorkflowFailedError && /load-test shard \d\/2 was lost: generator host went away/.test(String(err.cause?.message)),
    );
  });
});
