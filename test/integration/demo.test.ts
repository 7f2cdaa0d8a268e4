// The demo shop against real PostgreSQL and Redis: seed, endpoints, the three bottlenecks, toggles.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type http from 'node:http';
import { Pool } from 'pg';
import type Redis from 'ioredis';
import { testDatabase, testRedis } from '../helpers/services';
import { seedShop } from '../../demo/seed';
import { CATALOG_CACHE_KEY, createShopApp } from '../../demo/server/app';

const TOKEN = 'test-token';
const PASSWORD = 'test-password';
const SEED = { products: 20_000, reviewsPerProduct: 3, categories: 50 };

let pool: Pool;
let redis: Redis;
let server: http.Server;
let base: string;

/** The fields of the shop's JSON answers that these tests read (each answer has some of them). */
interface ShopAnswer {
  items: Array<{ id: number; name: string; price: number; createdAt: string; reviews: number; rating: number }>;
  id: number;
  categories: Array<{ id: number; name: string; products: number; avgPrice: number }>;
  error: string;
  user: { name: string; token: string };
  name: string;
}

async function call(
  path: string,
  init: { method?: string; token?: string | null; body?: unknown } = {},
): Promise<{ status: number; body: ShopAnswer; headers: Headers }> {
  const headers: Record<string, string> = {};
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(base + path, {
    method: init.method ?? 'GET',
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}

async function setToggle(name: string, value: unknown): Promise<unknown> {
  const r = await call(`/admin/toggles/${name}`, { method: 'PUT', token: TOKEN, body: { value } });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
}

async function resetStatements(): Promise<void> {
  // Only this database's statistics, so tests running elsewhere on the cluster are not disturbed.
  await pool.query('SELECT pg_stat_statements_reset(0, (SELECT oid FROM pg_database WHERE datname = current_database()), 0)');
}

// pg_stat_statements normalizes constants (`avg(rating),0` is stored as `avg(rating),$2`), so
// statements are matched by a distinctive fragment of their text.
const STATEMENT = {
  reviewOne: '%FROM reviews WHERE product_id = $1',
  reviewBatch: '%FROM reviews WHERE product_id = ANY($1) GROUP BY product_id%',
  catalog: '%FROM categories c JOIN products p ON p.category_id = c.id%',
};

async function callsOf(likePattern: string): Promise<number> {
  const { rows } = await pool.query<{ calls: number }>(
    `SELECT coalesce(sum(calls), 0)::int AS calls FROM pg_stat_statements
      WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND query LIKE $1`,
    [likePattern],
  );
  return rows[0].calls;
}

describe('demo shop', () => {
  before(async () => {
    pool = new Pool({ connectionString: await testDatabase('perf_test_demo'), max: 10 });
    redis = await testRedis();
    await redis.del(CATALOG_CACHE_KEY);
    const seeded = await seedShop(pool, SEED);
    assert.equal(seeded.products, SEED.products);
    assert.equal(seeded.reviews, SEED.products * SEED.reviewsPerProduct);
    server = createShopApp({ pool, redis, adminToken: TOKEN, demoPassword: PASSWORD });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await redis?.del(CATALOG_CACHE_KEY).catch(() => undefined);
    redis?.disconnect();
    await pool?.end();
  });

  test('login answers a token (and the cookie sid) that /api/me requires', async () => {
    const bad = await call('/api/login', { method: 'POST', body: { username: 'demo', password: 'nope' } });
    assert.equal(bad.status, 401);
    assert.equal((await call('/api/login', { method: 'POST', body: { username: 'other', password: PASSWORD } })).status, 401);
    assert.equal((await call('/api/login')).status, 405);
    const ok = await call('/api/login', { method: 'POST', body: { username: 'demo', password: PASSWORD } });
    assert.equal(ok.status, 200);
    const token = ok.body.user.token;
    assert.match(token, /^[A-Za-z0-9_-]{32}$/);
    assert.equal(ok.headers.get('set-cookie'), `sid=${token}; Path=/; HttpOnly; SameSite=Strict`);
    const me = await call('/api/me', { token });
    assert.equal(me.status, 200);
    assert.equal(me.body.name, 'demo');
    assert.equal((await call('/api/me')).status, 401);
    assert.equal((await call('/api/me', { token: 'forged' })).status, 401);
    assert.equal((await call('/api/me', { token: TOKEN })).status, 401, 'the admin token is no login');
  });

  test('without a demo password, logging in is disabled', async () => {
    const off = createShopApp({ pool, redis, adminToken: TOKEN });
    await new Promise<void>((resolve) => off.listen(0, '127.0.0.1', resolve));
    try {
      const res = await fetch(`http://127.0.0.1:${(off.address() as AddressInfo).port}/api/login`, {
        method: 'POST',
        body: JSON.stringify({ username: 'demo', password: '' }),
      });
      assert.equal(res.status, 503);
      assert.match(((await res.json()) as { error: string }).error, /SHOP_DEMO_PASSWORD/);
    } finally {
      off.closeAllConnections();
      await new Promise<void>((resolve) => off.close(() => resolve()));
    }
  });

  test('health', async () => {
    const r = await call('/health');
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, { ok: true });
  });

  test('listing returns 20 products of the category, newest first', async () => {
    const r = await call('/products?category=7');
    assert.equal(r.status, 200);
    assert.equal(r.body.items.length, 20);
    const { rows } = await pool.query<{ id: string }>('SELECT id FROM products WHERE category_id = 7 ORDER BY created_at DESC LIMIT 20');
    assert.deepEqual(
      r.body.items.map((p: { id: number }) => p.id),
      rows.map((x) => Number(x.id)),
    );
    const times = r.body.items.map((p: { createdAt: string }) => Date.parse(p.createdAt));
    for (let i = 1; i < times.length; i++) assert.ok(times[i - 1] > times[i], 'created_at must be descending');
    for (const p of r.body.items) {
      assert.equal(p.reviews, SEED.reviewsPerProduct);
      assert.ok(p.rating >= 1 && p.rating <= 5);
      assert.equal(typeof p.price, 'number');
    }
    const page1 = await call('/products?category=7&page=1');
    assert.equal(page1.body.items.length, 20);
    assert.ok(Date.parse(page1.body.items[0].createdAt) < times[19], 'page 1 continues after page 0');
  });

  test('one product by id, 404 when missing, 400 on bad input', async () => {
    const r = await call('/products/42');
    assert.equal(r.status, 200);
    assert.equal(r.body.id, 42);
    assert.equal((await call('/products/999999999')).status, 404);
    const bad = await call('/products/abc');
    assert.equal(bad.status, 400);
    assert.match(bad.body.error, /product id/);
    assert.equal((await call('/products?category=x')).status, 400);
    assert.equal((await call('/products')).status, 400);
    assert.equal((await call('/products?category=3&page=-1')).status, 400);
    assert.equal((await call('/products?category=99999999999')).status, 400);
  });

  test('N+1 is visible in pg_stat_statements and batchLoading removes it with the same answer', async () => {
    await setToggle('batchLoading', false);
    await resetStatements();
    const slow = await call('/products?category=11');
    assert.equal(slow.status, 200);
    assert.equal(await callsOf(STATEMENT.reviewOne), 20);
    assert.equal(await callsOf(STATEMENT.reviewBatch), 0);

    try {
      const changed = await setToggle('batchLoading', true);
      assert.deepEqual(changed, { name: 'batchLoading', value: true, previous: false });
      await resetStatements();
      const fast = await call('/products?category=11');
      assert.equal(fast.status, 200);
      assert.equal(await callsOf(STATEMENT.reviewOne), 0);
      assert.equal(await callsOf(STATEMENT.reviewBatch), 1);
      assert.deepEqual(fast.body, slow.body);
    } finally {
      await setToggle('batchLoading', false);
    }
  });

  test('catalog: uncached by default, read-through Redis cache with the toggle', async () => {
    const plain = await call('/catalog');
    assert.equal(plain.status, 200);
    assert.equal(plain.body.categories.length, SEED.categories);
    assert.equal(
      plain.body.categories.reduce((s: number, c: { products: number }) => s + c.products, 0),
      SEED.products,
    );
    assert.equal(await redis.exists(CATALOG_CACHE_KEY), 0);

    await setToggle('catalogCache', true);
    try {
      await resetStatements();
      const miss = await call('/catalog');
      assert.equal(miss.headers.get('x-cache'), 'miss');
      assert.equal(await redis.exists(CATALOG_CACHE_KEY), 1);
      const ttl = await redis.ttl(CATALOG_CACHE_KEY);
      assert.ok(ttl > 0 && ttl <= 30, `ttl ${ttl}`);
      const hit = await call('/catalog');
      assert.equal(hit.headers.get('x-cache'), 'hit');
      assert.deepEqual(hit.body, plain.body);
      assert.deepEqual(miss.body, plain.body);
      assert.equal(await callsOf(STATEMENT.catalog), 1, 'the second call must not reach PostgreSQL');

      const off = await setToggle('catalogCache', false);
      assert.deepEqual(off, { name: 'catalogCache', value: false, previous: true });
      assert.equal(await redis.exists(CATALOG_CACHE_KEY), 0, 'turning the cache off deletes the key');
    } finally {
      await setToggle('catalogCache', false);
    }
  });

  test('admin toggles: token, unknown toggle, wrong type', async () => {
    assert.equal((await call('/admin/toggles')).status, 401);
    assert.equal((await call('/admin/toggles', { token: 'wrong' })).status, 401);
    assert.equal((await call('/admin/toggles/batchLoading', { method: 'PUT', body: { value: true } })).status, 401);
    const list = await call('/admin/toggles', { token: TOKEN });
    assert.equal(list.status, 200);
    assert.deepEqual(list.body, { batchLoading: false, catalogCache: false });
    const unknown = await call('/admin/toggles/turbo', { method: 'PUT', token: TOKEN, body: { value: true } });
    assert.equal(unknown.status, 400);
    assert.match(unknown.body.error, /unknown toggle "turbo"/);
    const wrongType = await call('/admin/toggles/batchLoading', { method: 'PUT', token: TOKEN, body: { value: 'yes' } });
    assert.equal(wrongType.status, 400);
    assert.match(wrongType.body.error, /boolean/);
    const noValue = await call('/admin/toggles/batchLoading', { method: 'PUT', token: TOKEN, body: {} });
    assert.equal(noValue.status, 400);
  });

  test('concurrent requests all succeed', async () => {
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => call(i % 2 ? `/products?category=${1 + (i % 50)}` : `/products/${1 + i}`)),
    );
    for (const r of results) assert.equal(r.status, 200);
  });

  test('seedShop is idempotent and drops indexes added by an optimization run', async () => {
    await pool.query('CREATE INDEX IF NOT EXISTS products_category_idx_from_test ON products (category_id)');
    await pool.query('CREATE INDEX IF NOT EXISTS "Odd ""Name"" idx" ON products (category_id, created_at DESC)');
    const again = await seedShop(pool, SEED);
    assert.equal(again.reseeded, false, 'expected row counts: no re-seed');
    assert.deepEqual([...again.droppedIndexes].sort(), ['Odd "Name" idx', 'products_category_idx_from_test'].sort());
    const { rows } = await pool.query<{ indexname: string }>(
      `SELECT indexname FROM pg_indexes WHERE tablename IN ('products', 'categories', 'reviews') ORDER BY indexname`,
    );
    assert.deepEqual(
      rows.map((r) => r.indexname),
      ['categories_pkey', 'products_pkey', 'reviews_pkey', 'reviews_product_id_idx'],
    );
    const counts = await pool.query<{ p: number; r: number }>(
      'SELECT (SELECT count(*) FROM products)::int AS p, (SELECT count(*) FROM reviews)::int AS r',
    );
    assert.deepEqual(counts.rows[0], { p: SEED.products, r: SEED.products * SEED.reviewsPerProduct });
    const third = await seedShop(pool, SEED);
    assert.equal(third.reseeded, false);
    assert.deepEqual(third.droppedIndexes, []);
  });
});
