// The demo shop for the gate bench: its own database (seeded, then put in its fast state: the index the
// analyzer proposes for GET /products, both toggles on) served by a child process, so the shop's event
// loop is not the load generator's; and the planted-delay switch.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Pool } from 'pg';
import YAML from 'yaml';
import { parseTargetProfile, type TargetProfile } from '../../common/profile';
import { ensureDatabase, seedShop } from '../../demo/seed';
import type { PlantedDelayStats } from '../../demo/server/planted-delay';

const ROOT = join(__dirname, '../..');
export const FAST_INDEX_SQL = 'CREATE INDEX IF NOT EXISTS bench_gate_products_category_created ON products (category_id, created_at DESC)';

export interface BenchShop {
  baseUrl: string;
  profile: TargetProfile;
  seedSeconds: number;
  setPlantedDelay(us: number): Promise<PlantedDelayStats>; // the stats of the period that ended
  close(): Promise<void>;
}

async function seed(adminUrl: string, database: string, products: number): Promise<{ url: string; seconds: number }> {
  const url = await ensureDatabase(adminUrl, database);
  const pool = new Pool({ connectionString: url, max: 2 });
  try {
    const r = await seedShop(pool, { products });
    await pool.query(FAST_INDEX_SQL);
    await pool.query('ANALYZE products');
    return { url, seconds: r.seconds };
  } finally {
    await pool.end();
  }
}

function startChild(env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; baseUrl: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'demo/server/main.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the shop did not start within 30 s:\n${log}`)), 30_000);
    child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
    child.stdout?.on('data', (d: Buffer) => {
      log += d.toString();
      const m = /shop listening on (http:\/\/\S+)/.exec(log);
      if (m) {
        clearTimeout(timer);
        resolve({ child, baseUrl: m[1] });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the shop exited (code ${code}) before listening:\n${log}`));
    });
  });
}

/** shop.yaml pointed at the child, without the logged-in endpoint (no setup step: each block starts cold-free). */
function profileFor(baseUrl: string, products: number): TargetProfile {
  const raw = YAML.parse(readFileSync(join(ROOT, 'demo/targets/shop.yaml'), 'utf8'));
  raw.http.baseUrl = baseUrl;
  delete raw.http.setup;
  raw.http.endpoints = raw.http.endpoints
    .filter((e: { name: string }) => e.name !== 'me')
    .map((e: { path: string }) => ({ ...e, path: e.path.replace('{{int:1:200000}}', `{{int:1:${products}}}`) }));
  raw.process = { port: Number(new URL(baseUrl).port) };
  return parseTargetProfile(raw, 'bench:gate shop profile');
}

async function admin(baseUrl: string, token: string, method: string, path: string, body: unknown): Promise<unknown> {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text}`);
  return JSON.parse(text);
}

export async function startBenchShop(opts: { adminUrl: string; database: string; products: number }): Promise<BenchShop> {
  const { url, seconds } = await seed(opts.adminUrl, opts.database, opts.products);
  const token = `bench-gate-${process.pid}`;
  const env = {
    ...process.env,
    SHOP_DATABASE_URL: url,
    SHOP_ADMIN_TOKEN: token,
    SHOP_PORT: '0',
    SHOP_REDIS_URL: 'redis://127.0.0.1:6379/14',
  };
  const { child, baseUrl } = await startChild(env);
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 6_000))]);
    if (child.exitCode === null) child.kill('SIGKILL');
  };
  try {
    for (const name of ['batchLoading', 'catalogCache']) await admin(baseUrl, token, 'PUT', `/admin/toggles/${name}`, { value: true });
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    baseUrl,
    profile: profileFor(baseUrl, opts.products),
    seedSeconds: seconds,
    async setPlantedDelay(us) {
      const r = (await admin(baseUrl, token, 'PUT', '/admin/planted-delay', { us })) as { since: PlantedDelayStats };
      return r.since;
    },
    close: stop,
  };
}
