// The hostile-profile corpus started directly as workflows (no CLI: a run started with another client
// is untrusted) at a real worker on a real Temporal dev server. The profiles' base URL, inspector,
// database and cache point at raw TCP listeners that count every connection and byte: every run must
// fail with BadProfile naming the broken field, having scheduled no activity but the pre-check, and no
// listener may see a connection. A valid profile started the same way does reach them (the control).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { ApplicationFailure, WorkflowFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { TASK_QUEUE, type RunInput } from '../../common/run';
import type { TargetProfile } from '../../common/profile';
import { performanceOrchestration } from '../../workflows';
import { testDatabase } from '../helpers/services';
import { startTemporal, startWorkers, type RunningWorkers } from '../helpers/temporal';
import { eventually } from '../helpers/eventually';
import { FUZZ_SEED, corpusTarget, hostileCorpus, refusalNamesField, unprintable, type HostileCase } from '../helpers/hostile-profiles';

// ERROR: each refused run would log its activity failure as a warning.
Runtime.install({ logger: new DefaultLogger('ERROR') });

interface RawListener {
  port: number;
  connections: number;
  bytes: number;
  close: () => Promise<void>;
}

/**
 * A TCP listener that counts what reaches it, then answers `reply` (if any) and hangs up: a request
 * that got through fails fast (and is retried), or with an HTTP answer goes on to the database and cache.
 */
async function rawListener(reply?: string): Promise<RawListener> {
  const sockets = new Set<Socket>();
  const l = { port: 0, connections: 0, bytes: 0 } as RawListener;
  const server: Server = createServer((s) => {
    l.connections++;
    sockets.add(s);
    s.on('data', (d) => {
      l.bytes += d.length;
      if (reply) s.end(reply);
      else s.destroy();
    });
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  l.port = (server.address() as { port: number }).port;
  l.close = () => {
    for (const s of sockets) s.destroy();
    return new Promise((resolve) => server.close(() => resolve()));
  };
  return l;
}

let env: TestWorkflowEnvironment;
let client: Client;
let workers: RunningWorkers;
const listeners: Record<'http' | 'inspector' | 'database' | 'redis', RawListener> = {} as never;

before(async () => {
  const ok = 'HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n';
  const [http, inspector, database, redis] = await Promise.all([rawListener(ok), rawListener(), rawListener(), rawListener()]);
  Object.assign(listeners, { http, inspector, database, redis });
  env = await startTemporal();
  client = env.client;
  workers = await startWorkers(env, {
    storeUrl: await testDatabase('perf_test_fuzz_store'),
    // The secrets the demo profile names, pointing at the raw listeners too.
    env: {
      SHOP_DATABASE_URL: `postgres://postgres@127.0.0.1:${database.port}/shop`,
      SHOP_REDIS_URL: `redis://127.0.0.1:${redis.port}`,
      SHOP_ADMIN_TOKEN: 'fuzz-token',
      SHOP_DEMO_PASSWORD: 'fuzz-password',
    },
  });
});

after(async () => {
  await Promise.all(Object.values(listeners).map((l) => l?.close()));
  await workers?.stop();
  await env?.teardown();
});

const seen = () => Object.fromEntries(Object.entries(listeners).map(([k, l]) => [k, { connections: l.connections, bytes: l.bytes }]));

function start(id: string, target: unknown): Promise<WorkflowHandle<typeof performanceOrchestration>> {
  const input: RunInput = {
    target: target as TargetProfile,
    tier: 'auto',
    autoApprove: true,
    approvalTimeoutMs: 60_000,
    onApprovalTimeout: 'end',
    requestedBy: 'fuzz',
  };
  // Bounded: a profile that got through would retry its pre-check against the hanging-up listener.
  return client.workflow.start(performanceOrchestration, {
    taskQueue: TASK_QUEUE,
    workflowId: `fuzz-${id}`,
    args: [input],
    workflowExecutionTimeout: '90 seconds',
  });
}

/** Why a run's outcome is not "failed with BadProfile naming the field, only the pre-check scheduled", or null. */
async function wrongOutcome(c: HostileCase, handle: WorkflowHandle<typeof performanceOrchestration>): Promise<string | null> {
  let failure: unknown;
  try {
    await handle.result();
    return 'completed';
  } catch (err) {
    failure = err;
  }
  if (!(failure instanceof WorkflowFailedError)) return `not a workflow failure: ${String(failure)}`;
  let cause: unknown = failure.cause;
  while (cause && !(cause instanceof ApplicationFailure)) cause = (cause as Error).cause;
  if (!(cause instanceof ApplicationFailure) || cause.type !== 'BadProfile')
    return `not BadProfile: ${String(failure.cause?.cause ?? failure.cause)}`;
  if (!refusalNamesField(cause.message, c)) return `field ${c.field} not named: ${JSON.stringify(cause.message.slice(0, 400))}`;
  // The message goes to the Web UI and the worker's log: escaped like the CLI's.
  if (unprintable(cause.message))
    return `raw ${JSON.stringify(unprintable(cause.message))} in: ${JSON.stringify(cause.message.slice(0, 400))}`;
  const { events } = await handle.fetchHistory();
  const scheduled = (events ?? []).flatMap((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? []);
  const children = (events ?? []).filter((e) => e.startChildWorkflowExecutionInitiatedEventAttributes).length;
  if (scheduled.join() !== 'precheck' || children) return `scheduled ${scheduled.join(', ')} and ${children} child(ren)`;
  return null;
}

test('every hostile profile started as a workflow fails with BadProfile before anything is sent', async () => {
  const t0 = Date.now();
  const cases = hostileCorpus(corpusTarget(listeners.http.port, listeners.inspector.port));
  const handles: WorkflowHandle<typeof performanceOrchestration>[] = [];
  for (let i = 0; i < cases.length; i += 50)
    handles.push(...(await Promise.all(cases.slice(i, i + 50).map((c) => start(c.id, c.profile)))));
  const started = Date.now() - t0;
  const failures: string[] = [];
  for (let i = 0; i < cases.length; i += 50) {
    const outcomes = await Promise.all(cases.slice(i, i + 50).map((c, j) => wrongOutcome(c, handles[i + j])));
    outcomes.forEach((o, j) => o && failures.push(`case ${cases[i + j].id} (${cases[i + j].what}, seed ${FUZZ_SEED}): ${o}`));
  }
  console.log(`${cases.length} hostile runs: started in ${started} ms, all ended in ${Date.now() - t0} ms`);
  assert.deepEqual(
    failures,
    [],
    `${failures.length} of ${cases.length} (listeners: ${JSON.stringify(seen())}):\n${failures.slice(0, 30).join('\n')}`,
  );
  assert.deepEqual(seen(), {
    http: { connections: 0, bytes: 0 },
    inspector: { connections: 0, bytes: 0 },
    database: { connections: 0, bytes: 0 },
    redis: { connections: 0, bytes: 0 },
  });
});

test('control: valid profiles started the same way do reach the listeners (HTTP, then the database, or the cache)', async () => {
  const target = corpusTarget(listeners.http.port, listeners.inspector.port);
  const withDatabase = await start('control', target.base);
  await eventually('the pre-check at the database listener', async () => (listeners.database.connections > 0 ? true : undefined), 30_000);
  await withDatabase.terminate('the control reached the listeners');
  const { database: _, ...cacheOnly } = target.base;
  const withCache = await start('control-cache', cacheOnly);
  await eventually('the pre-check at the Redis listener', async () => (listeners.redis.connections > 0 ? true : undefined), 30_000);
  await withCache.terminate('the control reached the listeners');
  assert.ok(listeners.http.connections >= 2 && listeners.http.bytes > 0, JSON.stringify(seen()));
});
