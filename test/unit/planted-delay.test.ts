// The demo shop's planted delay (a regression planted for npm run bench:gate): the busy wait in res.end
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

test('planted delay: 20000 us makes each response hold the thread 20 ms longer, before it is sent', async () => {
  const planted = createPlantedDelay();
  const seen: { handling: number; total: number; ticksDuringEnd: number }[] = [];
  const server = http.createServer((req, res) => {
    const t0 = performance.now();
    let handling = 0;
    let ticks = 0;
    res.on('finish', () => seen.push({ handling, total: performance.now() - t0, ticksDuringEnd: ticks }));
    planted.hold(res);
    setTimeout(() => {
      handling = performance.now() - t0;
      const tick = setInterval(() => ticks++, 1); // a busy wait holds the thread: no tick runs during res.end
      res.end('ok');
      clearInterval(tick);
    }, 5);
  });
  const base = await listen(server);
  const get = async (): Promise<void> => void (await (await fetch(base)).text());
  try {
    await get();
    planted.set(20_000);
    await get();
    await get();
    const stats = planted.set(0).since;
    await get();
    const [off, on1, on2, offAgain] = seen;
    for (const on of [on1, on2]) {
      assert.ok(on.total - on.handling >= 20, `planted: ${JSON.stringify(on)}`);
      assert.equal(on.ticksDuringEnd, 0, 'the cost is spent on the thread, not waited for');
    }
    for (const o of [off, offAgain]) assert.ok(o.total - o.handling < 20, `not planted: ${JSON.stringify(o)}`);
    assert.equal(stats.us, 20_000);
    assert.equal(stats.requests, 2);
    assert.ok(stats.meanAddedUs >= 20_000 && stats.meanAddedUs < 40_000, JSON.stringify(stats));
    assert.equal(planted.state().since.requests, 0, 'us 0 again: no response held back');
  } finally {
    server.close();
  }
});

test('planted delay: starts off; the PUT body is {"us": 0..100000} and nothing else', () => {
  const planted = createPlantedDelay();
  assert.deepEqual(planted.state(), { us: 0, since: { us: 0, requests: 0, meanAddedUs: 0 } });
  assert.deepEqual(parsePlantedDelayBody({ us: 25 }), { us: 25 });
  assert.deepEqual(parsePlantedDelayBody({ us: 0 }), { us: 0 });
  assert.match((parsePlantedDelayBody({ us: -1 }) as { error: string }).error, /"us" must be a number from 0 to 100000 \(got -1\)/);
  assert.match((parsePlantedDelayBody({ us: '10' }) as { error: string }).error, /"us" must be a number/);
  assert.match((parsePlantedDelayBody({ us: 100_001 }) as { error: string }).error, /from 0 to 100000/);
  assert.match((parsePlantedDelayBody({ us: 10, pct: 3 }) as { error: string }).error, /unknown key\(s\) "pct": the only key is "us"/);
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
    assert.equal((await call('PUT', { us: 25 }, 'wrong')).status, 401);
    assert.deepEqual((await call('GET')).body, { us: 0, since: { us: 0, requests: 0, meanAddedUs: 0 } });
    const put = await call('PUT', { us: 25 });
    assert.equal(put.status, 200);
    assert.equal(put.body.us, 25);
    assert.equal(put.body.previous, 0);
    assert.equal((await call('GET')).body.us, 25);
    for (const [bad, why] of [
      [{ us: -5 }, /planted delay: "us" must be a number from 0 to 100000 \(got -5\)/],
      [{ us: 'ten' }, /"us" must be a number/],
      [{ us: 10, extra: true }, /unknown key\(s\) "extra"/],
      ['not json', /body must be JSON such as \{"us": 25\}/],
    ] as const) {
      const r = await call('PUT', bad);
      assert.equal(r.status, 400, JSON.stringify(bad));
      assert.match(String(r.body.error), why);
    }
    assert.equal((await call('GET')).body.us, 25, 'refused input leaves the delay as it was');
    assert.equal((await call('DELETE')).status, 405);
  } finally {
    server.close();
    await pool.end();
    redis.disconnect();
  }
});
