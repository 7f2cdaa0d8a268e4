// Logged-in load against the demo shop: each virtual user logs in with the password from
// {{env:SHOP_DEMO_PASSWORD}}, its requests carry the token the login answered, and neither the password
// nor any token reaches a heartbeat, the stored results, an error or the workflow history.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowFailedError } from '@temporalio/client';
import { MockActivityEnvironment, type TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Worker, bundleWorkflowCode } from '@temporalio/worker';
import type { Pool } from 'pg';
import type { LoadTestRequest, LoadTestSummary } from '../../common/types';
import { createLoadTestActivities } from '../../activities/loadtest/activity';
import { TargetConnections } from '../../activities/connections';
import { migrateStore } from '../../activities/store/schema';
import { startDemoTarget, type DemoTarget } from '../helpers/demo-target';
import { testPool } from '../helpers/services';
import { startTemporal } from '../helpers/temporal';
import type { loadTestWorkflow } from '../integration/workflows/loadtest-workflows';

let shop: DemoTarget;
let store: Pool;
let connections: TargetConnections;
let temporal: TestWorkflowEnvironment;
const tokens = new Set<string>(); // every bearer token the shop was sent

before(async () => {
  [shop, store, temporal] = await Promise.all([
    startDemoTarget('perf_test_auth_shop', { products: 2000, load: { concurrency: 3, durationSeconds: 1.5, warmupSeconds: 0.5 } }),
    testPool('perf_test_auth_store'),
    startTemporal(),
  ]);
  await migrateStore(store);
  connections = new TargetConnections(shop.env);
  shop.server.prependListener('request', (req: IncomingMessage) => {
    const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    if (m && m[1] !== shop.token) tokens.add(m[1]);
  });
});

after(async () => {
  await temporal?.teardown();
  await connections?.close();
  await store?.end();
  await shop?.close();
});

const quiet = new DefaultLogger('WARN');

const request = (runId: string): LoadTestRequest => ({
  runId,
  phase: 'baseline',
  target: shop.profile,
  concurrency: 3,
  durationSeconds: 1.5,
  warmupSeconds: 0.5,
});

/** The secrets the tests look for: the password and every token the load used. */
function leaks(text: string): string[] {
  return [shop.env.SHOP_DEMO_PASSWORD!, ...tokens].filter((s) => text.includes(s));
}

/** Every string and payload (decoded) of a history. */
async function historyText(workflowId: string): Promise<string> {
  const out: string[] = [];
  const walk = (o: unknown): void => {
    if (o instanceof Uint8Array) out.push(Buffer.from(o).toString('utf8'));
    else if (typeof o === 'string') out.push(o);
    else if (Array.isArray(o)) o.forEach(walk);
    else if (o && typeof o === 'object') Object.values(o).forEach(walk);
  };
  walk(await temporal.client.workflow.getHandle(workflowId).fetchHistory());
  return out.join('\n');
}

async function storedText(runId: string): Promise<string> {
  const { rows } = await store.query('SELECT data::text AS t FROM perf_orchestrator.artifacts WHERE run_id = $1', [runId]);
  assert.ok(rows.length > 0, 'the result is stored');
  return rows.map((r: { t: string }) => r.t).join('\n');
}

test('logged-in load: every request of every virtual user succeeds; no secret in the heartbeats or the stored result', async () => {
  const runId = `auth-${Date.now()}`;
  const beats: unknown[] = [];
  const mock = new MockActivityEnvironment();
  mock.on('heartbeat', (d: unknown) => beats.push(d));
  const activities = createLoadTestActivities({ store, connections, policy: connections.policy });
  const summary: LoadTestSummary = await mock.run(activities.runLoadTest, request(runId));
  const me = summary.endpoints.find((e) => e.name === 'me')!;
  assert.ok(me.requests > 0, JSON.stringify(summary.endpoints));
  assert.equal(summary.errors, 0, JSON.stringify(summary.errorKinds));
  assert.equal(tokens.size, 3, 'one login, one token per virtual user');
  assert.ok(
    beats.some((b) => (b as { setup?: { done: number } }).setup?.done === 3),
    'the setup heartbeats its progress',
  );
  assert.deepEqual(leaks(JSON.stringify(beats)), [], 'a secret in a heartbeat');
  assert.deepEqual(leaks(JSON.stringify(summary)), [], 'a secret in the summary');
  assert.deepEqual(leaks(await storedText(runId)), [], 'a secret in the stored result');
});

test('on a Temporal server: no secret in the history; a wrong password fails the test naming the step and the status, not the password', async () => {
  const taskQueue = `auth-${Date.now()}`;
  const wrong = 'wrong-password-' + Date.now();
  const wrongConnections = new TargetConnections({ ...shop.env, SHOP_DEMO_PASSWORD: wrong });
  // One bundle for both workers (bundling is the slow part).
  const workflowBundle = await bundleWorkflowCode({
    workflowsPath: require.resolve('../integration/workflows/loadtest-workflows'),
    logger: quiet,
  });
  const worker = await Worker.create({
    connection: temporal.nativeConnection,
    taskQueue,
    workflowBundle,
    activities: createLoadTestActivities({ store, connections, policy: connections.policy }),
  });
  const badWorker = await Worker.create({
    connection: temporal.nativeConnection,
    taskQueue: `${taskQueue}-bad`,
    workflowBundle,
    activities: createLoadTestActivities({ store, connections: wrongConnections, policy: wrongConnections.policy }),
  });
  const runId = `auth-wf-${Date.now()}`;
  await Promise.all([
    worker.runUntil(async () => {
      const summary = await temporal.client.workflow.execute<typeof loadTestWorkflow>('loadTestWorkflow', {
        taskQueue,
        workflowId: `auth-${runId}`,
        args: [request(runId)],
      });
      assert.equal(summary.errors, 0);
      const history = await historyText(`auth-${runId}`);
      assert.ok(history.includes('SHOP_DEMO_PASSWORD'), 'the history holds the variable name');
      assert.deepEqual(leaks(history), [], 'a secret in the workflow history');
      assert.deepEqual(leaks(await storedText(runId)), [], 'a secret in the stored result');
    }),
    badWorker.runUntil(async () => {
      const failed = await temporal.client.workflow
        .execute<typeof loadTestWorkflow>('loadTestWorkflow', {
          taskQueue: `${taskQueue}-bad`,
          workflowId: `auth-bad-${runId}`,
          args: [request(`${runId}-bad`)],
        })
        .then(
          () => assert.fail('a wrong password must fail the test'),
          (e: unknown) => e,
        );
      assert.ok(failed instanceof WorkflowFailedError);
      const cause = failed.cause?.cause;
      assert.ok(cause instanceof ApplicationFailure && cause.type === 'SetupFailed', String(cause));
      assert.match(cause.message, /setup step 1 \(login\) \(virtual user \d of 3\): POST \/api\/login answered 401 \(expected 200\)/);
      const history = await historyText(`auth-bad-${runId}`);
      assert.match(history, /answered 401/, 'the failure is in the history');
      assert.ok(!history.includes(wrong), 'the password is in the failure');
    }),
  ]);
  await wrongConnections.close();
});
