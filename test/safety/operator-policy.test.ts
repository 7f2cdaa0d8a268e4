// The worker operator decides what a run may read, where it may send and how much (issue 9, items 4
// and 12): a real worker on a real Temporal dev server, with raw TCP listeners standing in for the
// target that count every connection they get. A refused run must be refused before any of them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { once } from 'node:events';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import type { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { TASK_QUEUE, workflowIdFor, type RunInput } from '../../common/run';
import { parseTargetProfile, type TargetProfile } from '../../common/profile';
import type { LoadTestSummary } from '../../common/types';
import { loadTestWorkflow, performanceOrchestration } from '../../workflows';
import { testDatabase } from '../helpers/services';
import { startTemporal, startWorkers, type RunningWorkers } from '../helpers/temporal';

Runtime.install({ logger: new DefaultLogger('WARN') });

const DB_URL_WITH_PASSWORD = 'postgres://shop:s3cret-password@127.0.0.1:5432/shop';
let env: TestWorkflowEnvironment;
let client: Client;
let workers: RunningWorkers;

/** A raw TCP listener that never answers and counts the connections it is given. */
interface Listener {
  port: number;
  connections: number;
  received: string;
  server: net.Server;
}
const listeners: Listener[] = [];
async function listen(host: string): Promise<Listener> {
  const l: Listener = { port: 0, connections: 0, received: '', server: net.createServer() };
  l.server.on('connection', (s) => {
    l.connections++;
    s.on('data', (d) => (l.received += d.toString('latin1')));
    s.on('error', () => undefined);
  });
  l.server.listen(0, host);
  await once(l.server, 'listening');
  l.port = (l.server.address() as net.AddressInfo).port;
  listeners.push(l);
  return l;
}

before(async () => {
  env = await startTemporal();
  client = env.client;
  workers = await startWorkers(env, {
    storeUrl: await testDatabase('perf_test_policy_store'),
    // The operator sets no policy: the defaults (loopback hosts, each target its own NAME_* variables).
    env: { SHOP_DATABASE_URL: DB_URL_WITH_PASSWORD, SHOP_ADMIN_TOKEN: 'shop-token', BUDGET_IT_TOKEN: 'x' },
  });
});

after(async () => {
  await workers?.stop();
  for (const l of listeners) l.server.close();
  await env?.teardown();
});

function profile(name: string, baseUrl: string, over: Record<string, unknown> = {}): TargetProfile {
  return parseTargetProfile({
    name,
    http: { baseUrl, endpoints: [{ name: 'home', path: '/', cacheable: true }] },
    targets: { p95Ms: 50, p99Ms: 100, throughputRps: 10, whenMetAtBaseline: 'continue' },
    load: { concurrency: 2, durationSeconds: 2, warmupSeconds: 0.5 },
    scope: ['caching'],
    ...over,
  });
}

function runInput(target: TargetProfile): RunInput {
  return { target, tier: 'T1', autoApprove: true, approvalTimeoutMs: 60_000, onApprovalTimeout: 'end', requestedBy: 'test' };
}

/** The innermost failure's message (workflow -> activity -> application failure). */
function rootMessage(err: unknown): string {
  let e = err as Error & { cause?: unknown };
  while (e.cause) e = e.cause as Error & { cause?: unknown };
  return e.message;
}

/** Starts the run; resolves with its failure's message, or rejects when the listener got a connection first. */
async function refusal(target: TargetProfile, l: Listener, timeoutMs = 60_000): Promise<string> {
  const handle = await client.workflow.start(performanceOrchestration, {
    taskQueue: TASK_QUEUE,
    workflowId: workflowIdFor(target.name),
    args: [runInput(target)],
  });
  const deadline = Date.now() + timeoutMs;
  const result = handle.result().then(
    () => 'the run succeeded',
    (err) => rootMessage(err),
  );
  for (;;) {
    const done = await Promise.race([result, new Promise<null>((r) => setTimeout(() => r(null), 100))]);
    if (l.connections > 0) {
      await handle.terminate('test: the target was contacted').catch(() => undefined);
      assert.fail(`the target got ${l.connections} connection(s) before the run was refused; it received: ${JSON.stringify(l.received)}`);
    }
    if (done !== null) return done;
    if (Date.now() > deadline) {
      await handle.terminate('test: timed out').catch(() => undefined);
      assert.fail('the run was neither refused nor did it contact the target');
    }
  }
}

test('a toggle whose tokenEnv names the database URL is refused before anything reaches the target', async () => {
  const l = await listen('127.0.0.1');
  const target = profile('shop', `http://127.0.0.1:${l.port}`, {
    actions: { featureToggles: [{ name: 'cacheHome', fixes: 'uncached_endpoint', endpoints: ['home'], tokenEnv: 'SHOP_DATABASE_URL' }] },
  });
  const message = await refusal(target, l);
  assert.match(message, /SHOP_DATABASE_URL/);
  assert.match(message, /connection string, not a token/);
  assert.doesNotMatch(message, /s3cret-password/, 'the secret itself never appears in the failure');
  assert.equal(l.connections, 0);
});

test("a variable outside the target's own is refused, naming the field and PERF_TARGET_SECRETS", async () => {
  const l = await listen('127.0.0.1');
  const target = profile('billing', `http://127.0.0.1:${l.port}`, { database: { urlEnv: 'SHOP_DATABASE_URL' } });
  const message = await refusal(target, l);
  assert.match(message, /database\.urlEnv: SHOP_DATABASE_URL: target billing may read only BILLING_\*/);
  assert.match(message, /PERF_TARGET_SECRETS/);
  assert.equal(l.connections, 0);
});

test("a host the operator did not allow is refused before a connection, whatever the profile's allowedHosts say", async () => {
  const l = await listen('127.0.0.2');
  const message = await refusal(profile('elsewhere', `http://127.0.0.2:${l.port}`), l);
  assert.match(
    message,
    /http\.baseUrl: host 127\.0\.0\.2 is not in this worker's PERF_TARGET_HOSTS \(allowed: 127\.0\.0\.1, localhost, ::1\)/,
  );
  assert.equal(l.connections, 0);
});

test('a database log outside PERF_DB_LOG_DIRS is refused before the run: a profile cannot make the worker read /etc/shadow', async () => {
  const l = await listen('127.0.0.1');
  const target = profile('shop', `http://127.0.0.1:${l.port}`, { database: { urlEnv: 'SHOP_DATABASE_URL', logFile: '/etc/shadow' } });
  const message = await refusal(target, l);
  assert.match(message, /database\.logFile: \/etc\/shadow is not under this worker's PERF_DB_LOG_DIRS \(allowed: \/var\/log\/postgresql\)/);
  assert.equal(l.connections, 0);
});

test('a run whose stress plan exceeds the run cap is refused before sending (5,000 steps of 600 s)', async () => {
  const l = await listen('127.0.0.1');
  const target = profile('stressy', `http://127.0.0.1:${l.port}`, {
    load: {
      durationSeconds: 600,
      warmupSeconds: 1,
      stressStepSeconds: 600,
      stressMultipliers: Array.from({ length: 5000 }, (_, i) => i + 1),
    },
  });
  const message = await refusal(target, l);
  assert.match(
    message,
    /load: the run may plan 3007526 s of load .*stress \(5000 steps x 601 s\).* the worker's PERF_MAX_RUN_SECONDS allows 7200 s/,
  );
  assert.equal(l.connections, 0);
});

test("a profile may lower the operator's limits, never raise them", async () => {
  const l = await listen('127.0.0.1');
  const lower = await refusal(profile('lower', `http://127.0.0.1:${l.port}`, { limits: { maxRunSeconds: 30 } }), l);
  assert.match(lower, /the profile's limits\.maxRunSeconds allows 30 s/);
  const higher = await refusal(profile('higher', `http://127.0.0.1:${l.port}`, { limits: { maxRunRequests: 50_000_000 } }), l);
  assert.match(higher, /limits\.maxRunRequests: 50000000 is above this worker's PERF_MAX_RUN_REQUESTS=10000000/);
  assert.equal(l.connections, 0);
});

test("the profile's request limit stops the load generator mid-test, and the run's next test sends nothing", async () => {
  let requests = 0;
  const server = http.createServer((_req, res) => {
    requests++;
    res.end('ok');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  try {
    const target = profile('budget-it', `http://127.0.0.1:${port}`, { limits: { maxRunRequests: 200 } });
    const req = { runId: `budget-${Date.now()}`, target, concurrency: 2, durationSeconds: 3, warmupSeconds: 0 };
    const first: LoadTestSummary = await client.workflow.execute(loadTestWorkflow, {
      taskQueue: TASK_QUEUE,
      workflowId: `budget-first-${Date.now()}`,
      args: [{ ...req, phase: 'baseline' }],
    });
    assert.equal(first.runBudgetSpent, true, JSON.stringify(first));
    assert.ok(requests <= 200, `the target got ${requests} requests`);
    const before = requests;
    await assert.rejects(
      client.workflow.execute(loadTestWorkflow, {
        taskQueue: TASK_QUEUE,
        workflowId: `budget-second-${Date.now()}`,
        args: [{ ...req, phase: 'after' }],
      }),
      (err: unknown) => /has sent \d+ requests, its whole budget \(200: .*limits\.maxRunRequests\)/.test(rootMessage(err)),
    );
    assert.equal(requests, before, 'nothing sent once the budget is spent');
  } finally {
    server.closeAllConnections();
    server.close();
  }
});

test('a worker with a malformed policy refuses to start, naming the variable and the fix', async () => {
  const run = (extra: NodeJS.ProcessEnv) =>
    new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = execFile(
        process.execPath,
        ['--import', 'tsx', join(__dirname, '../../worker/main.ts')],
        // An address nothing answers on: the policy is read before the worker connects.
        { env: { ...process.env, TEMPORAL_ADDRESS: '127.0.0.1:1', ...extra }, timeout: 60_000 },
        (_err, stdout, stderr) => resolve({ code: child.exitCode, out: stdout + stderr }),
      );
    });
  const hosts = await run({ PERF_TARGET_HOSTS: 'http://shop:3100' });
  assert.equal(hosts.code, 1);
  assert.match(hosts.out, /the worker refuses to start: PERF_TARGET_HOSTS: "http:\/\/shop:3100" is not a host name or IP address/);
  const secrets = await run({ PERF_TARGET_SECRETS: 'shop=PERF_STORE_URL' });
  assert.equal(secrets.code, 1);
  assert.match(
    secrets.out,
    /the worker refuses to start: PERF_TARGET_SECRETS: "PERF_STORE_URL" \(target shop\) would give a target the worker's own settings/,
  );
});
