// Notifications end to end on a real Temporal dev server and workers: the escalation workflow sends
// its notification to a signed webhook (a node:http receiver here that verifies the HMAC) and to a
// real Alertmanager (Debian's prometheus-alertmanager, started by scripts/prepare-services.sh); a
// receiver that answers 500 twice is retried, a 4xx and a missing secret are recorded as failed, and
// the escalation goes on either way. A run whose change makes things worse notifies its rollback.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Runtime, DefaultLogger } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Pool } from 'pg';
import { STORE_SCHEMA } from '../../activities/store/schema';
import { verifySignature } from '../../activities/notify/signature';
import type { SlackBody } from '../../common/notify/message';
import { parseTargetProfile, type TargetProfile } from '../../common/profile';
import { TASK_QUEUE, type EscalationInput, type EscalationStatus } from '../../common/run';
import { escalationStatusQuery, resolveSignal } from '../../workflows/messages';
import { architectureEscalation } from '../../workflows';
import { eventually } from '../helpers/eventually';
import { recordHistories } from '../helpers/record-histories';
import { runDatabase } from '../helpers/services';
import { startTemporal, startWorkers, type RunningWorkers } from '../helpers/temporal';
import { REDIS_URL } from '../helpers/services';
import { startScriptedTarget, type ScriptedTarget } from '../helpers/scripted-target';
import { OutputContractSchema } from '../../common/output-contract';
import { workflowIdFor } from '../../common/run';
import { PERF_TARGET } from '../../common/search-attributes';
import { performanceOrchestration } from '../../workflows';

Runtime.install({ logger: new DefaultLogger('WARN') });

const ALERTMANAGER = 'http://127.0.0.1:9093';
const SECRET = 'notify-test-signing-key';
const HOOK_PATH = 'ok-s3cr3t-token'; // the secret part of the webhook URL (a Slack webhook's path is its token)
const TARGET = 'notify-test';

interface Received {
  path: string;
  body: string;
  verified: string | null;
}

let env: TestWorkflowEnvironment;
let workers: RunningWorkers;
let store: Pool;
let database: Awaited<ReturnType<typeof runDatabase>>;
let receiver: http.Server;
let port: number;
const received: Received[] = [];
let flakyCalls = 0;
let regressing: ScriptedTarget; // a cache toggle that makes its endpoint slower: the run rolls it back

/** /ok... answers 204, /flaky 500 twice then 200, /gone 410; every request's signature is checked and kept. */
function handle(req: http.IncomingMessage, res: http.ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    received.push({ path: req.url ?? '', body, verified: verifySignature(SECRET, req.headers, body, new Date()) });
    const path = (req.url ?? '').replace(/\?.*/, '');
    const status = path.startsWith('/ok') ? 204 : path === '/gone' ? 410 : ++flakyCalls <= 2 ? 500 : 200;
    res.writeHead(status).end(status >= 400 ? 'receiver says no' : '');
  });
}

before(async () => {
  const ready = await fetch(`${ALERTMANAGER}/-/ready`).catch((err: Error) => err);
  if (ready instanceof Error || !ready.ok) {
    throw new Error(`Alertmanager does not answer at ${ALERTMANAGER}. Install and start it with: bash scripts/prepare-services.sh`);
  }
  receiver = http.createServer(handle);
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  port = (receiver.address() as AddressInfo).port;
  regressing = await startScriptedTarget({
    name: 'notify-rb',
    endpoints: { page: 20 },
    toggles: [{ name: 'pageCache', endpoint: 'page', delayWhenOn: 80 }],
    profile: {
      redis: { urlEnv: 'NOTIFY_RB_REDIS_URL' },
      scope: ['caching'],
      targets: { p95Ms: 5, p99Ms: 10, throughputRps: 1 },
      notifiers: [{ kind: 'webhook', url: `http://127.0.0.1:${port}/ok`, secretEnv: 'NOTIFY_RB_SECRET', events: ['rollback'] }],
    },
  });
  env = await startTemporal();
  database = await runDatabase('perf_test_notify_store');
  store = new Pool({ connectionString: database.url });
  // The default policy: loopback hosts only, and target notify-test reads NOTIFY_TEST_* only.
  workers = await startWorkers(env, {
    storeUrl: database.url,
    env: {
      NOTIFY_TEST_SECRET: SECRET,
      NOTIFY_TEST_HOOK_PATH: HOOK_PATH,
      NOTIFY_RB_SECRET: SECRET,
      NOTIFY_RB_REDIS_URL: REDIS_URL,
      ...regressing.env,
    },
  });
});

after(async () => {
  await workers?.stop();
  await store?.end();
  await regressing?.close();
  await env?.teardown();
  await database?.drop();
  receiver?.close();
});

function profile(notifiers: unknown[]): TargetProfile {
  return parseTargetProfile({
    name: TARGET,
    http: { baseUrl: `http://127.0.0.1:${port}`, endpoints: [{ name: 'home', path: '/' }] },
    targets: { p95Ms: 50, p99Ms: 100, throughputRps: 100 },
    notifiers,
  });
}

/** Opens an architecture review with the profile's notifiers, waits for its deliveries, resolves it. */
async function escalate(p: TargetProfile): Promise<{ workflowId: string; status: EscalationStatus; result: EscalationStatus }> {
  const workflowId = `notify-test-escalation-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
  const input: EscalationInput = {
    target: p.name,
    parentWorkflowId: 'perf-notify-test',
    reason: 'approval_timeout',
    summary: 'plan for notify-test was not approved within 600000 ms',
    details: {},
    timeoutMs: 60_000,
    profile: p,
  };
  const h = await env.client.workflow.start(architectureEscalation, { taskQueue: TASK_QUEUE, workflowId, args: [input] });
  const status = await eventually(
    'the escalation notifications',
    async () => (await h.query(escalationStatusQuery)).notifications && h.query(escalationStatusQuery),
    30_000,
  );
  await h.signal(resolveSignal, { by: 'test', resolution: 'looked at it' });
  return { workflowId, status, result: await h.result() };
}

async function attempts(workflowId: string) {
  const { rows } = await store.query(
    `SELECT notifier_kind, url, status, http_status, attempt, error, body, event, target FROM ${STORE_SCHEMA}.notifications
     WHERE workflow_id = $1 ORDER BY notifier_kind, url, attempt`,
    [workflowId],
  );
  return rows;
}

test('an escalation reaches a signed webhook and Alertmanager, and each delivery is recorded', async () => {
  const p = profile([
    { kind: 'webhook', url: `http://127.0.0.1:${port}/{{env:NOTIFY_TEST_HOOK_PATH}}?token=not-stored`, secretEnv: 'NOTIFY_TEST_SECRET' },
    { kind: 'alertmanager', url: ALERTMANAGER },
    { kind: 'webhook', url: `http://127.0.0.1:${port}/gone`, events: ['rollback'] },
  ]);
  const { workflowId, status } = await escalate(p);
  assert.deepEqual(
    status.notifications?.map((o) => [o.index, o.kind, o.status]),
    [
      [0, 'webhook', 'sent'],
      [1, 'alertmanager', 'sent'],
    ],
    'the rollback-only notifier is not called',
  );

  const hook = received.filter((r) => r.path.startsWith('/ok'));
  assert.equal(hook.length, 1);
  assert.equal(hook[0].path, `/${HOOK_PATH}?token=not-stored`, 'the worker resolved {{env:}} in the URL');
  assert.equal(hook[0].verified, null, 'the receiver verifies the HMAC signature');
  const body = JSON.parse(hook[0].body) as SlackBody;
  assert.match(body.text, /\[notify-test\] Architecture review opened for notify-test: plan not approved in time/);
  assert.match(JSON.stringify(body.blocks), new RegExp(`namespaces/default/workflows/${workflowId}`), 'a link to the Web UI');

  const id = `${workflowId}:escalation`;
  const alerts = await eventually('the alert in Alertmanager', async () => {
    const res = await fetch(`${ALERTMANAGER}/api/v2/alerts?filter=${encodeURIComponent(`notification_id="${id}"`)}`);
    const list = (await res.json()) as { labels: Record<string, string>; annotations: Record<string, string>; generatorURL?: string }[];
    return list.length ? list : undefined;
  });
  assert.equal(alerts.length, 1);
  assert.deepEqual(alerts[0].labels, {
    alertname: 'PerfOrchEscalation',
    target: TARGET,
    severity: 'warning',
    event: 'escalation',
    notification_id: id,
  });
  assert.match(alerts[0].annotations.description, /reason: approval_timeout/);
  assert.match(alerts[0].generatorURL ?? '', new RegExp(workflowId));

  const rows = await attempts(workflowId);
  assert.deepEqual(
    rows.map((r) => [r.notifier_kind, r.url, r.status, r.http_status, r.attempt, r.event, r.target]),
    [
      ['alertmanager', 'http://127.0.0.1:9093/', 'sent', 200, 1, 'escalation', TARGET],
      ['webhook', `http://127.0.0.1:${port}/{{env:NOTIFY_TEST_HOOK_PATH}}`, 'sent', 204, 1, 'escalation', TARGET],
    ],
    'the stored URL drops the query and keeps the variable name',
  );
  assert.deepEqual(rows[1].body, body, 'the body sent is on record');
  const history = JSON.stringify(await env.client.workflow.getHandle(workflowId).fetchHistory());
  assert.ok(!history.includes('s3cr3t'), 'the resolved URL is not in the workflow history');
});

test('a receiver down for two attempts is retried; a 4xx and a missing secret are recorded as failed; the escalation goes on', async () => {
  flakyCalls = 0;
  const p = profile([
    { kind: 'webhook', url: `http://127.0.0.1:${port}/flaky`, secretEnv: 'NOTIFY_TEST_SECRET' },
    { kind: 'webhook', url: `http://127.0.0.1:${port}/gone` },
    { kind: 'webhook', url: `http://127.0.0.1:${port}/ok`, secretEnv: 'NOTIFY_TEST_UNSET' },
  ]);
  const started = Date.now();
  const { workflowId, status, result } = await escalate(p);
  const [flaky, gone, unset] = status.notifications ?? [];
  assert.deepEqual([flaky.status, 'attempt' in flaky && flaky.attempt], ['sent', 3]);
  assert.equal(gone.status, 'failed');
  assert.match('error' in gone ? gone.error : '', /failed: HTTP 410: receiver says no/);
  assert.match('error' in unset ? unset.error : '', /NOTIFY_TEST_UNSET is not set on the worker/);
  assert.equal(result.state, 'resolved', 'the escalation completes although two notifiers failed');
  assert.ok(Date.now() - started < 20_000, 'retried with a short backoff');
  assert.equal(flakyCalls, 3);
  assert.ok(
    received.filter((r) => r.path === '/flaky').every((r) => r.verified === null),
    'each attempt is signed afresh',
  );

  const rows = await attempts(workflowId);
  assert.deepEqual(
    rows.map((r) => [r.url.replace(/^.*\//, '/'), r.status, r.http_status, r.attempt]),
    [
      ['/flaky', 'failed', 500, 1],
      ['/flaky', 'failed', 500, 2],
      ['/flaky', 'sent', 200, 3],
      ['/gone', 'failed', 410, 1],
      ['/ok', 'failed', null, 1],
    ],
    'every attempt on record; the 4xx and the missing secret are not retried',
  );
  assert.match(rows[4].error, /NOTIFY_TEST_UNSET/);
  assert.equal(received.filter((r) => r.path === '/ok' && r.body.includes(workflowId)).length, 0, 'nothing sent unsigned');
  await recordHistories(env.client, 'notify-escalation', [workflowId]);
});

test('a regression rolled back by the orchestration is notified (event rollback)', async () => {
  const handle = await env.client.workflow.start(performanceOrchestration, {
    taskQueue: TASK_QUEUE,
    workflowId: workflowIdFor(regressing.profile.name),
    args: [
      {
        target: regressing.profile,
        tier: 'T1',
        autoApprove: true,
        approvalTimeoutMs: 60_000,
        onApprovalTimeout: 'end',
        requestedBy: 'test',
      },
    ],
    typedSearchAttributes: [{ key: PERF_TARGET, value: regressing.profile.name }],
  });
  const result = OutputContractSchema.parse(await handle.result());
  assert.equal(result.validation_results.improvement_summary.outcome, 'regressed_rolled_back');
  assert.equal(regressing.toggles.pageCache, false, 'rolled back');
  const hook = received.filter((r) => r.body.includes('Changes rolled back on notify-rb'));
  assert.equal(hook.length, 1);
  assert.equal(hook[0].verified, null);
  const rows = await attempts(handle.workflowId);
  assert.deepEqual(
    rows.map((r) => [r.event, r.status, r.attempt]),
    [['rollback', 'sent', 1]],
  );
  await recordHistories(env.client, 'notify-rollback', [handle.workflowId]);
});
