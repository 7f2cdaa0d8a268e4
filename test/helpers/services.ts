// Real services for integration tests. A missing service fails the test with the command to fix it.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { Client, Pool } from 'pg';
import Redis from 'ioredis';

export const PG_ADMIN_URL = process.env.PERF_TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.PERF_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/15';

function pgUrl(database: string): string {
  const u = new URL(PG_ADMIN_URL);
  u.pathname = `/${database}`;
  return u.toString();
}

async function adminClient(): Promise<Client> {
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
  return admin;
}

const CHECKOUT = join(__dirname, '../..');
const checkoutTag = (checkout: string) => createHash('sha256').update(checkout).digest('hex').slice(0, 8);

/**
 * `<base>_<checkout hash>_<pid>`: two checkouts, or two runs of one, testing at once never share a
 * database. `base` is at most 46 characters: with the 8-character hash and a pid of up to 7 digits
 * (Linux's maximum, 4194304) the name fits PostgreSQL's 63-byte identifiers.
 */
export function runDatabaseName(base: string, checkout = CHECKOUT, pid = process.pid): string {
  if (!/^[a-z_][a-z0-9_]{0,45}$/.test(base)) {
    throw new Error(`runDatabaseName: "${base}" must be lower-case letters, digits and _, at most 46 characters`);
  }
  return `${base}_${checkoutTag(checkout)}_${pid}`;
}

/** A fresh database of this run (runDatabaseName), after dropping this checkout's ones whose test process is gone. */
export async function runDatabase(base: string): Promise<{ name: string; url: string; drop: () => Promise<void> }> {
  const name = runDatabaseName(base);
  const prefix = `${base}_${checkoutTag(CHECKOUT)}_`;
  const admin = await adminClient();
  try {
    const { rows } = await admin.query<{ datname: string }>('SELECT datname FROM pg_database WHERE starts_with(datname, $1)', [prefix]);
    for (const { datname } of rows) {
      const pid = Number(datname.slice(prefix.length));
      if (Number.isInteger(pid) && pid !== process.pid && !processAlive(pid)) await dropDatabase(admin, datname);
    }
  } finally {
    await admin.end();
  }
  return { name, url: await testDatabase(name), drop: () => dropIfUnused(name) };
}

/**
 * The end of a test file: drops its database unless a session is still on it. Never WITH (FORCE): a
 * connection this process still holds (a pool ending, a client an activity let go late) would be
 * terminated under it and fail the file with an uncaught "terminating connection"; a database left
 * behind is dropped by the next run's runDatabase, once this process is gone.
 */
async function dropIfUnused(name: string): Promise<void> {
  const admin = await adminClient();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${name}"`);
  } catch (err) {
    if ((err as { code?: string }).code !== '55006') throw err; // object_in_use: left for the next run
  } finally {
    await admin.end();
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const dropDatabase = (admin: Client, name: string) => admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);

/** Drops a test database, ending any session still on it. */
export async function dropTestDatabase(name: string): Promise<void> {
  const admin = await adminClient();
  try {
    await dropDatabase(admin, name);
  } finally {
    await admin.end();
  }
}

/** Creates (if needed) and returns the URL of a test database. */
export async function testDatabase(name: string): Promise<string> {
  const admin = await adminClient();
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
