// The demo shop, small and on a free port, as a real target for workflow and end-to-end tests.
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Server } from 'node:http';
import type { Pool } from 'pg';
import type Redis from 'ioredis';
import YAML from 'yaml';
import { seedShop } from '../../demo/seed';
import { createShopApp } from '../../demo/server/app';
import { parseTargetProfile, type TargetProfile } from '../../common/profile';
import { testDatabase, testPool, testRedis } from './services';

export interface DemoTarget {
  profile: TargetProfile;
  env: NodeJS.ProcessEnv; // the secrets, as the worker would see them
  baseUrl: string;
  pool: Pool;
  redis: Redis;
  token: string;
  server: Server;
  close(): Promise<void>;
}

export const DEMO_PROFILE_FILE = join(__dirname, '../../demo/targets/shop.yaml');

/** Seeds `database` (small), starts the shop on a free port, returns a profile pointing at it. */
export async function startDemoTarget(
  database: string,
  opts: { products?: number; load?: Partial<TargetProfile['load']> } = {},
): Promise<DemoTarget> {
  const url = await testDatabase(database);
  const pool = await testPool(database);
  await seedShop(pool, { products: opts.products ?? 30_000 });
  const redis = await testRedis();
  await redis.del('shop:catalog');
  const token = `test-token-${process.pid}`;
  const demoPassword = `test-password-${process.pid}`;
  const server: Server = createShopApp({ pool, redis, adminToken: token, demoPassword });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const baseUrl = `http://127.0.0.1:${port}`;
  const raw = YAML.parse(readFileSync(DEMO_PROFILE_FILE, 'utf8'));
  raw.http.baseUrl = baseUrl;
  // No process.inspectorUrl: this in-process shop has no inspector of its own on shop.yaml's port
  // (CPU profiles are tested against a child process in test/integration/cpu-profile.test.ts).
  raw.process = { port };
  // Nor is it scraped by the machine's Prometheus: a test that wants the observability skill starts a
  // Prometheus of its own (test/helpers/prometheus.ts) and names it.
  delete raw.observability;
  // Short per-item A/B blocks: the tests check that it runs, test/integration/ab-validation.test.ts what it finds.
  raw.load = { ...raw.load, concurrency: 4, durationSeconds: 2, warmupSeconds: 0.5, abPairs: 2, abBlockSeconds: 1, ...opts.load };
  // Every approved change in one go: the tests here are about what follows it (staging: orchestration-outcomes).
  raw.actions = { ...raw.actions, stages: 'all-at-once' };
  // A run after another one's changes may meet the targets at baseline: the tests go on past it.
  raw.targets = { ...raw.targets, whenMetAtBaseline: 'continue' };
  raw.http.endpoints = raw.http.endpoints.map((e: { path: string }) => ({
    ...e,
    path: e.path.replace('{{int:1:200000}}', `{{int:1:${opts.products ?? 30_000}}}`),
  }));
  const profile = parseTargetProfile(raw, 'test demo profile');
  return {
    profile,
    env: { SHOP_DATABASE_URL: url, SHOP_REDIS_URL: 'redis://127.0.0.1:6379/15', SHOP_ADMIN_TOKEN: token, SHOP_DEMO_PASSWORD: demoPassword },
    baseUrl,
    pool,
    redis,
    token,
    server,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await pool.end();
      redis.disconnect();
    },
  };
}

/**
 * The profile with `requests` requests per endpoint in its attribution passes (the default is 30, one
 * at a time, before and after): for runs whose test looks at neither pass.
 */
export function fewAttributionRequests(profile: TargetProfile, requests = 5): TargetProfile {
  const attribution = { enabled: true, maxSecondsPerEndpoint: 30, ...profile.load.attribution, requests };
  return { ...profile, load: { ...profile.load, attribution } };
}
