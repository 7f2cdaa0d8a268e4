// Process, host and network metrics against real local processes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as http from 'node:http';
import type * as net from 'node:net';
import { once } from 'node:events';
import { MockActivityEnvironment } from '@temporalio/testing';
import { parseTargetProfile, type TargetProfile } from '../../common/profile';
import type { ActivityDeps } from '../../activities/deps';
import type { ProcessProfile } from '../../common/types';
import { TargetConnections } from '../../activities/connections';
import { createProcessActivities, findListeningPid, localPortOf } from '../../activities/profiling/process';
import { freePort } from '../helpers/ports';

// Listens on a port, prints it, then keeps one core busy (yielding so the socket stays served).
const BURNER = `
const http = require('node:http');
const keep = Buffer.alloc(32 * 1024 * 1024, 1); // resident memory
const s = http.createServer((req, res) => res.end('ok'));
s.listen(0, '127.0.0.1', () => { process.stdout.write(String(s.address().port) + '\\n'); burn(); });
function burn() { const end = Date.now() + 50; let x = keep[0]; while (Date.now() < end) { x = (x * 31 + 7) % 1000003; } keep[1] = x & 1; setImmediate(burn); }
`;

let child: ChildProcess;
let childPort: number;
const connections = new TargetConnections();
const deps: ActivityDeps = { store: undefined as never, connections, policy: connections.policy };
const activities = createProcessActivities(deps);

function profile(baseUrl: string, port?: number): TargetProfile {
  return parseTargetProfile({
    name: 'proc-it',
    http: {
      baseUrl,
      endpoints: [
        { name: 'create', method: 'POST', path: '/x' },
        { name: 'home', path: '/home/{{int:1:5}}' },
      ],
    },
    process: port === undefined ? {} : { port },
    load: { requestTimeoutMs: 3000 },
    targets: { p95Ms: 50, p99Ms: 100, throughputRps: 10 },
  });
}

before(async () => {
  child = spawn(process.execPath, ['-e', BURNER], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [chunk] = (await once(child.stdout!, 'data')) as [Buffer];
  childPort = Number(chunk.toString().trim());
  assert.ok(childPort > 0);
});

after(async () => {
  if (child && child.exitCode === null) {
    child.kill('SIGKILL');
    await once(child, 'exit');
  }
  await connections.close();
});

test('finds the process by its port and measures its CPU and memory', async () => {
  const target = profile(`http://127.0.0.1:${childPort}`);
  assert.equal(localPortOf(target), childPort);
  assert.equal(await findListeningPid(childPort), child.pid);
  const p = await activities.sampleProcessMetrics({ target, durationSeconds: 2, intervalMs: 500 });
  assert.equal(p.pid, child.pid);
  assert.equal(p.samples, 4);
  assert.ok(p.cpuPctAvg !== null && p.cpuPctAvg > 50, `cpuPctAvg ${p.cpuPctAvg}`);
  assert.ok(p.cpuPctMax !== null && p.cpuPctMax >= p.cpuPctAvg - 1, `cpuPctMax ${p.cpuPctMax}`);
  assert.ok(p.rssMbMax !== null && p.rssMbMax > 10, `rssMbMax ${p.rssMbMax}`);
  // stdin/stdout/stderr, the listening socket, epoll and friends.
  assert.ok(p.openFdsMax !== null && p.openFdsMax >= 4 && p.openFdsMax < 1000, `openFdsMax ${p.openFdsMax}`);
  assert.ok(p.hostIo, 'host disk and network rates from /proc');
  for (const [k, v] of Object.entries(p.hostIo)) assert.ok(Number.isInteger(v) && v >= 0, `${k} ${v}`);
  assert.ok(p.hostCpuPctAvg > 0 && p.hostCpuPctAvg <= 100, `hostCpuPctAvg ${p.hostCpuPctAvg}`);
  assert.ok(p.hostMemUsedPct > 0 && p.hostMemUsedPct < 100, `hostMemUsedPct ${p.hostMemUsedPct}`);
  assert.ok(p.loadAvg1 >= 0);
});

test('process.port wins over the base URL, and heartbeats each sample in an activity', async () => {
  // Base URL on another (allowed) host name; the process is found by the explicit port.
  const target = profile('http://localhost:1', childPort);
  const mock = new MockActivityEnvironment();
  const beats: unknown[] = [];
  mock.on('heartbeat', (d: unknown) => beats.push(d));
  const p: ProcessProfile = await mock.run(activities.sampleProcessMetrics, { target, durationSeconds: 1, intervalMs: 250 });
  assert.equal(p.pid, child.pid);
  assert.equal(p.samples, 4);
  assert.equal(beats.length, 4);
  assert.deepEqual(Object.keys(beats[0] as object).sort(), ['cpuPct', 'fds', 'of', 'pid', 'rssMb', 'sample']);
  assert.ok(typeof (beats[0] as { fds: unknown }).fds === 'number');
});

test('no listener, or a target on another host: pid null and null metrics, not an error', async () => {
  const port = await freePort();
  const none = await activities.sampleProcessMetrics({
    target: profile(`http://127.0.0.1:${port}`),
    durationSeconds: 0.5,
    intervalMs: 250,
  });
  assert.equal(none.pid, null);
  assert.equal(none.cpuPctAvg, null);
  assert.equal(none.cpuPctMax, null);
  assert.equal(none.rssMbMax, null);
  assert.equal(none.openFdsMax, null);
  assert.equal(none.samples, 2);
  assert.ok(none.hostMemUsedPct > 0);

  const remote = profile('http://perf-target.invalid:8080');
  assert.equal(localPortOf(remote), null);
  const r = await activities.sampleProcessMetrics({ target: remote, durationSeconds: 0.25, intervalMs: 250 });
  assert.equal(r.pid, null);
  assert.equal(r.cpuPctAvg, null);
});

test('sampling stops on cancellation', async () => {
  const mock = new MockActivityEnvironment();
  setTimeout(() => mock.cancel(), 300);
  const t = Date.now();
  await assert.rejects(
    mock.run(activities.sampleProcessMetrics, { target: profile(`http://127.0.0.1:${childPort}`), durationSeconds: 30 }),
  );
  assert.ok(Date.now() - t < 1500);
});

test('measureNetwork: connect, TTFB and transfer per endpoint, on fresh connections', async () => {
  const paths: string[] = [];
  const sockets = new Set<unknown>();
  const server = http.createServer((req, res) => {
    paths.push(`${req.method} ${req.url ?? ''}`);
    // Headers after 3 ms; the body's end 20 ms later: the transfer part.
    setTimeout(() => {
      res.writeHead(req.method === 'POST' ? 201 : 200);
      res.write('hel');
      setTimeout(() => res.end('lo'), 20);
    }, 3);
  });
  server.on('connection', (s) => sockets.add(s));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const target = profile(`http://127.0.0.1:${(server.address() as net.AddressInfo).port}`);
    const n = await activities.measureNetwork({ target, samples: 3 });
    assert.equal(n.samples, 6);
    assert.ok(n.connectMsAvg >= 0, `connectMsAvg ${n.connectMsAvg}`);
    assert.ok(n.ttfbMsAvg > 0 && n.ttfbMsAvg >= 3, `ttfbMsAvg ${n.ttfbMsAvg}`);
    assert.ok(n.ttfbMsAvg >= n.connectMsAvg);
    // Each endpoint with the method and path the load test sends.
    assert.deepEqual(
      n.endpoints.map((e) => [e.name, e.method, e.samples, e.errors, e.status]),
      [
        ['create', 'POST', 3, 0, 201],
        ['home', 'GET', 3, 0, 200],
      ],
    );
    for (const e of n.endpoints) {
      assert.ok(e.ttfbMsAvg >= 3 && e.ttfbMsAvg >= e.connectMsAvg, JSON.stringify(e));
      assert.ok(e.transferMsAvg >= 15, `transfer ${JSON.stringify(e)}`);
      assert.ok(Math.abs(e.totalMsAvg - (e.ttfbMsAvg + e.transferMsAvg)) < 0.01, JSON.stringify(e));
    }
    assert.equal(paths.length, 6);
    assert.deepEqual(paths.slice(0, 3), ['POST /x', 'POST /x', 'POST /x']);
    assert.ok(
      paths.slice(3).every((p) => /^GET \/home\/[1-5]$/.test(p)),
      paths.join(','),
    );
    assert.equal(sockets.size, 6, 'one new connection per sample');
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
  // Nothing listening: a retryable failure.
  const port = await freePort();
  await assert.rejects(activities.measureNetwork({ target: profile(`http://127.0.0.1:${port}`), samples: 2 }), /no request .* succeeded/);
});
