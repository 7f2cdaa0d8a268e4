// The demo "shop" API: node:http, PostgreSQL, Redis, and three deliberate bottlenecks.
//
//  1. GET /products?category=ID filters and sorts products with no usable index
//     (fix: CREATE INDEX ON products (category_id, created_at DESC)).
//  2. ...then loads each product's review summary with one query per product, an N+1
//     (fix: toggle batchLoading -> one query with product_id = ANY($1)).
//  3. GET /catalog aggregates the whole products table on every call although the answer is
//     cacheable (fix: toggle catalogCache -> read-through Redis cache, 30 s TTL).
//
// Toggles follow the generic HTTP toggle protocol perf-orchestrator drives (Bearer token required):
//   GET /admin/toggles            -> {"batchLoading": false, "catalogCache": false}
//   PUT /admin/toggles/<name>     {"value": true} -> {"name": ..., "value": true, "previous": false}
//
// Logged-in traffic (no bottleneck of its own; sessions live in memory):
//   POST /api/login  {"username": "demo", "password": <demoPassword>} -> {"user": {"name", "token"}}
//                    and the cookie sid=<token>; 401 on a wrong password, 503 without demoPassword
//   GET  /api/me     with "Authorization: Bearer <token>" -> {"name", "loggedInAt"}; 401 otherwise
// GET/PUT /admin/planted-delay: a planted regression for npm run bench:gate (planted-delay.ts).
// GET /metrics: Prometheus metrics, no token (scraped from the private network; metrics.ts).
import http from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Pool } from 'pg';
import type Redis from 'ioredis';
import { createShopMetrics } from './metrics';
import { createPlantedDelay, parsePlantedDelayBody } from './planted-delay';

export interface ShopDeps {
  pool: Pool;
  redis: Redis;
  adminToken: string;
  /** The password of user "demo" at POST /api/login; without it, logging in answers 503. */
  demoPassword?: string;
}

export interface ShopToggles {
  batchLoading: boolean;
  catalogCache: boolean;
}

export const PAGE_SIZE = 20;
export const CATALOG_CACHE_KEY = 'shop:catalog';
export const CATALOG_TTL_SECONDS = 30;
const MAX_BODY_BYTES = 16 * 1024;
const INT4_MAX = 2_147_483_647;

// Statement texts are kept verbatim: pg_stat_statements (and the tests) identify them by text.
export const SQL = {
  listProducts: 'SELECT id, name, price, created_at FROM products WHERE category_id = $1 ORDER BY created_at DESC LIMIT 20 OFFSET $2',
  reviewSummaryOne: 'SELECT count(*)::int AS reviews, coalesce(avg(rating),0)::float AS rating FROM reviews WHERE product_id = $1',
  reviewSummaryBatch:
    'SELECT product_id, count(*)::int AS reviews, coalesce(avg(rating),0)::float AS rating FROM reviews WHERE product_id = ANY($1) GROUP BY product_id',
  productById: 'SELECT id, category_id, name, price, stock, created_at FROM products WHERE id = $1',
  catalog:
    'SELECT c.id, c.name, count(p.id)::int AS products, round(avg(p.price),2)::float AS avg_price ' +
    'FROM categories c JOIN products p ON p.category_id = c.id GROUP BY c.id, c.name ORDER BY c.id',
} as const;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

interface ProductRow {
  id: string;
  name: string;
  price: string;
  created_at: Date;
}

interface ListedProduct {
  id: number;
  name: string;
  price: number;
  createdAt: string;
  reviews: number;
  rating: number;
}

function send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
}

/** A non-negative integer from a path or query string, or a 400 naming the parameter. */
function parseNonNegativeInt(raw: string | null, what: string, max: number): number {
  if (raw === null || !/^\d{1,16}$/.test(raw)) {
    throw new HttpError(400, `${what} must be a non-negative integer (got ${raw === null ? 'nothing' : JSON.stringify(raw)})`);
  }
  const n = Number(raw);
  if (n > max) throw new HttpError(400, `${what} must be at most ${max} (got ${raw})`);
  return n;
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new HttpError(413, `request body larger than ${MAX_BODY_BYTES} bytes`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function bearer(header: string | undefined): string | null {
  return header ? (/^Bearer\s+(.+)$/i.exec(header.trim())?.[1] ?? null) : null;
}

function sameText(x: string, y: string): boolean {
  const a = Buffer.from(x);
  const b = Buffer.from(y);
  return a.length === b.length && timingSafeEqual(a, b);
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const given = bearer(header);
  return given !== null && sameText(given, token);
}

const MAX_SESSIONS = 10_000;

/** Logged-in users by token, in memory; the oldest go first past MAX_SESSIONS. */
function createSessions(demoPassword: string | undefined) {
  const sessions = new Map<string, { name: string; loggedInAt: string }>();
  return {
    login(body: unknown): { user: { name: string; token: string } } {
      if (!demoPassword) throw new HttpError(503, 'logging in is disabled: start the shop with SHOP_DEMO_PASSWORD set');
      const { username, password } = (body ?? {}) as { username?: unknown; password?: unknown };
      if (username !== 'demo' || typeof password !== 'string' || !sameText(password, demoPassword)) {
        throw new HttpError(401, 'wrong username or password');
      }
      const token = randomBytes(24).toString('base64url');
      sessions.set(token, { name: 'demo', loggedInAt: new Date().toISOString() });
      if (sessions.size > MAX_SESSIONS) sessions.delete(sessions.keys().next().value!);
      return { user: { name: 'demo', token } };
    },
    me(authorization: string | undefined): { name: string; loggedInAt: string } {
      const token = bearer(authorization);
      const user = token === null ? undefined : sessions.get(token);
      if (!user) {
        throw new HttpError(401, 'log in first (POST /api/login) and send "Authorization: Bearer <token>"', {
          'www-authenticate': 'Bearer realm="shop"',
        });
      }
      return user;
    },
  };
}

/** Builds the shop server (not yet listening). Toggles live in memory and start off. */
export function createShopApp(deps: ShopDeps): http.Server {
  const { pool, redis, adminToken } = deps;
  if (!adminToken) throw new Error('createShopApp: adminToken must be a non-empty string');
  const sessions = createSessions(deps.demoPassword);
  const toggles: ShopToggles = { batchLoading: false, catalogCache: false };
  let catalogInFlight: Promise<string> | null = null;
  const planted = createPlantedDelay();
  const metrics = createShopMetrics(pool);

  async function reviewSummaries(ids: string[]): Promise<Map<string, { reviews: number; rating: number }>> {
    const out = new Map<string, { reviews: number; rating: number }>();
    if (ids.length === 0) return out;
    if (toggles.batchLoading) {
      const { rows } = await pool.query<{ product_id: string; reviews: number; rating: number }>(SQL.reviewSummaryBatch, [ids]);
      for (const r of rows) out.set(String(r.product_id), { reviews: r.reviews, rating: r.rating });
    } else {
      // Bottleneck 2, on purpose: one round trip per product, one after the other.
      for (const id of ids) {
        const { rows } = await pool.query<{ reviews: number; rating: number }>(SQL.reviewSummaryOne, [id]);
        out.set(id, { reviews: rows[0].reviews, rating: rows[0].rating });
      }
    }
    return out;
  }

  async function listProducts(url: URL): Promise<unknown> {
    const category = parseNonNegativeInt(url.searchParams.get('category'), 'query parameter "category"', INT4_MAX);
    const pageRaw = url.searchParams.get('page');
    const page = pageRaw === null || pageRaw === '' ? 0 : parseNonNegativeInt(pageRaw, 'query parameter "page"', 1_000_000);
    // Bottleneck 1, on purpose: no index serves (category_id, created_at).
    const { rows } = await pool.query<ProductRow>(SQL.listProducts, [category, page * PAGE_SIZE]);
    const ids = rows.map((r) => String(r.id));
    const summaries = await reviewSummaries(ids);
    const items: ListedProduct[] = rows.map((r) => {
      const s = summaries.get(String(r.id)) ?? { reviews: 0, rating: 0 };
      return {
        id: Number(r.id),
        name: r.name,
        price: Number(r.price),
        createdAt: r.created_at.toISOString(),
        reviews: s.reviews,
        rating: s.rating,
      };
    });
    return { category, page, pageSize: PAGE_SIZE, items };
  }

  async function getProduct(rawId: string): Promise<unknown> {
    const id = parseNonNegativeInt(rawId, 'product id', Number.MAX_SAFE_INTEGER);
    const { rows } = await pool.query<ProductRow & { category_id: number; stock: number }>(SQL.productById, [id]);
    if (rows.length === 0) throw new HttpError(404, `product ${id} not found`);
    const r = rows[0];
    return {
      id: Number(r.id),
      categoryId: r.category_id,
      name: r.name,
      price: Number(r.price),
      stock: r.stock,
      createdAt: r.created_at.toISOString(),
    };
  }

  async function computeCatalog(): Promise<string> {
    // Bottleneck 3, on purpose: aggregates every product on every call.
    const { rows } = await pool.query<{ id: number; name: string; products: number; avg_price: number }>(SQL.catalog);
    return JSON.stringify({
      categories: rows.map((r) => ({ id: r.id, name: r.name, products: r.products, avgPrice: r.avg_price })),
    });
  }

  async function catalog(res: http.ServerResponse): Promise<void> {
    if (!toggles.catalogCache) {
      send(res, 200, await computeCatalog(), { 'x-cache': 'off' });
      return;
    }
    // While Redis is down or still connecting, serve from the database rather than queue behind it.
    const redisReady = redis.status === 'ready';
    try {
      const cached = redisReady ? await redis.get(CATALOG_CACHE_KEY) : null;
      if (cached !== null) {
        send(res, 200, cached, { 'x-cache': 'hit' });
        return;
      }
    } catch (err) {
      console.error(`[shop] redis GET ${CATALOG_CACHE_KEY} failed, serving from the database: ${(err as Error).message}`);
    }
    // One computation per process at a time on a miss, so a burst of misses does not stampede.
    if (!catalogInFlight) {
      catalogInFlight = (async () => {
        const body = await computeCatalog();
        if (toggles.catalogCache && redis.status === 'ready') {
          await redis.setex(CATALOG_CACHE_KEY, CATALOG_TTL_SECONDS, body).catch((err: Error) => {
            console.error(`[shop] redis SETEX ${CATALOG_CACHE_KEY} failed: ${err.message}`);
          });
        }
        return body;
      })().finally(() => {
        catalogInFlight = null;
      });
    }
    send(res, 200, await catalogInFlight, { 'x-cache': 'miss' });
  }

  function requireAdmin(req: http.IncomingMessage): void {
    if (!tokenMatches(req.headers.authorization, adminToken)) {
      throw new HttpError(401, 'missing or wrong admin token: send "Authorization: Bearer <token>"', {
        'www-authenticate': 'Bearer realm="shop-admin"',
      });
    }
  }

  async function readJson(req: http.IncomingMessage, example: string): Promise<unknown> {
    try {
      return JSON.parse(await readBody(req));
    } catch (err) {
      if (err instanceof HttpError) throw err;
      throw new HttpError(400, `body must be JSON such as ${example}`);
    }
  }

  async function setToggle(req: http.IncomingMessage, name: string): Promise<unknown> {
    if (!Object.prototype.hasOwnProperty.call(toggles, name)) {
      throw new HttpError(400, `unknown toggle "${name}"; known toggles: ${Object.keys(toggles).join(', ')}`);
    }
    const key = name as keyof ShopToggles;
    const body = await readJson(req, '{"value": true}');
    if (typeof body !== 'object' || body === null || !('value' in body)) {
      throw new HttpError(400, 'body must be JSON such as {"value": true}');
    }
    const value = (body as { value: unknown }).value;
    if (typeof value !== 'boolean') {
      throw new HttpError(400, `toggle "${name}" takes a boolean value (got ${JSON.stringify(value)})`);
    }
    const previous = toggles[key];
    toggles[key] = value;
    if (key === 'catalogCache' && !value) {
      await redis.del(CATALOG_CACHE_KEY).catch((err: Error) => {
        console.error(`[shop] redis DEL ${CATALOG_CACHE_KEY} failed: ${err.message}`);
      });
    }
    if (previous !== value) console.log(`[shop] toggle ${name}: ${previous} -> ${value}`);
    return { name, value, previous };
  }

  async function route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://shop.local');
    const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
    const method = req.method ?? 'GET';
    const only = (...allowed: string[]): void => {
      if (!allowed.includes(method)) {
        throw new HttpError(405, `method ${method} not allowed on ${path}; use ${allowed.join(' or ')}`, {
          allow: allowed.join(', '),
        });
      }
    };

    if (path === '/health') {
      only('GET', 'HEAD');
      return send(res, 200, { ok: true });
    }
    if (path === '/metrics') {
      only('GET');
      const text = await metrics.text();
      res.writeHead(200, { 'content-type': metrics.contentType, 'content-length': Buffer.byteLength(text) });
      res.end(text);
      return;
    }
    if (path === '/products') {
      only('GET');
      return send(res, 200, await listProducts(url));
    }
    const productMatch = /^\/products\/([^/]+)$/.exec(path);
    if (productMatch) {
      only('GET');
      return send(res, 200, await getProduct(decodeURIComponent(productMatch[1])));
    }
    if (path === '/catalog') {
      only('GET');
      return catalog(res);
    }
    if (path === '/api/login') {
      only('POST');
      const { user } = sessions.login(await readJson(req, '{"username": "demo", "password": "..."}'));
      return send(res, 200, { user }, { 'set-cookie': `sid=${user.token}; Path=/; HttpOnly; SameSite=Strict` });
    }
    if (path === '/api/me') {
      only('GET');
      return send(res, 200, sessions.me(req.headers.authorization));
    }
    if (path === '/admin/toggles') {
      only('GET');
      requireAdmin(req);
      return send(res, 200, { ...toggles });
    }
    const toggleMatch = /^\/admin\/toggles\/([^/]+)$/.exec(path);
    if (toggleMatch) {
      only('PUT');
      requireAdmin(req);
      return send(res, 200, await setToggle(req, decodeURIComponent(toggleMatch[1])));
    }
    if (path === '/admin/planted-delay') {
      only('GET', 'PUT');
      requireAdmin(req);
      const parsed = method === 'GET' ? null : parsePlantedDelayBody(await readJson(req, '{"us": 25}'));
      if (!parsed) return send(res, 200, planted.state());
      if ('error' in parsed) throw new HttpError(400, `planted delay: ${parsed.error}`);
      return send(res, 200, planted.set(parsed.us));
    }
    throw new HttpError(404, `no route for ${method} ${path}`);
  }

  const server = http.createServer((req, res) => {
    metrics.track(req.method ?? 'GET', req.url ?? '/', res);
    planted.hold(res);
    route(req, res).catch((err: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (err instanceof HttpError) {
        send(res, err.status, { error: err.message }, err.headers);
        return;
      }
      if (err instanceof URIError) {
        send(res, 400, { error: 'malformed percent-encoding in the URL' });
        return;
      }
      console.error(`[shop] ${req.method} ${req.url} failed: ${(err as Error)?.stack ?? String(err)}`);
      send(res, 500, { error: 'internal error (see the server log)' });
    });
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Type: application/json\r\n\r\n{"error":"bad request"}');
  });
  return server;
}
