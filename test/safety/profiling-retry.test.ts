// Profiling when a worker dies mid-baseline (issue 9, item 8). Real Temporal, real worker processes
// killed -9, a real target process (its own PostgreSQL database, inspector on) and pg_stat_statements.
// - The load generator dies: the retried baseline must not count the killed attempt's statements
//   (one query per request stays one query per request), and the samples belong to the measured attempt.
// - The orchestrator dies while the load goes on elsewhere: its samplers, retried after the load has
//   ended, must not report an idle target as the load's figures (reported as not measured, with why).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { DefaultLogger, type NativeConnection, Runtime } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Pool } from 'pg';
import { pairWithLoad } from '../../common/load-window';
import { parseTargetProfile, type TargetProfile } from '../../common/profile';
import { TASK_QUEUE } from '../../common/run';
import type { ProfilingResult } from '../../common/stages';
import { createWorkers, type WorkerRole } from '../../worker/create-worker';
import { profilingWorkflow } from '../../workflows';
import { eventually } from '../helpers/eventually';
import { freePort } from '../helpers/ports';
import { testDatabase, testPool } from '../helpers/services';
import { startTemporal, workflowBundle } from '../helpers/temporal';

Runtime.install({ logger: new DefaultLogger('WARN') });

const DB = 'perf_test_window_target';
const ROOT = join(__dirname, '../..');
const STATEMENT = /FROM win\.items WHERE id = \$1/;

// One query per request, counted (so the test knows when the load runs), answered after 5 ms.
const TARGET = `
const http = require('node:http');
const { Pool } = require('pg');
const pool = new Pool({ connectionString: process.env.WINDOW_DATABASE_URL, max: 8 });
let served = 0;
const s = http.createServer(async (req, res) => {
  if (req.url === '/served') return res.end(String(served));
  try {
    const r = await pool.query('SELECT v FROM win.items WHERE id = $1', [Number(req.url.split('/').pop()) || 1]);
    served++;
    setTimeout(() => res.end(JSON.stringify(r.rows[0] ?? null)), 5); // a steady rate: ~200 req/s per connection
  } catch (err) { res.statusCode = 500; res.end(String(err)); }
});
s.listen(Number(process.env.PORT), '127.0.0.1', () => process.stdout.write('ready\\n'));
`;

let env: TestWorkflowEnvironment;
let pool: Pool;
let dbUrl: string;
let storeUrl: string;
let target: TargetProfile;
let targetProc: ChildProcess;
let baseUrl: string;
const doomed: ChildProcess[] = [];
type Here = { workers: Awaited<ReturnType<typeof createWorkers>>; done: Promise<void>; stopped: boolean };
const inProcess: Here[] = [];

before(async () => {
  env = await startTemporal();
  dbUrl = await testDatabase(DB);
  storeUrl = await testDatabase('perf_test_window_store');
  pool = await testPool(DB);
  await pool.query(`DROP SCHEMA IF EXISTS win CASCADE; CREATE SCHEMA win;
    CREATE TABLE win.items (id int PRIMARY KEY, v int NOT NULL);
    INSERT INTO win.items SELECT g, g % 100 FROM generate_series(1, 1000) g;`);
  const [port, inspectPort] = [await freePort(), await freePort()];
  targetProc = spawn(process.execPath, [`--inspect=127.0.0.1:${inspectPort}`, '-e', TARGET], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), WINDOW_DATABASE_URL: dbUrl },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  await once(targetProc.stdout!, 'data');
  baseUrl = `http://127.0.0.1:${port}`;
  target = parseTargetProfile({
    name: 'window',
    http: { baseUrl, endpoints: [{ name: 'item', path: '/item/{{int:1:1000}}' }] },
    database: { urlEnv: 'WINDOW_DATABASE_URL', schemas: ['win'] },
    process: { port, inspectorUrl: `http://127.0.0.1:${inspectPort}` },
    load: { concurrency: 4, durationSeconds: 6, warmupSeconds: 1 },
    targets: { p95Ms: 1000, p99Ms: 2000, throughputRps: 1 },
  });
  void workflowBundle(); // bundle while the first worker process starts
});

after(async () => {
  for (const p of doomed) if (p.exitCode === null) p.kill('SIGKILL');
  for (const h of inProcess) await stop(h);
  targetProc?.kill('SIGKILL');
  await pool?.query('DROP SCHEMA IF EXISTS win CASCADE').catch(() => undefined);
  await pool?.end();
  await env?.teardown();
});

/** A worker in its own process (as on its own machine), serving the given roles. */
async function workerProcess(roles: WorkerRole[]): Promise<ChildProcess> {
  let log = '';
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'worker/main.ts')], {
    cwd: ROOT,
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: env.address,
      PERF_STORE_URL: storeUrl,
      WINDOW_DATABASE_URL: dbUrl,
      PERF_WORKER_ROLES: roles.join(','),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  doomed.push(child);
  child.stdout!.on('data', (d) => (log += d));
  child.stderr!.on('data', (d) => (log += d));
  await eventually(`the ${roles.join('+')} worker process`, async () => (log.includes('worker serving') ? true : undefined), 120_000);
  return child;
}

async function workerHere(roles: WorkerRole[]): Promise<Here> {
  const workers = await createWorkers({
    connection: env.nativeConnection as NativeConnection,
    namespace: env.namespace ?? 'default',
    storeUrl,
    roles,
    env: { WINDOW_DATABASE_URL: dbUrl },
    workflowBundle: await workflowBundle(),
  });
  const h: Here = { workers, done: workers.run(), stopped: false };
  inProcess.push(h);
  return h;
}

async function stop(h: Here): Promise<void> {
  if (h.stopped) return;
  h.stopped = true;
  h.workers.shutdown();
  await h.done.catch(() => undefined);
  await h.workers.close();
}

const served = async (): Promise<number> => Number(await (await fetch(`${baseUrl}/served`)).text());

/** Starts a profiling run and kills `victim` -9 three seconds into the load. */
async function profileAndKill(id: string, victim: ChildProcess) {
  const handle = await env.client.workflow.start(profilingWorkflow, {
    taskQueue: TASK_QUEUE,
    workflowId: `window-${id}-${Date.now()}`,
    args: [{ runId: `window-${id}`, target }],
  });
  const before = await served();
  await eventually('the baseline load', async () => ((await served()) > before ? true : undefined), 60_000, 100);
  await new Promise((r) => setTimeout(r, 3000));
  victim.kill('SIGKILL');
  return handle;
}

/** Attempts of each activity type that reached a worker (the last attempt's number). */
async function attempts(workflowId: string, type: string): Promise<number[]> {
  const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
  const events = history.events ?? [];
  const scheduled = new Set(
    events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === type).map((e) => String(e.eventId)),
  );
  return events
    .filter((e) => e.activityTaskStartedEventAttributes && scheduled.has(String(e.activityTaskStartedEventAttributes.scheduledEventId)))
    .map((e) => e.activityTaskStartedEventAttributes!.attempt ?? 1);
}

/** Process and CPU figures are either those of the measured load window or reported as missing with the reason. */
function assertSamplesInWindow(r: ProfilingResult): void {
  const load = r.baseline.window;
  for (const [what, sample] of [
    ['process', r.process],
    ['cpu', r.cpu],
  ] as const) {
    if (sample) {
      assert.ok(
        load && sample.window && pairWithLoad(sample.window, load).paired,
        `${what} figures not tied to the measured load window: ${JSON.stringify({ window: sample.window, load, sample: { ...sample, series: undefined } })}`,
      );
    } else {
      const missing = r.notMeasured?.find((m) => m.what === what);
      assert.match(missing?.reason ?? '', /^not measured: /, `${what} is missing without a reason`);
    }
  }
}

let firstOrchestrator: Here;

test('a load generator killed mid-baseline: the retried baseline does not count the killed attempt', { timeout: 150_000 }, async () => {
  firstOrchestrator = await workerHere(['orchestrator']);
  const generator = await workerProcess(['loadgen']);
  const handle = await profileAndKill('loadgen', generator);
  const killedAttemptRequests = await served();
  await workerHere(['loadgen']);
  const r = await handle.result();

  assert.ok(killedAttemptRequests > 20, `the killed attempt sent load (${killedAttemptRequests} requests)`);
  const stmt = r.database?.topStatements.find((s) => STATEMENT.test(s.query));
  assert.ok(stmt, `the statement is in the window: ${JSON.stringify(r.database?.topStatements.map((s) => s.query))}`);
  const windowRequests = r.baseline.requests + r.baseline.warmupRequests;
  // One query per request; the killed attempt's queries would add theirs to the retry's requests.
  assert.ok(
    stmt.callsPerRequest >= 0.9 && stmt.callsPerRequest <= 1.1,
    `calls per request ${stmt.callsPerRequest} (${stmt.calls} calls, ${windowRequests} requests in the measured attempt)`,
  );
  assertSamplesInWindow(r);
  assert.ok(r.process?.cpuPctAvg != null, `the retried baseline's own samplers measured it: ${JSON.stringify(r.notMeasured)}`);
  assert.ok(r.cpu && r.cpu.samples > 0, `the retried baseline's own CPU profile: ${JSON.stringify(r.cpu ?? r.notMeasured)}`);
  assert.equal(r.notMeasured, undefined);
});

test(
  'an orchestrator killed mid-baseline: samplers retried after the load do not profile the idle target',
  { timeout: 150_000 },
  async () => {
    // The first test's in-process load generator stays; its orchestrator makes way for one in a process of its own.
    await stop(firstOrchestrator);
    const orchestrator = await workerProcess(['orchestrator']);
    const handle = await profileAndKill('orchestrator', orchestrator);
    await workerHere(['orchestrator']);
    const r = await handle.result();

    // The samplers' first attempts died with the orchestrator: what the result holds came from retries.
    const retried = await attempts(handle.workflowId, 'sampleProcessMetrics');
    assert.ok(Math.max(...retried) >= 2, `sampleProcessMetrics was retried (attempts ${retried})`);
    assertSamplesInWindow(r);
    assert.deepEqual(r.notMeasured?.map((m) => m.what).sort(), ['cpu', 'database-activity', 'process']);
    assert.match(r.notMeasured![0].reason, /load window ended before this attempt started \(worker restarted\)/);
    assert.match(r.database?.problems.join('\n') ?? '', /pg_stat_activity not measured/);
  },
);
