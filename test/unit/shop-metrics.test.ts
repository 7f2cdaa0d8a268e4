// The demo shop's /metrics (prom-client): route patterns as labels, every answered request counted by
// route and status, the pg pool's gauges, the default process metrics; served by the shop itself
// (its pg pool points at a database without the shop's tables: a product request answers 500).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { Pool } from 'pg';
import Redis from 'ioredis';
import { createShopApp } from '../../demo/server/app';
import { HTTP_DURATION_METRIC, routeOf } from '../../demo/server/metrics';

test('routeOf: the route pattern, never the raw path; anything else is "unmatched"', () => {
  assert.equal(routeOf('/products?category=3&page=2'), '/products');
  assert.equal(routeOf('/products/'), '/products');
  assert.equal(routeOf('/products/123'), '/products/:id');
  assert.equal(routeOf('/products/123/'), '/products/:id');
  assert.equal(routeOf('/products/1/2'), 'unmatched');
  assert.equal(routeOf('/admin/toggles/catalogCache'), '/admin/toggles');
  assert.equal(routeOf('/'), 'unmatched');
  assert.equal(routeOf('/wp-login.php'), 'unmatched');
});

test('GET /metrics: each answered request by method, route and status; pool gauges; process metrics', async () => {
  const pool = new Pool({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres', max: 1 });
  const redis = new Redis({ lazyConnect: true });
  const server = createShopApp({ pool, redis, adminToken: 'tok' });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    for (const path of ['/health', '/health', '/nope', '/products/7?x=1']) await (await fetch(`${base}${path}`)).text();
    const res = await fetch(`${base}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    const count = (labels: string): number => {
      const m = new RegExp(`^${HTTP_DURATION_METRIC}_count\\{${labels}\\} (\\d+)$`, 'm').exec(text);
      return m ? Number(m[1]) : 0;
    };
    assert.equal(count('method="GET",route="/health",status="200"'), 2);
    assert.equal(count('method="GET",route="unmatched",status="404"'), 1);
    assert.equal(count('method="GET",route="/products/:id",status="500"'), 1, 'no products table: a 500, counted under its pattern');
    assert.match(text, new RegExp(`^${HTTP_DURATION_METRIC}_bucket\\{le="0.3",method="GET",route="/health",status="200"\\} 2$`, 'm'));
    for (const state of ['total', 'idle', 'waiting'])
      assert.match(text, new RegExp(`^shop_pg_pool_connections\\{state="${state}"\\} 0$`, 'm'), state);
    assert.match(text, /^shop_nodejs_eventloop_lag_p99_seconds \d/m);
    assert.match(text, /^shop_process_cpu_seconds_total \d/m);
    assert.equal((await fetch(`${base}/metrics`, { method: 'POST' })).status, 405);
  } finally {
    server.close();
    await pool.end();
    redis.disconnect();
  }
});
