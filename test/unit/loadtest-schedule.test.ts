// The open model's arrival schedule: pure times, then the real sends against a local server.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { parseTargetProfile } from '../../common/profile';
import { runOpenLoad } from '../../activities/loadtest/open-model';
import { ArrivalSchedule, arrivalTimes, expectedArrivals, validateSegments } from '../../activities/loadtest/schedule';

test('constant rate: arrival k at k / rate, exactly, and as many as rate x duration', () => {
  const t = arrivalTimes([{ durationSeconds: 2, fromRps: 250, toRps: 250 }]);
  assert.equal(t.length, 500);
  t.forEach((ms, k) => assert.ok(Math.abs(ms - k * 4) < 1e-9, `arrival ${k} at ${ms}`));
  assert.equal(expectedArrivals([{ durationSeconds: 2, fromRps: 250, toRps: 250 }]), 500);
});

test('ramping rate: cumulative arrivals follow the integral of the rate', () => {
  // 0 -> 400 req/s over 2 s: N(t) = 100 t^2, so arrival k is at sqrt(k / 100) s.
  const t = arrivalTimes([{ durationSeconds: 2, fromRps: 0, toRps: 400 }]);
  assert.equal(t.length, 400);
  t.forEach((ms, k) => assert.ok(Math.abs(ms - Math.sqrt(k / 100) * 1000) < 1e-6, `arrival ${k} at ${ms}`));
  // Downward ramp 300 -> 100 over 1 s: 200 arrivals, denser at the start.
  const down = arrivalTimes([{ durationSeconds: 1, fromRps: 300, toRps: 100 }]);
  assert.equal(down.length, 200);
  assert.ok(down[1] - down[0] < down[199] - down[198]);
  for (let i = 1; i < down.length; i++) assert.ok(down[i] > down[i - 1]);
});

test('segments chain without gaps or double arrivals (warm-up, ramp, plateau, pause)', () => {
  const segs = [
    { durationSeconds: 1, fromRps: 10.5, toRps: 10.5 },
    { durationSeconds: 2, fromRps: 10.5, toRps: 50 },
    { durationSeconds: 0.5, fromRps: 0, toRps: 0 },
    { durationSeconds: 1, fromRps: 20, toRps: 20 },
  ];
  const t = arrivalTimes(segs);
  assert.equal(t.length, Math.ceil(expectedArrivals(segs)));
  for (let i = 1; i < t.length; i++) assert.ok(t[i] >= t[i - 1], `monotonic at ${i}`);
  assert.ok(t.every((ms) => ms < 4500));
  assert.equal(t.filter((ms) => ms >= 3000 && ms < 3500).length, 0, 'nothing during the zero-rate pause');
  assert.ok(Math.abs(t.filter((ms) => ms >= 3500).length - 20) <= 1);
  const s = new ArrivalSchedule([{ durationSeconds: 1, fromRps: 3, toRps: 3 }]);
  assert.deepEqual(
    [s.next(), s.next(), s.next(), s.next()].map((x) => (x === null ? null : Math.round(x))),
    [0, 333, 667, null],
  );
  assert.match(String(validateSegments([])), /no segment/);
  assert.match(String(validateSegments([{ durationSeconds: 0, fromRps: 1, toRps: 1 }])), /durationSeconds/);
  assert.match(String(validateSegments([{ durationSeconds: 1, fromRps: -1, toRps: 1 }])), /rates/);
});

// ---- against a local server -------------------------------------------------------------------

let server: http.Server;
let baseUrl: string;
let arrivals: number[] = [];

before(async () => {
  server = http.createServer((_req, res) => {
    arrivals.push(performance.timeOrigin + performance.now());
    res.writeHead(200, { 'content-length': '2' });
    res.end('ok');
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

const target = () =>
  parseTargetProfile({
    name: 'schedule',
    http: { baseUrl, endpoints: [{ name: 'root', path: '/' }] },
    load: { requestTimeoutMs: 2000 },
    targets: { p95Ms: 100, p99Ms: 100, throughputRps: 1 },
  });

const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};

test('open model: the server sees the requests at the planned times (within tolerance)', async (t) => {
  arrivals = [];
  const rate = 200;
  const r = await runOpenLoad({ target: target(), rateRps: rate, durationSeconds: 2, warmupSeconds: 0, maxConnections: 50 });
  const planned = arrivalTimes([{ durationSeconds: 2, fromRps: rate, toRps: rate }]).map((ms) => r.startEpochMs + ms);
  assert.equal(r.dropped, 0);
  assert.equal(r.requests, planned.length, 'every planned arrival was sent and answered');
  assert.equal(arrivals.length, planned.length);
  const seen = [...arrivals].sort((a, b) => a - b);
  const late = seen.map((at, k) => at - planned[k]);
  const med = quantile(late, 0.5);
  const p90 = quantile(late, 0.9);
  t.diagnostic(
    `lateness at the server: median ${med.toFixed(2)} ms, p90 ${p90.toFixed(2)} ms, max ${Math.max(...late).toFixed(2)} ms; ` +
      `generator send lag p99 ${r.sendLagMs?.p99} ms`,
  );
  // Generous: the machine may be busy. A closed loop or a drifting timer would be off by far more.
  assert.ok(Math.min(...late) > -1, 'never early');
  assert.ok(med < 5, `median lateness ${med} ms`);
  assert.ok(p90 < 40, `p90 lateness ${p90} ms`);
  // The rate holds over the run: each half second gets its share.
  for (let w = 0; w < 4; w++) {
    const from = r.startEpochMs + w * 500;
    const n = arrivals.filter((a) => a >= from && a < from + 500).length;
    assert.ok(Math.abs(n - rate / 2) <= rate / 10, `window ${w}: ${n} requests`);
  }
  assert.ok(r.offeredRps > rate * 0.99 && r.offeredRps < rate * 1.01, `offered ${r.offeredRps}`);
});

test('open model: a ramp sends more and more often', async () => {
  arrivals = [];
  const r = await runOpenLoad({
    target: target(),
    rampFromRps: 50,
    rateRps: 250,
    durationSeconds: 2,
    warmupSeconds: 0,
    maxConnections: 50,
  });
  assert.equal(r.rampFromRps, 50);
  assert.equal(r.requests, 300);
  const firstHalf = arrivals.filter((a) => a < r.startEpochMs + 1000).length;
  // Planned: 100 in the first second (50 -> 150 req/s), 200 in the second (150 -> 250).
  assert.ok(Math.abs(firstHalf - 100) <= 10, `first second: ${firstHalf}`);
  assert.ok(Math.abs(arrivals.length - firstHalf - 200) <= 10, `second second: ${arrivals.length - firstHalf}`);
});

test('open model, warm-up until steady: the measured schedule starts when the warm-up ends', async () => {
  arrivals = [];
  const warmup = { until: 'steady' as const, maxSeconds: 2, windowSeconds: 1, tolerancePct: 100 };
  const r = await runOpenLoad({ target: target(), rateRps: 100, durationSeconds: 1, warmupSeconds: 0, warmup, maxConnections: 50 });
  // The steady check runs on the 1 s progress timer, which Node may fire a millisecond early (a CI run read 1.999).
  assert.ok(r.warmup && r.warmup.seconds >= 1.98 && r.warmup.seconds < 3, `warm-up ${JSON.stringify(r.warmup)}`);
  assert.ok(Math.abs(r.requests - 100) <= 5, `measured requests ${r.requests}`);
  assert.ok(r.offeredRps > 95 && r.offeredRps < 105, `offered ${r.offeredRps}`);
  assert.ok(Math.abs(r.warmupRequests - 100 * r.warmup.seconds) <= 20, `warm-up requests ${r.warmupRequests}`);
});
