import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EndpointSchema, parseTargetProfile, ProfileError } from '../../common/profile';
import { classifyError, classifyStatus } from '../../activities/loadtest/errors';
import { compileTemplate, createPicker, renderTemplate, Scenario } from '../../activities/loadtest/scenario';

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

test('weighted choice follows the weights', () => {
  const weights = [1, 3, 6];
  const pick = createPicker(weights, lcg(1));
  const counts = [0, 0, 0];
  const n = 100_000;
  for (let i = 0; i < n; i++) counts[pick()]++;
  const total = weights.reduce((a, b) => a + b, 0);
  weights.forEach((w, i) => {
    const expected = (w / total) * n;
    // 5 standard deviations of a binomial count.
    const sd = Math.sqrt(n * (w / total) * (1 - w / total));
    assert.ok(Math.abs(counts[i] - expected) < 5 * sd, `endpoint ${i}: ${counts[i]} vs ${expected}`);
  });
  assert.equal(createPicker([5])(), 0);
  assert.throws(() => createPicker([]));
});

test('{{int:MIN:MAX}} becomes an integer in range', () => {
  const rng = lcg(9);
  const seen = new Set<number>();
  for (let i = 0; i < 5000; i++) {
    const out = renderTemplate('/products/{{int:3:12}}', rng);
    const m = /^\/products\/(-?\d+)$/.exec(out);
    assert.ok(m, out);
    const v = Number(m[1]);
    assert.ok(Number.isInteger(v) && v >= 3 && v <= 12, out);
    seen.add(v);
  }
  assert.equal(seen.size, 10); // both ends reached
  const two = renderTemplate('{"a":{{int:1:1}},"b":{{int:-5:-5}}}', rng);
  assert.equal(two, '{"a":1,"b":-5}');
  assert.equal(renderTemplate('/plain'), '/plain');
});

test('scenario renders path under the base path and body, with a JSON content type', () => {
  const endpoints = [
    EndpointSchema.parse({ name: 'get', path: '/items/{{int:1:100}}' }),
    EndpointSchema.parse({ name: 'post', method: 'POST', path: '/orders', body: '{"item":{{int:1:9}}}', weight: 0.000001 }),
  ];
  const s = new Scenario(endpoints, '/api', lcg(3));
  const r = s.next();
  assert.equal(r.endpointIndex, 0);
  assert.match(r.path, /^\/api\/items\/\d+$/);
  assert.equal(r.body, undefined);
  const only = new Scenario([endpoints[1]], '', lcg(3)).next();
  assert.equal(only.method, 'POST');
  assert.match(only.body!, /^\{"item":[1-9]\}$/);
  assert.equal(only.headers['content-type'], 'application/json');
});

test('error classification', () => {
  assert.equal(classifyStatus(200, [200]), null);
  assert.equal(classifyStatus(201, [200, 201]), null);
  assert.equal(classifyStatus(404, [200]), 'http_4xx');
  assert.equal(classifyStatus(503, [200]), 'http_5xx');
  assert.equal(classifyStatus(302, [200]), 'unexpected_status');
  assert.equal(classifyStatus(200, [204]), 'unexpected_status');
  assert.equal(classifyStatus(404, [404]), null);

  const err = (code: string, name = 'Error') => Object.assign(new Error(code), { code, name });
  assert.equal(classifyError(err('UND_ERR_HEADERS_TIMEOUT', 'HeadersTimeoutError')), 'timeout');
  assert.equal(classifyError(err('UND_ERR_BODY_TIMEOUT')), 'timeout');
  assert.equal(classifyError(err('UND_ERR_CONNECT_TIMEOUT')), 'timeout');
  assert.equal(classifyError(new DOMException('timed out', 'TimeoutError')), 'timeout');
  assert.equal(classifyError(err('ECONNREFUSED')), 'connect_refused');
  assert.equal(classifyError(Object.assign(new Error('fetch failed'), { cause: err('ECONNREFUSED') })), 'connect_refused');
  const agg = Object.assign(new AggregateError([err('ECONNREFUSED'), err('ECONNREFUSED')]), { code: undefined });
  assert.equal(classifyError(agg), 'connect_refused');
  assert.equal(classifyError(err('ECONNRESET')), 'reset');
  assert.equal(classifyError(err('UND_ERR_SOCKET', 'SocketError')), 'reset');
  assert.equal(classifyError(err('EPIPE')), 'reset');
  assert.equal(classifyError(err('ENOTFOUND')), 'other_network');
  assert.equal(classifyError(new Error('weird')), 'other_network');
  assert.equal(classifyError('not an error'), 'other_network');
  // The generator's own failures.
  assert.equal(classifyError(err('LOADGEN_TIMEOUT')), 'timeout');
  assert.equal(classifyError(err('LOADGEN_SOCKET_CLOSED')), 'reset');
  assert.equal(classifyError(err('HPE_INVALID_RESPONSE')), 'other_network');
  assert.equal(classifyStatus(599, [200]), 'http_5xx');
  assert.equal(classifyStatus(100, [200]), 'unexpected_status');
});

test('{{pick:a|b}} and named variables: one value per request, the same everywhere in it', () => {
  const rng = lcg(5);
  const seen = new Set<string>();
  for (let i = 0; i < 300; i++) seen.add(renderTemplate('{{pick:red|green|blue}}', rng));
  assert.deepEqual([...seen].sort(), ['blue', 'green', 'red']);

  const ep = EndpointSchema.parse({
    name: 'order',
    method: 'POST',
    path: '/users/{{user}}/orders?sku={{sku}}&n={{int:1:3}}',
    headers: { 'x-user': '{{user}}' },
    body: '{"user":{{user}},"sku":"{{sku}}","color":"{{pick:red|blue}}"}',
    variables: { user: { int: [10, 20] }, sku: { list: ['A 1', 'B/2'] } },
  });
  const s = new Scenario([ep], '/api', lcg(8), '127.0.0.1:8080');
  const skus = new Set<string>();
  for (let i = 0; i < 200; i++) {
    const r = s.next();
    const m = /^\/api\/users\/(\d+)\/orders\?sku=([^&]+)&n=([1-3])$/.exec(r.path);
    assert.ok(m, r.path);
    const user = Number(m[1]);
    assert.ok(user >= 10 && user <= 20);
    assert.equal(r.headers['x-user'], String(user));
    const body = JSON.parse(r.body!);
    assert.equal(body.user, user, 'same variable value in path, header and body');
    assert.equal(encodeURIComponent(body.sku), m[2], 'path values are percent-encoded, body values are not');
    assert.ok(['red', 'blue'].includes(body.color));
    skus.add(body.sku);
  }
  assert.deepEqual([...skus].sort(), ['A 1', 'B/2']);
  // A variable given to renderTemplate (as other activities use it).
  assert.match(renderTemplate('/u/{{id}}', lcg(1), { id: { int: [5, 5] } }), /^\/u\/5$/);
  assert.equal(renderTemplate('/u/{{id}}/{{int:2:2}}'), '/u/{{id}}/2', 'without the variables, a named placeholder stays');
});

test('requests on the wire: static ones are built once, templated ones each time', () => {
  const get = EndpointSchema.parse({ name: 'get', path: '/items?x=1', headers: { accept: 'application/json' } });
  const post = EndpointSchema.parse({ name: 'post', method: 'POST', path: '/orders/{{int:1:9}}', body: '{"q":"é"}' });
  const put = EndpointSchema.parse({ name: 'put', method: 'PUT', path: '/reset' });
  const one = new Scenario([get], '', lcg(2), '127.0.0.1:81');
  const a = one.nextWire();
  assert.equal(a.data.toString(), 'GET /items?x=1 HTTP/1.1\r\nhost: 127.0.0.1:81\r\naccept: application/json\r\n\r\n');
  assert.equal(one.nextWire().data, a.data, 'the same buffer every time');
  const p = new Scenario([post], '/base', lcg(2), 'h').nextWire().data.toString();
  assert.match(
    p,
    /^POST \/base\/orders\/[1-9] HTTP\/1\.1\r\nhost: h\r\ncontent-type: application\/json\r\ncontent-length: 10\r\n\r\n\{"q":"é"\}$/,
  );
  assert.equal(
    new Scenario([put], '', lcg(2), 'h').nextWire().data.toString(),
    'PUT /reset HTTP/1.1\r\nhost: h\r\ncontent-length: 0\r\n\r\n',
  );
  const head = new Scenario([EndpointSchema.parse({ name: 'h', method: 'HEAD', path: '/' })], '', lcg(2), 'h').nextWire();
  assert.equal(head.head, true);
  assert.equal(compileTemplate('/static').isStatic, true);
  assert.equal(compileTemplate('/x/{{int:1:2}}').isStatic, false);
});

test('the profile rejects unknown placeholders and names the field', () => {
  const base = {
    name: 'p',
    http: { baseUrl: 'http://127.0.0.1:1', endpoints: [] as unknown[] },
    targets: { p95Ms: 1, p99Ms: 1, throughputRps: 1 },
  };
  const withEp = (ep: unknown) => ({ ...base, http: { ...base.http, endpoints: [ep] } });
  assert.throws(
    () => parseTargetProfile(withEp({ name: 'a', path: '/u/{{userId}}' })),
    (e: unknown) => e instanceof ProfileError && /http\.endpoints\.0\.path: unknown placeholder \{\{userId\}\}/.test(e.message),
  );
  assert.throws(() => parseTargetProfile(withEp({ name: 'a', path: '/', body: '{{int:1}}' })), /endpoints\.0\.body: unknown placeholder/);
  assert.throws(() => parseTargetProfile(withEp({ name: 'a', path: '/', headers: { x: '{{nope}}' } })), /endpoints\.0\.headers\.x/);
  assert.throws(() => parseTargetProfile(withEp({ name: 'a', path: '/', variables: { v: { int: [1] } } })), ProfileError);
  const ok = parseTargetProfile(
    withEp({ name: 'a', path: '/u/{{userId}}/{{pick:a|b}}/{{int:1:2}}', variables: { userId: { list: ['x'] } } }),
  );
  assert.equal(ok.http.endpoints[0].path, '/u/{{userId}}/{{pick:a|b}}/{{int:1:2}}');
  // Existing profiles stay valid and keep the closed model.
  const plain = parseTargetProfile(withEp({ name: 'a', path: '/' }));
  assert.equal(plain.load.model, 'closed');
  assert.equal(plain.load.thinkTimeMs, 0);
  assert.throws(
    () => parseTargetProfile({ ...withEp({ name: 'a', path: '/' }), load: { model: 'open' } }),
    /load\.rateRps: the open model needs rateRps/,
  );
  assert.equal(parseTargetProfile({ ...withEp({ name: 'a', path: '/' }), load: { model: 'open', rateRps: 50 } }).load.rateRps, 50);
});
