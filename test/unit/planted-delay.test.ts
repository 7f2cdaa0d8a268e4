// The demo shop's planted delay (a regression planted for npm run bench:gate): the hold on res.end
// over a real local server, and the admin endpoint's checks through the shop itself (its pg pool and
// Redis client are made but never used by these routes).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'pg';
import Redis from 'ioredis';
import { createPlantedDelay, parsePlantedDelayBody } from '../../demo/server/planted-delay';
import { createShopApp } from '../../demo/server/app';

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

test('planted delay: pct 100 holds the responses back by their own handling time: about twice as long server-side', async () => {
  const planted = createPlantedDelay();
  const seen: { handling: number; total: number }[] = []; // server-side: to res.end, to the response's finish
  const server = http.createServer((req, res) => {
    const t0 = performance.now();
    let handling = 0;
    res.on('finish', () => seen.push({ handling, total: performance.now() - t0 }));
    planted.hold(res);
    setTimeout(() => {
      handling = performance.now() - t0;
      res.end('ok');
    }, 50); // the "handling": a wait, like a query
  });
  const base = await listen(server);
  const get = async (): Promise<void> => void (await (await fetch(base)).text());
  try {
    await get();
    planted.set(100);
    await get();
    await get();
    const stats = planted.set(0).since;
    await get();
    const [, on1, on2] = seen;
    // The first request (pct 0) warms up. Each delay makes up for the previous timer's lateness,
    // so the pair is judged together (and loosely: the host may be busy).
    const ratio = (on1.total + on2.total) / (on1.handling + on2.handling);
    assert.ok(ratio > 1.8 && ratio < 2.5, `pct 100: ${JSON.stringify([on1, on2])}`);
    assert.equal(stats.pct, 100);
    assert.equal(stats.requests, 2);
    assert.ok(stats.meanHandlingMs >= 49, JSON.stringify(stats)); // no upper bound: a busy host fires the 50 ms timer late
    assert.ok(stats.addedPct >= 80 && stats.addedPct < 150, JSON.stringify(stats));
    assert.equal(planted.state().since.requests, 0, 'pct 0 again: no response held back');
  } finally {
    server.close();
  }
});

test('planted delay: starts off; the PUT body is {"pct": 0..1000} and nothing else', () => {
  const planted = createPlantedDelay();
  assert.deepEqual(planted.state(), { pct: 0, since: { pct: 0, requests: 0, meanHandlingMs: 0, meanAddedMs: 0, addedPct: 0 } });
  assert.deepEqual(parsePlantedDelayBody({ pct: 10 }), { pct: 10 });
  assert.deepEqual(parsePlantedDelayBody({ pct: 0 }), { pct: 0 });
  assert.match((parsePlantedDelayBody({ pct: -1 }) as { error: string }).error, /"pct" must be a number from 0 to 1000 \(got -1\)/);
  assert.match((parsePlantedDelayBody({ pct: '10' }) as { error: string }).error, /"pct" must be a number/);
  assert.match((parsePlantedDelayBody({ pct: 1001 }) as { error: string }).error, /from 0 to 1000/);
  assert.match((parsePlantedDelayBody({ pct: 10, ms: 3 }) as { error: string }).error, /unknown key\(s\) "ms": the only key is "pct"/);
  assert.match((parsePlantedDelayBody([10]) as { error: string }).error, /body must be an object/);
  assert.match((parsePlantedDelayBody(null) as { error: string }).error, /body must be an object/);
});

test('shop: GET/PUT /admin/planted-delay need the admin token and refuse bad input with a 400 naming the field', async () => {
  const pool = new Pool({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres', max: 1 });
  const redis = new Redis({ lazyConnect: true });
  const server = createShopApp({ pool, redis, adminToken: 'tok' });
  const base = await listen(server);
  const call = async (method: string, body?: unknown, token = 'tok') => {
    const res = await fetch(`${base}/admin/planted-delay`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  try {
    assert.equal((await call('GET', undefined, 'wrong')).status, 401);
    assert.equal((await call('PUT', { pct: 10 }, 'wrong')).status, 401);
    assert.deepEqual((await call('GET')).body, { pct: 0, since: { pct: 0, requests: 0, meanHandlingMs: 0, meanAddedMs: 0, addedPct: 0 } });
    const put = await call('PUT', { pct: 10 });
    assert.equal(put.status, 200);
    assert.equal(put.body.pct, 10);
    assert.equal(put.body.previous, 0);
    assert.equal((await call('GET')).body.pct, 10);
    for (const [bad, why] of [
      [{ pct: -5 }, /planted delay: "pct" must be a number from 0 to 1000 \(got -5\)/],
      [{ pct: 'ten' }, /"pct" must be a number/],
      [{ pct: 10, extra: true }, /unknown key\(s\) "extra"/],
      ['not json', /body must be JSON such as \{"pct": 10\}/],
    ] as const) {
      const r = await call('PUT', bad);
      assert.equal(r.status, 400, JSON.stringify(bad));
      assert.match(String(r.body.error), why);
    }
    assert.equal((await call('GET')).body.pct, 10, 'refused input leaves the delay as it was');
    assert.equal((await call('DELETE')).status, 405);
  } finally {
    server.close();
    await pool.end();
    redis.disconnect();
  }
});
