// Entry point of the demo shop: `npm run demo:target` (node --import tsx demo/server/main.ts).
//
// Environment:
//   SHOP_DATABASE_URL  required  PostgreSQL URL of the seeded shop database
//   SHOP_ADMIN_TOKEN   required  Bearer token for /admin/toggles
//   SHOP_DEMO_PASSWORD optional  password of user "demo" at POST /api/login (logging in answers 503 without it)
//   SHOP_REDIS_URL     optional  default redis://127.0.0.1:6379/0
//   SHOP_PORT          optional  default 3100
//   SHOP_HOST          optional  default 127.0.0.1
import { Pool } from 'pg';
import Redis from 'ioredis';
import { createShopApp } from './app';
import { redactUrl } from '../seed';

function fail(message: string): never {
  console.error(`shop: ${message}`);
  process.exit(1);
}

function requiredEnv(name: string, example: string): string {
  const value = process.env[name];
  if (!value) fail(`environment variable ${name} is required (e.g. export ${name}=${example})`);
  return value;
}

async function main(): Promise<void> {
  const databaseUrl = requiredEnv('SHOP_DATABASE_URL', 'postgres://postgres@127.0.0.1:5432/shop_demo');
  const adminToken = requiredEnv('SHOP_ADMIN_TOKEN', 'dev-token');
  const redisUrl = process.env.SHOP_REDIS_URL || 'redis://127.0.0.1:6379/0';
  const host = process.env.SHOP_HOST || '127.0.0.1';
  const portRaw = process.env.SHOP_PORT || '3100';
  const port = Number(portRaw);
  if (!/^\d+$/.test(portRaw) || port < 0 || port > 65535) fail(`SHOP_PORT must be a port number (got "${portRaw}")`);

  const pool = new Pool({ connectionString: databaseUrl, max: 10, application_name: 'shop-demo' });
  pool.on('error', (err) => console.error(`[shop] idle PostgreSQL client error: ${err.message}`));
  try {
    const { rows } = await pool.query<{ ok: boolean }>(`SELECT to_regclass('products') IS NOT NULL AS ok`);
    if (!rows[0].ok) {
      console.warn(
        `[shop] warning: table products is missing in ${redactUrl(databaseUrl)}; seed it with: ` +
          `SHOP_DATABASE_URL=... node --import tsx demo/seed.ts`,
      );
    }
  } catch (err) {
    await pool.end().catch(() => undefined);
    fail(`PostgreSQL does not answer at ${redactUrl(databaseUrl)}: ${(err as Error).message}`);
  }

  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, connectTimeout: 2_000 });
  let lastRedisError = 0;
  redis.on('error', (err: Error) => {
    // ioredis reconnects by itself; log at most every 10 s so a Redis outage does not flood stderr.
    if (Date.now() - lastRedisError > 10_000) console.error(`[shop] redis error (${redactUrl(redisUrl)}): ${err.message}`);
    lastRedisError = Date.now();
  });

  const server = createShopApp({ pool, redis, adminToken, demoPassword: process.env.SHOP_DEMO_PASSWORD || undefined });
  server.keepAliveTimeout = 65_000; // longer than common load balancers and load generators expect
  server.on('error', (err: NodeJS.ErrnoException) => {
    fail(err.code === 'EADDRINUSE' ? `port ${port} on ${host} is already in use (set SHOP_PORT)` : err.message);
  });
  server.listen(port, host, () => {
    const addr = server.address();
    const actualPort = typeof addr === 'object' && addr ? addr.port : port;
    console.log(`shop listening on http://${host}:${actualPort}`);
  });

  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) {
      console.error(`[shop] ${signal} again: exiting now`);
      process.exit(1);
    }
    stopping = true;
    console.log(`[shop] ${signal}: shutting down`);
    const force = setTimeout(() => server.closeAllConnections(), 5_000);
    force.unref();
    server.close(() => {
      clearTimeout(force);
      void Promise.allSettled([pool.end(), redis.quit()]).then(() => {
        console.log('[shop] stopped');
        process.exit(0);
      });
    });
    server.closeIdleConnections();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err) => fail((err as Error).stack ?? String(err)));
