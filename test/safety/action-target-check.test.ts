// applyAction and rollbackChange check the target they are given (issue 9, follow-up): a workflow
// started directly (temporal workflow start, another client) is untrusted input, and the pre-check
// that would refuse its profile never ran. A hostile target handed straight to rollbackChangesWorkflow
// or optimizationWorkflow is refused (non-retryable BadProfile naming the field) and nothing is sent:
// a raw TCP listener at the target's address sees no connection.
// Real Temporal, a real worker.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { TASK_QUEUE } from '../../common/run';
import { parseTargetProfile, type TargetProfile } from '../../common/profile';
import type { AppliedChange, PlanItem } from '../../common/types';
import { optimizationWorkflow, rollbackChangesWorkflow } from '../../workflows';
import { testDatabase } from '../helpers/services';
import { startTemporal, startWorkers, type RunningWorkers } from '../helpers/temporal';

Runtime.install({ logger: new DefaultLogger('WARN') });

let env: TestWorkflowEnvironment;
let workers: RunningWorkers;
let listener: Server;
let port: number;
let connections = 0;

/** A profile the pre-check accepts, its toggle API at the listener. */
function goodTarget(): TargetProfile {
  return parseTargetProfile({
    name: 'hostile',
    http: { baseUrl: `http://127.0.0.1:${port}`, endpoints: [{ name: 'home', path: '/' }] },
    targets: { p95Ms: 100, p99Ms: 200, throughputRps: 10 },
    actions: { featureToggles: [{ name: 'cache', fixes: 'uncached_endpoint' }] },
  });
}

const toggleChange = (toggle: string): AppliedChange => ({
  itemId: 'toggle-cache',
  action: { type: 'feature_toggle', toggle, value: true },
  undo: { type: 'set_toggle', toggle, value: false },
  appliedAt: new Date().toISOString(),
  details: 'test',
});

const toggleItem = (toggle: string): PlanItem => ({
  id: 'toggle-cache',
  layer: 'application',
  rootCause: 'uncached_endpoint',
  title: 'cache',
  evidence: [],
  estimatedLatencyReductionMs: 1,
  effortDays: 0.1,
  risk: 'low',
  action: { type: 'feature_toggle', toggle, value: true },
  rollback: 'set it back',
  source: 'test',
  impactScore: 1,
  estimatedGainPct: 1,
  automatic: true,
});

/** A target whose toggle name carries a CRLF (the schema allows letters, digits, _ and -). */
function crlfTarget(): { target: TargetProfile; name: string } {
  const name = 'cache\r\nX-Injected: 1';
  const target = goodTarget();
  target.actions.featureToggles[0].name = name;
  return { target, name };
}

/** The activity's failure in the workflow's history: its type, and whether it was retried. */
async function activityFailure(workflowId: string): Promise<{ type: string; nonRetryable: boolean; attempts: number }> {
  const { events } = await env.client.workflow.getHandle(workflowId).fetchHistory();
  const failed = (events ?? []).find((e) => e.activityTaskFailedEventAttributes)?.activityTaskFailedEventAttributes;
  const info = failed?.failure?.cause?.applicationFailureInfo ?? failed?.failure?.applicationFailureInfo;
  const started = (events ?? []).find((e) => e.activityTaskStartedEventAttributes)?.activityTaskStartedEventAttributes;
  return { type: info?.type ?? '', nonRetryable: info?.nonRetryable ?? false, attempts: started?.attempt ?? 0 };
}

before(async () => {
  listener = createServer((socket) => {
    connections++;
    socket.destroy(); // no answer: a request that got here fails at once
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  port = (listener.address() as AddressInfo).port;
  env = await startTemporal();
  workers = await startWorkers(env, {
    storeUrl: await testDatabase('perf_test_dropfix_targetcheck_store'),
    env: {}, // the operator allows loopback only
  });
});

after(async () => {
  await workers?.stop();
  await env?.teardown();
  await new Promise((resolve) => listener?.close(resolve));
});

test('a directly started rollback with a CRLF in a toggle name is refused, naming the field; nothing reaches the target', async () => {
  const { target, name } = crlfTarget();
  const before = connections;
  const workflowId = `targetcheck-crlf-rollback-${Date.now()}`;
  const undone = await env.client.workflow.execute(rollbackChangesWorkflow, {
    taskQueue: TASK_QUEUE,
    workflowId,
    args: [{ target, changes: [toggleChange(name)], reason: 'test' }],
  });
  assert.equal(undone.length, 1);
  assert.equal(undone[0].ok, false);
  assert.match(undone[0].details, /rollback failed: Invalid target profile .*actions\.featureToggles\.0\.name/s);
  assert.deepEqual(await activityFailure(workflowId), { type: 'BadProfile', nonRetryable: true, attempts: 1 });
  assert.equal(connections - before, 0, 'the listener saw a connection');
});

test('a directly started rollback naming a host the operator does not allow is refused, naming the field; nothing is sent', async () => {
  const target = goodTarget();
  target.http.allowedHosts = ['evil.example.com'];
  const before = connections;
  const undone = await env.client.workflow.execute(rollbackChangesWorkflow, {
    taskQueue: TASK_QUEUE,
    workflowId: `targetcheck-host-rollback-${Date.now()}`,
    args: [{ target, changes: [toggleChange('cache')], reason: 'test' }],
  });
  assert.equal(undone[0].ok, false);
  assert.match(undone[0].details, /http\.allowedHosts\.0: host evil\.example\.com is not in this worker's PERF_TARGET_HOSTS/);
  assert.equal(connections - before, 0, 'the listener saw a connection');
});

test('a directly started optimization with a CRLF in a toggle name is refused before the toggle API is called', async () => {
  const { target, name } = crlfTarget();
  const before = connections;
  const result = await env.client.workflow.execute(optimizationWorkflow, {
    taskQueue: TASK_QUEUE,
    workflowId: `targetcheck-crlf-apply-${Date.now()}`,
    args: [{ target, items: [toggleItem(name)] }],
  });
  assert.equal(result.failed?.itemId, 'toggle-cache');
  assert.match(result.failed!.error, /actions\.featureToggles\.0\.name/);
  assert.deepEqual(result.applied, []);
  assert.equal(connections - before, 0, 'the listener saw a connection');
});

test('the same target without the hostile field reaches the listener (the listener does see connections)', async () => {
  const before = connections;
  const undone = await env.client.workflow.execute(rollbackChangesWorkflow, {
    taskQueue: TASK_QUEUE,
    workflowId: `targetcheck-control-${Date.now()}`,
    args: [{ target: goodTarget(), changes: [toggleChange('cache')], reason: 'test' }],
  });
  assert.equal(undone[0].ok, false, 'the listener never answers');
  assert.ok(connections - before >= 1, `connections: ${connections - before}`);
});
