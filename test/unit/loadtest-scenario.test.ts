import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EndpointSchema } from '../../common/profile';
import { classifyError, classifyStatus } from '../../activities/loadtest/errors';
import { createPicker, renderTemplate, Scenario } from '../../activities/loadtest/scenario';

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
});
