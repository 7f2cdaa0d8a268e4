// CPU profile and event-loop delay of a real Node.js child process through its inspector.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import type { Pool } from 'pg';
import { MockActivityEnvironment } from '@temporalio/testing';
import { parseTargetProfile, type TargetProfile } from '../../common/profile';
import type { CpuProfileSummary } from '../../common/types';
import { TargetConnections } from '../../activities/connections';
import { createCpuProfileActivities } from '../../activities/profiling/cpu-profile';
import { InspectorSession, discoverDebuggerUrl } from '../../activities/profiling/inspector';
import { loadArtifact } from '../../activities/store/artifacts';
import { migrateStore } from '../../activities/store/schema';
import { testPool } from '../helpers/services';
import { freePort } from '../helpers/ports';

// Serves HTTP and spends most of its time in burnCpuHot, 40 ms at a time (so the event loop is
// visibly delayed and requests are still answered between bursts).
const BURNER = `
const http = require('node:http');
const s = http.createServer((req, res) => res.end('ok'));
s.listen(0, '127.0.0.1', () => { process.stdout.write(String(s.address().port) + '\\n'); tick(); });
let sink = 0;
function burnCpuHot() { const end = Date.now() + 40; let x = sink; while (Date.now() < end) { x = (x * 31 + 7) % 1000003; } sink = x; }
function tick() { burnCpuHot(); setTimeout(tick, 5); }
`;

let child: ChildProcess;
let httpPort: number;
let inspectorPort: number;
let store: Pool;
const connections = new TargetConnections();
const dir = mkdtempSync(join(tmpdir(), 'perf-cpuprofile-'));
const savedArtifactsDir = process.env.PERF_ARTIFACTS_DIR;

function profile(inspectorUrl?: string, baseHost = '127.0.0.1'): TargetProfile {
  return parseTargetProfile({
    name: 'cpu-it',
    http: { baseUrl: `http://${baseHost}:${httpPort}`, endpoints: [{ name: 'home', path: '/' }] },
    process: inspectorUrl ? { inspectorUrl } : {},
    targets: { p95Ms: 50, p99Ms: 100, throughputRps: 10 },
  });
}

before(async () => {
  store = await testPool('perf_test_store');
  await migrateStore(store);
  process.env.PERF_ARTIFACTS_DIR = join(dir, 'profiles');
  // --jitless: optimized code (inlining, on-stack replacement) can attribute burnCpuHot's samples to
  // its caller tick, as it would in any service; the interpreter keeps every frame, so the test is exact.
  child = spawn(process.execPath, ['--inspect=127.0.0.1:0', '--jitless', '-e', BURNER], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  const inspector = new Promise<number>((resolve, reject) => {
    child.stderr!.on('data', (d) => {
      stderr += d;
      const m = /Debugger listening on ws:\/\/127\.0\.0\.1:(\d+)\//.exec(stderr);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`the child exited (${code}): ${stderr}`)));
  });
  const [chunk] = (await once(child.stdout!, 'data')) as [Buffer];
  httpPort = Number(chunk.toString().trim());
  inspectorPort = await inspector;
  assert.ok(httpPort > 0 && inspectorPort > 0);
});

after(async () => {
  if (child && child.exitCode === null) {
    child.kill('SIGKILL');
    await once(child, 'exit');
  }
  if (savedArtifactsDir === undefined) delete process.env.PERF_ARTIFACTS_DIR;
  else process.env.PERF_ARTIFACTS_DIR = savedArtifactsDir;
  rmSync(dir, { recursive: true, force: true });
  await connections.close();
  await store?.end();
});

test('profiles the target for the window: hot function, .cpuprofile file and artifact, event-loop delay, heartbeats', async () => {
  const activities = createCpuProfileActivities({ store, connections, policy: connections.policy });
  const mock = new MockActivityEnvironment();
  const beats: { phase?: string }[] = [];
  mock.on('heartbeat', (d: { phase?: string }) => beats.push(d));
  const runId = `cpu-it-${Date.now()}`;
  const t0 = Date.now();
  const s: CpuProfileSummary | null = await mock.run(activities.profileCpu, {
    runId,
    target: profile(`http://127.0.0.1:${inspectorPort}`),
    durationSeconds: 2,
    startAfterSeconds: 0.5,
  });
  const took = Date.now() - t0;
  assert.ok(s, 'a summary');
  assert.deepEqual(s.problems, []);
  assert.ok(took >= 2400 && took < 8000, `took ${took} ms`);
  assert.equal(s.pid, child.pid);
  assert.match(s.runtime ?? '', /^node v\d+/);

  const hot = s.functions.find((f) => f.functionName === 'burnCpuHot');
  assert.ok(hot, JSON.stringify(s.functions.slice(0, 5)));
  assert.ok(hot.selfPct > 30, `burnCpuHot self ${hot.selfPct}%`);
  assert.ok(hot.totalPct >= hot.selfPct);
  assert.equal(hot.hot, true);
  assert.deepEqual([hot.url, hot.lineNumber], ['[eval]', 6]); // BURNER's sixth line (it starts with a newline)
  assert.equal(s.functions[0].functionName, 'burnCpuHot');
  assert.ok(s.functions.length <= 15);
  assert.ok(s.samples > 500, `samples ${s.samples}`);
  assert.ok(s.durationMs >= 1900 && s.durationMs < 4000, `durationMs ${s.durationMs}`);
  assert.ok(s.busyPct > 30, `busy ${s.busyPct}%`);

  // The loop is blocked 40 ms at a time.
  assert.ok(s.eventLoopDelayMs, 'event-loop delay');
  assert.ok(s.eventLoopDelayMs.p99Ms > 20 && s.eventLoopDelayMs.maxMs >= s.eventLoopDelayMs.p99Ms, JSON.stringify(s.eventLoopDelayMs));

  // The profile, whole, in a file that DevTools/speedscope open, and in the store.
  assert.ok(s.file && s.file.startsWith(join(dir, 'profiles')) && s.file.endsWith('.cpuprofile'), s.file ?? 'no file');
  assert.ok(existsSync(s.file));
  const file = JSON.parse(readFileSync(s.file, 'utf8'));
  assert.ok(Array.isArray(file.nodes) && Array.isArray(file.samples) && Array.isArray(file.timeDeltas));
  assert.equal(file.samples.length, s.samples);
  assert.ok(s.artifactId);
  const stored = await loadArtifact<{ nodes: unknown[]; samples: number[] }>(store, s.artifactId);
  assert.equal(stored.samples.length, s.samples);
  const { rows } = await store.query('SELECT kind, run_id FROM perf_orchestrator.artifacts WHERE id = $1', [s.artifactId]);
  assert.deepEqual(rows[0], { kind: 'cpuprofile', run_id: runId });

  assert.ok(beats.some((b) => b.phase === 'waiting') && beats.filter((b) => b.phase === 'profiling').length >= 2, JSON.stringify(beats));

  // The target is left as it was: no histogram left behind, still serving.
  const session = await InspectorSession.connect(await discoverDebuggerUrl(`http://127.0.0.1:${inspectorPort}`));
  try {
    assert.equal(await session.evaluate('globalThis[Symbol.for("perf-orchestrator.eventLoopDelay")] === undefined'), true);
  } finally {
    await session.close();
  }
  const res = await fetch(`http://127.0.0.1:${httpPort}/`);
  assert.equal(await res.text(), 'ok');
});

test('cancellation stops the profile promptly and cleans up the target', async () => {
  const activities = createCpuProfileActivities({ store, connections, policy: connections.policy });
  const mock = new MockActivityEnvironment();
  setTimeout(() => mock.cancel(), 700);
  const t = Date.now();
  await assert.rejects(
    mock.run(activities.profileCpu, { runId: 'cpu-it-cancel', target: profile(`http://127.0.0.1:${inspectorPort}`), durationSeconds: 30 }),
  );
  assert.ok(Date.now() - t < 3000, `${Date.now() - t} ms`);
  const session = await InspectorSession.connect(await discoverDebuggerUrl(`http://127.0.0.1:${inspectorPort}`));
  try {
    assert.equal(await session.evaluate('globalThis[Symbol.for("perf-orchestrator.eventLoopDelay")] === undefined'), true);
    // A new profile can start: the cancelled one was stopped.
    await session.send('Profiler.enable');
    await session.send('Profiler.start');
    const { profile: p } = await session.send<{ profile: { nodes: unknown[] } }>('Profiler.stop');
    assert.ok(p.nodes.length > 0);
  } finally {
    await session.close();
  }
});

test('no inspector configured: null; inspector not answering or on a host not allowed: problems, not errors', async () => {
  const activities = createCpuProfileActivities({ store, connections, policy: connections.policy });
  assert.equal(await activities.profileCpu({ runId: 'cpu-it-none', target: profile(), durationSeconds: 1 }), null);

  const port = await freePort();
  const down = await activities.profileCpu({ runId: 'cpu-it-down', target: profile(`http://127.0.0.1:${port}`), durationSeconds: 1 });
  assert.ok(down);
  assert.equal(down.functions.length, 0);
  assert.equal(down.file, null);
  assert.match(
    down.problems.join('\n'),
    new RegExp(`no CPU profile: the inspector at http://127.0.0.1:${port} does not answer .*--inspect`),
  );

  // localhost is not among the profile's hosts (baseUrl is 127.0.0.1): never contacted. The schema
  // refuses such a profile in the CLI; this one skipped it, as a workflow started directly would.
  const t = Date.now();
  const allowed = profile(`http://127.0.0.1:${inspectorPort}`);
  const refused = await activities.profileCpu({
    runId: 'cpu-it-host',
    target: { ...allowed, process: { ...allowed.process, inspectorUrl: `http://localhost:${inspectorPort}` } },
    durationSeconds: 5,
  });
  assert.ok(Date.now() - t < 1000);
  assert.match(refused!.problems.join('\n'), /refusing to attach to the inspector at localhost:\d+: it is not an allowed host/);
});
