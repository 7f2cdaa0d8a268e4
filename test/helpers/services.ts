// Real services for integration tests. A missing service fails the test with the command to fix it.
import { Client, Pool } from 'pg';
import Redis from 'ioredis';

export const PG_ADMIN_URL = process.env.PERF_TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.PERF_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/15';

function pgUrl(database: string): string {
  const u = new URL(PG_ADMIN_URL);
  u.pathname = `/${database}`;
  return u.toString();
}

/** Creates (if needed) and returns the URL of a test database. */
export async function testDatabase(name: string): Promise<string> {
  const admin = new Client({ connectionString: PG_ADMIN_URL });
  try {
    await admin.connect();
  } catch (err) {
    throw new Error(
      `PostgreSQL does not answer at ${PG_ADMIN_URL} (${(err as Error).message}). Start it with: ` +
        'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start',
      { cause: err },
    );
  }
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  return pgUrl(name);
}

export async function testPool(name: string): Promise<Pool> {
  return new Pool({ connectionString: await testDatabase(name), max: 4 });
}

export async function testRedis(): Promise<Redis> {
  const r = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  r.on('error', () => undefined);
  try {
    await r.connect();
    await r.ping();
  } catch (err) {
    r.disconnect();
    throw new Error(
      `Redis does not answer at ${REDIS_URL} (${(err as Error).message}). Start it with: ` +
        'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log',
      { cause: err },
    );
  }
  return r;
}
