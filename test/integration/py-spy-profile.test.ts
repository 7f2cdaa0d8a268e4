// CPU profile of a real pre-fork Python server (a master and 2 workers sharing one listening socket,
// like gunicorn) with the real py-spy, and the process sampler summing master and workers.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import * as http from 'node:http';
import type { Pool } from 'pg';
import { MockActivityEnvironment } from '@temporalio/testing';
import { parseTargetProfile, type TargetProfile } from '../../common/profile';
import type { CpuProfileSummary, ProcessProfile } from '../../common/types';
import { TargetConnections } from '../../activities/connections';
import { createPySpyActivities, findPySpy, PY_SPY_INSTALL } from '../../activities/profiling/py-spy';
import { createProcessActivities } from '../../activities/profiling/process';
import { isSpeedscopeFile } from '../../activities/profiling/speedscope-summary';
import { loadArtifact } from '../../activities/store/artifacts';
import { migrateStore } from '../../activities/store/schema';
import { testPool } from '../helpers/services';

const APP = join(__dirname, '../../demo/python-target/app.py');
let master: ChildProcess;
let port: number;
let workers: number[];
let store: Pool;
const connections = new TargetConnections();
const dir = mkdtempSync(join(tmpdir(), 'perf-py-spy-'));
const savedArtifactsDir = process.env.PERF_ARTIFACTS_DIR;

function profile(): TargetProfile {
  return parseTargetProfile({
    name: 'py-it',
    http: { baseUrl: `http://127.0.0.1:${port}`, endpoints: [{ name: 'hot', path: '/hot' }] },
    process: { pySpy: { rate: 100 } },
    targets: { p95Ms: 50, p99Ms: 100, throughputRps: 10 },
  });
}

/** Requests /hot on fresh connections, `concurrency` at a time, until `until` resolves; how many succeeded. */
async function load(concurrency: number, until: Promise<unknown>): Promise<number> {
  let done = false;
  void until.finally(() => (done = true));
  let ok = 0;
  const one = (): Promise<void> =>
    new Promise((res) => {
      const req = http.get({ host: '127.0.0.1', port, path: '/hot', agent: false }, (r) => {
        r.resume();
        r.on('end', () => {
          if (r.statusCode === 200) ok++;
          res();
        });
      });
      req.on('error', () => res());
    });
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (!done) await one();
    }),
  );
  return ok;
}

before(async () => {
  assert.ok(findPySpy(), `py-spy is not installed: run ${PY_SPY_INSTALL}`);
  store = await testPool('perf_test_pyspy_store');
  await migrateStore(store);
  process.env.PERF_ARTIFACTS_DIR = join(dir, 'profiles');
  master = spawn('python3', [APP, '--port', '0', '--workers', '2'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [chunk] = (await once(master.stdout!, 'data')) as [Buffer];
  port = Number(chunk.toString().trim());
  assert.ok(port > 0);
  for (let i = 0; i < 50; i++) {
    workers = readFileSync(`/proc/${master.pid}/task/${master.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    if (workers.length === 2) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(workers.length, 2, 'two workers forked');
});

after(async () => {
  if (master && master.exitCode === null) {
    master.kill('SIGTERM');
    await once(master, 'exit');
  }
  if (savedArtifactsDir === undefined) delete process.env.PERF_ARTIFACTS_DIR;
  else process.env.PERF_ARTIFACTS_DIR = savedArtifactsDir;
  rmSync(dir, { recursive: true, force: true });
  await connections.close();
  await store?.end();
});

test('py-spy profiles the workers of a pre-fork server: the hot function on top, the speedscope file kept; the sampler sums all processes', async () => {
  const deps = { store, connections, policy: connections.policy };
  const mock = new MockActivityEnvironment();
  const beats: { phase?: string }[] = [];
  mock.on('heartbeat', (d: { phase?: string }) => beats.push(d));
  const runId = `py-it-${Date.now()}`;
  const target = profile();
  const cpu: Promise<CpuProfileSummary | null> = mock.run(createPySpyActivities(deps).profilePython, {
    runId,
    target,
    durationSeconds: 2,
    startAfterSeconds: 0.5,
  });
  const proc: Promise<ProcessProfile> = new MockActivityEnvironment().run(createProcessActivities(deps).sampleProcessMetrics, {
    target,
    durationSeconds: 2.5,
    intervalMs: 500,
  });
  const requests = load(4, Promise.all([cpu, proc]));
  const s: CpuProfileSummary | null = await cpu;
  const p: ProcessProfile = await proc;
  assert.ok((await requests) > 20, 'the target answered');

  assert.ok(s, 'a summary');
  assert.deepEqual(s.problems, []);
  assert.equal(s.profiler, 'py-spy');
  assert.equal(s.pid, master.pid);
  assert.match(s.runtime ?? '', /^python/);
  const top = s.functions[0];
  assert.equal(top.functionName, 'hot_checksum', JSON.stringify(s.functions.slice(0, 4)));
  assert.ok(top.url.endsWith('demo/python-target/app.py') && top.lineNumber === 19, `${top.url}:${top.lineNumber}`);
  assert.ok(top.hot && top.selfPct > 40, `hot_checksum self ${top.selfPct}% of a core`);
  // The workers were sampled, not (only) the master, which waits in os.wait().
  assert.ok(s.pids && workers.every((w) => s.pids!.includes(w)), `sampled ${s.pids} workers ${workers}`);
  assert.ok(!s.pids.includes(master.pid!), 'the idle master has no busy sample');
  assert.equal(s.durationMs, 2000);
  assert.ok(s.samples > 50 && s.busyPct > 40, `samples ${s.samples} busy ${s.busyPct}%`);

  assert.ok(s.file && s.file.startsWith(join(dir, 'profiles')) && s.file.endsWith('.speedscope.json'), s.file ?? 'no file');
  assert.ok(existsSync(s.file) && isSpeedscopeFile(JSON.parse(readFileSync(s.file, 'utf8'))));
  assert.ok(s.artifactId);
  assert.ok(isSpeedscopeFile(await loadArtifact(store, s.artifactId)));
  const { rows } = await store.query('SELECT kind, run_id FROM perf_orchestrator.artifacts WHERE id = $1', [s.artifactId]);
  assert.deepEqual(rows[0], { kind: 'speedscope', run_id: runId });
  assert.ok(beats.some((b) => b.phase === 'waiting') && beats.filter((b) => b.phase === 'profiling').length >= 2, JSON.stringify(beats));

  // The process sampler: the master found by its port, all three processes summed.
  assert.equal(p.pid, master.pid);
  assert.deepEqual(p.pids, [master.pid, ...workers.sort((a, b) => a - b)]);
  // Busy workers (the master alone idles near 0%); a low bound: the 2-core host is shared.
  assert.ok(p.cpuPctAvg !== null && p.cpuPctAvg > 10, `cpuPctAvg ${p.cpuPctAvg}`);
});

test('cancellation kills py-spy promptly', async () => {
  const mock = new MockActivityEnvironment();
  let t = Date.now();
  let profiling = false;
  // Cancelled while py-spy runs (its first heartbeat comes once it is started).
  mock.on('heartbeat', (d: { phase?: string }) => {
    if (d.phase !== 'profiling' || profiling) return;
    profiling = true;
    setTimeout(() => {
      t = Date.now();
      mock.cancel();
    }, 500);
  });
  await assert.rejects(
    mock.run(createPySpyActivities({ store, connections, policy: connections.policy }).profilePython, {
      runId: 'py-it-cancel',
      target: profile(),
      durationSeconds: 30,
    }),
  );
  assert.ok(profiling && Date.now() - t < 2000, `${Date.now() - t} ms after the cancellation`);
  await new Promise((r) => setTimeout(r, 200));
  const ours = readFileSync(`/proc/${process.pid}/task/${process.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
  const left = ours.filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('py-spy');
    } catch {
      return false;
    }
  });
  assert.deepEqual(left, [], 'no py-spy left running');
});

test('a missing py-spy: a problem naming the install command, not an error', async () => {
  const saved = process.env.PY_SPY_PATH;
  process.env.PY_SPY_PATH = join(dir, 'no-such-py-spy');
  try {
    const s = await createPySpyActivities({ store, connections, policy: connections.policy }).profilePython({
      runId: 'py-it-missing',
      target: profile(),
      durationSeconds: 1,
    });
    assert.ok(s);
    assert.equal(s.functions.length, 0);
    assert.match(s.problems.join('\n'), /PY_SPY_PATH=.*no-such-py-spy does not exist; run bash scripts\/install-py-spy\.sh/);
  } finally {
    if (saved === undefined) delete process.env.PY_SPY_PATH;
    else process.env.PY_SPY_PATH = saved;
  }
});
