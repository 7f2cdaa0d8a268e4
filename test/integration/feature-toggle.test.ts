// The toggle action against a real peer of the generic toggle protocol: a small node:http server.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApplicationFailure } from '@temporalio/common';
import { parseTargetProfile, type FeatureToggle, type TargetProfile } from '../../common/profile';
import { readToggles, resolveToggleToken, restoreToggle, setToggle } from '../../activities/actions/feature-toggle';
import { TargetConnections } from '../../activities/connections';

const TOKEN = 'tok-0123456789';
let toggles: Record<string, unknown>;
let mode: 'normal' | 'fail5xx' | 'ignorePut' = 'normal';
let requests: { method: string; url: string }[] = [];

function send(res: http.ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

const server = http.createServer((req, res) => {
  requests.push({ method: req.method ?? '', url: req.url ?? '' });
  let raw = '';
  req.on('data', (c) => (raw += c));
  req.on('end', () => {
    if (req.headers.authorization !== `Bearer ${TOKEN}`) return send(res, 401, { error: 'invalid token' });
    if (mode === 'fail5xx') return send(res, 503, { error: 'toggle store unavailable' });
    if (req.method === 'GET' && req.url === '/admin/toggles') return send(res, 200, toggles);
    const m = /^\/admin\/toggles\/([^/]+)$/.exec(req.url ?? '');
    if (req.method === 'PUT' && m) {
      const name = decodeURIComponent(m[1]);
      if (!(name in toggles)) return send(res, 404, { error: `unknown toggle ${name}` });
      let body: { value?: unknown };
      try {
        body = JSON.parse(raw);
      } catch {
        return send(res, 400, { error: 'body must be JSON' });
      }
      if (!('value' in body)) return send(res, 400, { error: 'body must be {"value": v}' });
      if (typeof toggles[name] === 'number' && typeof body.value !== 'number') {
        return send(res, 400, { error: `toggle ${name} takes a number` });
      }
      const previous = toggles[name];
      if (mode !== 'ignorePut') toggles[name] = body.value;
      return send(res, 200, { name, value: body.value, previous });
    }
    send(res, 404, { error: 'not found' });
  });
});

let target: TargetProfile;
let cacheToggle: FeatureToggle;

function toggle(over: Partial<FeatureToggle> = {}): FeatureToggle {
  return { ...cacheToggle, ...over };
}

before(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  target = parseTargetProfile({
    name: 'toggle-it',
    http: { baseUrl: `http://127.0.0.1:${port}`, endpoints: [{ name: 'products', path: '/products', cacheable: true }] },
    targets: { p95Ms: 50, p99Ms: 100, throughputRps: 10 },
    actions: {
      featureToggles: [{ name: 'cache_products', fixes: 'uncached_endpoint', endpoints: ['products'], tokenEnv: 'TOGGLE_IT_TOKEN' }],
    },
  });
  cacheToggle = target.actions.featureToggles[0];
});

after(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

beforeEach(() => {
  toggles = { cache_products: false, limit: 10, mode: 'off' };
  mode = 'normal';
  requests = [];
});

function nonRetryable(type: string, message: RegExp) {
  return (err: unknown) => {
    assert.ok(err instanceof ApplicationFailure, `expected ApplicationFailure, got ${String(err)}`);
    assert.equal(err.nonRetryable, true);
    assert.equal(err.type, type);
    assert.match(err.message, message);
    assert.ok(!err.message.includes(TOKEN), 'the token never appears in errors');
    return true;
  };
}

function retryable(message: RegExp) {
  return (err: unknown) => {
    assert.ok(err instanceof Error);
    assert.ok(!(err instanceof ApplicationFailure), 'a plain Error is retried by Temporal');
    assert.match(err.message, message);
    return true;
  };
}

test('readToggles returns the toggle map', async () => {
  assert.deepEqual(await readToggles(target, cacheToggle, TOKEN), { cache_products: false, limit: 10, mode: 'off' });
});

test('setToggle sets the value, verifies it, and returns the previous value', async () => {
  const r = await setToggle(target, cacheToggle, true, TOKEN);
  assert.deepEqual(r, { previous: false, value: true });
  assert.equal((await readToggles(target, cacheToggle, TOKEN)).cache_products, true);
  assert.deepEqual(
    requests.map((q) => `${q.method} ${q.url}`),
    ['GET /admin/toggles', 'PUT /admin/toggles/cache_products', 'GET /admin/toggles', 'GET /admin/toggles'],
  );
  // rollback: back to the previous value
  assert.deepEqual(await setToggle(target, cacheToggle, r.previous as boolean, TOKEN), { previous: true, value: false });
  assert.equal(toggles.cache_products, false);
  // numbers and strings too
  assert.deepEqual(await setToggle(target, toggle({ name: 'mode' }), 'cached', TOKEN), { previous: 'off', value: 'cached' });
  assert.deepEqual(await setToggle(target, toggle({ name: 'limit' }), 25, TOKEN), { previous: 10, value: 25 });
});

test('a refused token is a non-retryable error naming the env var', async () => {
  await assert.rejects(setToggle(target, cacheToggle, true, 'wrong'), nonRetryable('ToggleAuthRefused', /env var TOGGLE_IT_TOKEN/));
  await assert.rejects(readToggles(target, cacheToggle, undefined), nonRetryable('ToggleAuthRefused', /TOGGLE_IT_TOKEN \(it is empty\)/));
  await assert.rejects(
    readToggles(target, toggle({ tokenEnv: undefined }), undefined),
    nonRetryable('ToggleAuthRefused', /names no tokenEnv/),
  );
  assert.equal(toggles.cache_products, false);
});

test('an unknown toggle is a non-retryable error listing the known ones', async () => {
  await assert.rejects(
    setToggle(target, toggle({ name: 'nope' }), true, TOKEN),
    nonRetryable('UnknownToggle', /does not know toggle nope \(known: cache_products, limit, mode\)/),
  );
  assert.ok(!requests.some((q) => q.method === 'PUT'));
});

test("another 4xx is non-retryable with the response's error text", async () => {
  await assert.rejects(
    setToggle(target, toggle({ name: 'limit' }), 'many', TOKEN),
    nonRetryable('ToggleRejected', /HTTP 400: toggle limit takes a number/),
  );
  assert.equal(toggles.limit, 10);
});

test('a host outside allowedHosts is refused before any request', async () => {
  // Not reachable through a parsed profile (url must start with "/"), but the check holds for any input.
  const sneaky = toggle({ url: '@169.254.169.254/admin/toggles' });
  await assert.rejects(
    readToggles(target, sneaky, TOKEN),
    nonRetryable('HostNotAllowed', /a toggle request to 169\.254\.169\.254: it is not an allowed host of target toggle-it/),
  );
  await assert.rejects(setToggle(target, sneaky, true, TOKEN), nonRetryable('HostNotAllowed', /not an allowed host/));
  const other = { ...target, http: { ...target.http, baseUrl: 'http://localhost:1' } };
  // the base URL's own host is allowed: this fails on the connection (retryable), not on the check
  await assert.rejects(readToggles(other, cacheToggle, TOKEN), retryable(/failed/));
  assert.equal(requests.length, 0);
});

test('5xx and connection errors are retryable plain Errors', async () => {
  mode = 'fail5xx';
  await assert.rejects(setToggle(target, cacheToggle, true, TOKEN), retryable(/HTTP 503: toggle store unavailable/));
  const { port } = server.address() as AddressInfo;
  const closed = await new Promise<number>((resolve) => {
    const s = http.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
  assert.notEqual(closed, port);
  const down = { ...target, http: { ...target.http, baseUrl: `http://127.0.0.1:${closed}` } };
  await assert.rejects(readToggles(down, cacheToggle, TOKEN), retryable(/ECONNREFUSED/));
});

test('a value that is not in effect after the PUT is an error carrying the previous value', async () => {
  mode = 'ignorePut';
  await assert.rejects(setToggle(target, cacheToggle, true, TOKEN), (err: unknown) => {
    nonRetryable('ToggleNotInEffect', /reports false; the change is not in effect \(its previous value was false\)/)(err);
    assert.deepEqual((err as ApplicationFailure).details?.[0], { toggle: 'cache_products', previous: false, reported: false });
    return true;
  });
});

test('a retried set keeps the previous value recorded by the first attempt', async () => {
  const seen: unknown[] = [];
  const first = await setToggle(target, cacheToggle, true, TOKEN, { onPrevious: (p) => seen.push(p) });
  assert.deepEqual(seen, [false]);
  assert.equal(first.previous, false);
  // without the record a repeat only sees its own change...
  assert.equal((await setToggle(target, cacheToggle, true, TOKEN)).previous, true);
  // ...with it (e.g. from heartbeat details) the original value is kept
  assert.deepEqual(await setToggle(target, cacheToggle, true, TOKEN, { knownPrevious: { value: seen[0] } }), {
    previous: false,
    value: true,
  });
});

test("restoreToggle looks first: the run's value goes back, a value back already or set by someone else is left alone", async () => {
  const limit = toggle({ name: 'limit' });
  const change = { runValue: 50, previous: 10 };
  await setToggle(target, limit, 50, TOKEN);
  assert.deepEqual(await restoreToggle(target, limit, change, TOKEN), { details: 'toggle limit restored to 10' });
  assert.equal(toggles.limit, 10);
  const puts = () => requests.filter((r) => r.method === 'PUT').length;
  const before = puts();
  const again = await restoreToggle(target, limit, change, TOKEN);
  assert.equal(again.skipped, 'already restored: toggle limit is 10, its value before the run');
  toggles.limit = 75; // someone else
  const theirs = await restoreToggle(target, limit, change, TOKEN);
  assert.match(
    theirs.skipped ?? '',
    /^left as it is: toggle limit is now 75, not 50 as the run set it \(someone changed it since; its value before the run: 10\)$/,
  );
  assert.equal(toggles.limit, 75);
  assert.equal(puts(), before, 'nothing written when the undo is skipped');
  await assert.rejects(
    restoreToggle(target, toggle({ name: 'gone' }), change, TOKEN),
    nonRetryable('UnknownToggle', /does not know toggle gone \(known: cache_products, limit, mode\)/),
  );
});

test('resolveToggleToken reads the env var the toggle names', () => {
  assert.equal(resolveToggleToken(new TargetConnections({ TOGGLE_IT_TOKEN: TOKEN }), target, cacheToggle), TOKEN);
  assert.equal(resolveToggleToken(new TargetConnections({}), target, toggle({ tokenEnv: undefined })), undefined);
  assert.throws(() => resolveToggleToken(new TargetConnections({}), target, cacheToggle), /TOGGLE_IT_TOKEN is not set/);
});
