// The raw-socket engine against misbehaving local servers: every failure lands in its error kind,
// response bodies of every framing are read, dropped arrivals are counted, results add up.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { parseTargetProfile, type TargetProfile } from '../../common/profile';
import { runLoad } from '../../activities/loadtest/load';
import { runEngine } from '../../activities/loadtest/engine';
import { Scenario } from '../../activities/loadtest/scenario';
import { decodeHistogram } from '../../activities/loadtest/histogram';

let server: http.Server;
let raw: net.Server;
let baseUrl: string;
let rawUrl: string;
const bodies = new Map<string, number>();

before(async () => {
  server = http.createServer((req, res) => {
    const url = req.url ?? '/';
    if (url.startsWith('/echo')) {
      let n = 0;
      req.on('data', (d: Buffer) => (n += d.length));
      req.on('end', () => {
        bodies.set(String(req.headers['x-k']), n);
        res.end(JSON.stringify({ n, ct: req.headers['content-type'] }));
      });
      return;
    }
    if (url === '/chunked') {
      res.write('a'.repeat(3000));
      setImmediate(() => res.end('b'.repeat(5000)));
      return;
    }
    if (url === '/big') return res.end('x'.repeat(200_000));
    if (url === '/404') return res.writeHead(404).end('no');
    if (url === '/500') return res.writeHead(500).end('boom');
    if (url === '/302') return res.writeHead(302, { location: '/' }).end();
    if (url === '/close') return res.writeHead(200, { connection: 'close' }).end('bye');
    if (url === '/reset') return req.socket.destroy();
    if (url === '/hang') return; // never answers
    if (url.startsWith('/slow')) return void setTimeout(() => res.end('slow'), 100);
    res.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // Answers every request with garbage.
  raw = net.createServer((s) => s.on('data', () => s.write('NOT HTTP AT ALL\r\n\r\n')));
  await new Promise<void>((r) => raw.listen(0, '127.0.0.1', r));
  rawUrl = `http://127.0.0.1:${(raw.address() as AddressInfo).port}`;
});

/** A port nobody listens on (listened on and closed at once). */
async function freePortUrl(): Promise<string> {
  const tmp = net.createServer();
  await new Promise<void>((r) => tmp.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(tmp.address() as AddressInfo).port}`;
  await new Promise<void>((r) => tmp.close(() => r()));
  return url;
}

after(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  await new Promise<void>((r) => raw.close(() => r()));
});

function profile(url: string, endpoints: unknown[], timeoutMs = 2000): TargetProfile {
  return parseTargetProfile({
    name: 'engine',
    http: { baseUrl: url, endpoints },
    load: { requestTimeoutMs: timeoutMs },
    targets: { p95Ms: 100, p99Ms: 100, throughputRps: 1 },
  });
}

test('every framing of a response body is read; statuses are classified per endpoint', async () => {
  const r = await runLoad({
    target: profile(baseUrl, [
      { name: 'ok', path: '/' },
      { name: 'chunked', path: '/chunked' },
      { name: 'big', path: '/big' },
      { name: 'close', path: '/close' },
      { name: 'notfound', path: '/404' },
      { name: 'error', path: '/500' },
      { name: 'redirect', path: '/302' },
      { name: 'expected404', path: '/404', expectStatus: [404] },
    ]),
    model: 'closed',
    concurrency: 4,
    durationSeconds: 1,
    warmupSeconds: 0,
  });
  const ep = Object.fromEntries(r.endpoints.map((e) => [e.name, e]));
  for (const name of ['ok', 'chunked', 'big', 'close', 'expected404']) {
    assert.ok(ep[name].requests > 0, name);
    assert.equal(ep[name].errors, 0, `${name}: ${JSON.stringify(r.errorKindsByEndpoint[name])}`);
  }
  assert.equal(r.errorKindsByEndpoint.notfound.http_4xx, ep.notfound.requests);
  assert.equal(r.errorKindsByEndpoint.error.http_5xx, ep.error.requests);
  assert.equal(r.errorKindsByEndpoint.redirect.unexpected_status, ep.redirect.requests);
  assert.equal(r.errors, ep.notfound.requests + ep.error.requests + ep.redirect.requests);
  assert.equal(r.errorKinds.timeout + r.errorKinds.reset + r.errorKinds.connect_refused + r.errorKinds.other_network, 0);
  assert.equal(
    r.requests,
    r.endpoints.reduce((n, e) => n + e.requests, 0),
  );
  assert.equal(decodeHistogram(r.histograms.overall).totalCount, r.requests, 'every answer has a latency');
  assert.ok(r.bytesIn > ep.big.requests * 200_000, `bytes in ${r.bytesIn}`);
  assert.ok(r.bytesOut > r.requests * 30, `bytes out ${r.bytesOut}`);
  assert.ok(r.progress.length >= 1 && r.progress.some((p) => p.bytesIn > 0));
});

test('request bodies and headers reach the server intact', async () => {
  bodies.clear();
  const r = await runLoad({
    target: profile(baseUrl, [
      { name: 'echo', method: 'POST', path: '/echo', headers: { 'x-k': 'k{{int:1:3}}' }, body: '{"text":"{{pick:é|ab}}"}' },
    ]),
    model: 'closed',
    concurrency: 2,
    durationSeconds: 0.5,
    warmupSeconds: 0,
  });
  assert.ok(r.requests > 0);
  assert.equal(r.errors, 0);
  for (const [k, n] of bodies) {
    assert.match(k, /^k[1-3]$/);
    assert.ok(n === Buffer.byteLength('{"text":"é"}') || n === Buffer.byteLength('{"text":"ab"}'), `body length ${n}`);
  }
});

test('network failures: refused, reset, timeout, protocol garbage', async () => {
  const refusedUrl = await freePortUrl(); // picked now: a port closed long ago may have been taken by another test since
  const refused = await runLoad({
    target: profile(refusedUrl, [{ name: 'x', path: '/' }]),
    model: 'closed',
    concurrency: 2,
    durationSeconds: 0.5,
    warmupSeconds: 0,
  });
  assert.ok(refused.requests > 0);
  assert.equal(refused.errorKinds.connect_refused, refused.requests);
  assert.ok(refused.requests < 200, `refused connections must not become a hot loop (${refused.requests} in 0.5 s)`);
  assert.equal(decodeHistogram(refused.histograms.overall).totalCount, 0, 'no response, no latency');

  const reset = await runLoad({
    target: profile(baseUrl, [{ name: 'x', path: '/reset' }]),
    model: 'closed',
    concurrency: 2,
    durationSeconds: 0.5,
    warmupSeconds: 0,
  });
  assert.ok(reset.requests > 0);
  assert.equal(reset.errorKinds.reset, reset.requests);

  const hang = await runLoad({
    target: profile(baseUrl, [{ name: 'x', path: '/hang' }], 200),
    model: 'closed',
    concurrency: 2,
    durationSeconds: 1,
    warmupSeconds: 0,
  });
  assert.ok(hang.requests >= 2);
  assert.equal(hang.errorKinds.timeout, hang.requests);

  const garbage = await runLoad({
    target: profile(rawUrl, [{ name: 'x', path: '/' }]),
    model: 'closed',
    concurrency: 1,
    durationSeconds: 0.3,
    warmupSeconds: 0,
  });
  assert.ok(garbage.requests > 0);
  assert.equal(garbage.errorKinds.other_network, garbage.requests);
});

test('open model: arrivals that find every connection busy are dropped, not delayed', async () => {
  // 2 connections, 100 ms answers: at most ~20 req/s get through; 100 req/s are offered.
  const r = await runLoad({
    target: profile(baseUrl, [{ name: 'slow', path: '/slow' }]),
    model: 'open',
    rateRps: 100,
    maxConnections: 2,
    durationSeconds: 1,
    warmupSeconds: 0,
  });
  assert.equal(r.model, 'open');
  assert.equal(r.peakConnections, 2);
  assert.ok(r.dropped > 50, `dropped ${r.dropped}`);
  assert.ok(r.requests <= 30, `sent ${r.requests}`);
  assert.equal(r.requests + r.dropped + r.unfinished, 100, 'every planned arrival is accounted for');
  assert.equal(r.offeredRps, 100);
  assert.equal(r.errors, 0);
  assert.ok(r.progress.some((p) => p.intervalDropped > 0));
  assert.equal(r.concurrency, 2);
});

test('bounded: the request cap, and an abort stops at once', async () => {
  const capped = await runLoad({
    target: profile(baseUrl, [{ name: 'x', path: '/' }]),
    model: 'open',
    rateRps: 1000,
    durationSeconds: 30,
    warmupSeconds: 0,
    maxRequests: 40,
  });
  assert.equal(capped.capped, true);
  assert.equal(capped.requests, 40);
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 300);
  const started = Date.now();
  const aborted = await runLoad({
    target: profile(baseUrl, [{ name: 'x', path: '/slow' }]),
    model: 'closed',
    concurrency: 3,
    durationSeconds: 30,
    warmupSeconds: 0,
    signal: ac.signal,
  });
  assert.equal(aborted.aborted, true);
  assert.ok(Date.now() - started < 5000);
  assert.ok(aborted.measuredSeconds < 5);
});

test("closed model: think time spaces each user's requests", async () => {
  const r = await runLoad({
    target: profile(baseUrl, [{ name: 'x', path: '/' }]),
    model: 'closed',
    concurrency: 2,
    thinkTimeMs: 200,
    durationSeconds: 1,
    warmupSeconds: 0,
  });
  // Each user: a request, 200 ms of thinking, ... at most 5 or 6 requests in 1 s, without: thousands.
  assert.ok(r.requests >= 2 && r.requests <= 12, `requests ${r.requests}`);
  assert.equal(r.thinkTimeMs, 200);
});

test('https targets over node:tls', async (t) => {
  let dir: string;
  try {
    dir = mkdtempSync(join(tmpdir(), 'lg-tls-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        join(dir, 'k.pem'),
        '-out',
        join(dir, 'c.pem'),
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
  } catch {
    t.skip('openssl is not available to make a test certificate');
    return;
  }
  const srv = https.createServer({ key: readFileSync(join(dir, 'k.pem')), cert: readFileSync(join(dir, 'c.pem')) }, (_req, res) =>
    res.end('secure'),
  );
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  try {
    const url = new URL(`https://127.0.0.1:${(srv.address() as AddressInfo).port}`);
    const ep = profile(url.origin, [{ name: 's', path: '/' }]).http.endpoints;
    const r = await runEngine({
      model: 'closed',
      url,
      scenario: new Scenario(ep, '', Math.random, url.host),
      endpointNames: ['s'],
      expectStatus: [[200]],
      warmupSeconds: 0,
      durationSeconds: 0.5,
      requestTimeoutMs: 2000,
      maxRequests: 1000,
      concurrency: 2,
      tls: { ca: readFileSync(join(dir, 'c.pem')) },
    });
    assert.ok(r.requests > 0);
    assert.equal(r.errors, 0, JSON.stringify(r.errorKinds));
  } finally {
    srv.closeAllConnections();
    await new Promise<void>((r) => srv.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  }
});
