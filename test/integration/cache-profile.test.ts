// Cache profile against the real Redis (DB 15). INFO figures are server-wide, so other clients of
// the same Redis may add to them: counts are checked as lower bounds.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type Redis from 'ioredis';
import type { Pool } from 'pg';
import { REDIS_URL, testRedis } from '../helpers/services';
import { TargetConnections } from '../../activities/connections';
import { createCacheProfileActivities } from '../../activities/profiling/cache';
import { parseTargetProfile, type TargetProfile } from '../../common/profile';

const PREFIX = 'perf-test:cache-profile:';

function target(urlEnv?: string): TargetProfile {
  return parseTargetProfile({
    name: 'cache-it',
    http: { baseUrl: 'http://127.0.0.1:3999', endpoints: [{ name: 'a', path: '/a' }] },
    ...(urlEnv ? { redis: { urlEnv } } : {}),
    targets: { p95Ms: 50, p99Ms: 100, throughputRps: 10 },
  });
}

let redis: Redis;
const conns: TargetConnections[] = [];
function activities(env: NodeJS.ProcessEnv) {
  const connections = new TargetConnections(env);
  conns.push(connections);
  return createCacheProfileActivities({ store: undefined as unknown as Pool, connections, policy: connections.policy });
}

async function cleanup() {
  const keys = await redis.keys(`${PREFIX}*`);
  for (let i = 0; i < keys.length; i += 500) await redis.unlink(...keys.slice(i, i + 500));
}

before(async () => {
  redis = await testRedis();
  await cleanup();
  const pipe = redis.pipeline();
  for (let i = 0; i < 3000; i++) pipe.set(`${PREFIX}k${i}`, `v${i}`);
  await pipe.exec();
});

after(async () => {
  await cleanup();
  await redis.quit();
  await Promise.all(conns.map((c) => c.close()));
});

test('snapshot, hits/misses and a slow command are diffed over the window', async () => {
  const acts = activities({ CACHE_IT_REDIS_URL: REDIS_URL });
  const t = target('CACHE_IT_REDIS_URL');
  const snap = await acts.captureCacheSnapshot({ target: t });
  assert.equal(snap.available, true, snap.problem);
  assert.ok(snap.timeMs > 0 && snap.keyspaceHits >= 0 && snap.totalCommandsProcessed > 0);
  assert.equal(typeof snap.lastSlowlogId, 'number');
  assert.ok(snap.runId);
  // JSON-safe and small
  assert.deepEqual(JSON.parse(JSON.stringify(snap)), snap);

  for (let i = 0; i < 30; i++) assert.equal(await redis.get(`${PREFIX}k${i}`), `v${i}`);
  for (let i = 0; i < 20; i++) assert.equal(await redis.get(`${PREFIX}missing${i}`), null);

  const [, previous] = (await redis.config('GET', 'slowlog-log-slower-than')) as string[];
  try {
    await redis.config('SET', 'slowlog-log-slower-than', '0');
    const keys = await redis.keys(`${PREFIX}*`);
    assert.ok(keys.length >= 3000);
    await redis.set(`${PREFIX}secret`, 'S'.repeat(600));
  } finally {
    await redis.config('SET', 'slowlog-log-slower-than', previous);
  }
  assert.equal(((await redis.config('GET', 'slowlog-log-slower-than')) as string[])[1], previous);
  await new Promise((r) => setTimeout(r, 50));

  const p = await acts.profileCache({ target: t, before: snap });
  assert.equal(p.available, true, p.problems.join('; '));
  assert.deepEqual(p.problems, []);
  assert.ok(p.hits >= 30, `hits ${p.hits}`);
  assert.ok(p.misses >= 20, `misses ${p.misses}`);
  assert.ok(p.hitRatioPct !== null && p.hitRatioPct > 0 && p.hitRatioPct < 100);
  assert.ok(p.evictions >= 0);
  assert.ok(p.usedMemoryMb > 0);
  assert.ok(p.maxMemoryPolicy.length > 0 && p.maxMemoryPolicy !== 'unknown');
  assert.ok(p.opsPerSec > 0);
  assert.ok(p.slowlog.length >= 1 && p.slowlog.length <= 10, `slowlog ${p.slowlog.length}`);
  for (const e of p.slowlog) {
    assert.ok(e.id > snap.lastSlowlogId);
    assert.ok(e.command.length <= 120);
    assert.ok(e.durationUs >= 0);
    assert.ok(!e.command.includes('S'.repeat(41)), 'values are shortened');
  }
  assert.ok(
    p.slowlog.some((e) => e.command === `KEYS ${PREFIX}*`),
    JSON.stringify(p.slowlog),
  );
  // sorted slowest first
  for (let i = 1; i < p.slowlog.length; i++) assert.ok(p.slowlog[i - 1].durationUs >= p.slowlog[i].durationUs);
});

test('counters that went down count as reset; slowlog entries up to the before id are left out', async () => {
  const acts = activities({ CACHE_IT_REDIS_URL: REDIS_URL });
  const t = target('CACHE_IT_REDIS_URL');
  const snap = await acts.captureCacheSnapshot({ target: t });
  const p = await acts.profileCache({ target: t, before: { ...snap, keyspaceHits: Number.MAX_SAFE_INTEGER } });
  assert.equal(p.available, true);
  // hits went "down" -> treated as reset, so the figure is the server total, never negative
  assert.ok(p.hits >= 0);
  const q = await acts.profileCache({ target: t, before: { ...snap, lastSlowlogId: Number.MAX_SAFE_INTEGER } });
  assert.deepEqual(q.slowlog, []);
});

test('a restart (run_id changed) is reported as a problem', async () => {
  const acts = activities({ CACHE_IT_REDIS_URL: REDIS_URL });
  const t = target('CACHE_IT_REDIS_URL');
  const snap = await acts.captureCacheSnapshot({ target: t });
  const p = await acts.profileCache({ target: t, before: { ...snap, runId: 'another-run' } });
  assert.equal(p.available, true);
  assert.match(p.problems.join('\n'), /restarted/);
});

test('Redis that does not answer -> available false naming the command to start it', async () => {
  const acts = activities({ CACHE_IT_REDIS_URL: 'redis://:hunter2@127.0.0.1:1/0' });
  const t = target('CACHE_IT_REDIS_URL');
  const started = Date.now();
  const snap = await acts.captureCacheSnapshot({ target: t });
  assert.equal(snap.available, false);
  const p = await acts.profileCache({ target: t, before: snap });
  assert.equal(p.available, false);
  assert.equal(p.hitRatioPct, null);
  assert.match(p.problems[0], /127\.0\.0\.1:1 does not answer/);
  assert.match(p.problems[0], /redis-server --daemonize yes .*--port 1 /);
  assert.ok(!p.problems[0].includes('hunter2'), 'no password in problems');
  assert.ok(Date.now() - started < 15_000);
});

test('target without a redis section -> available false; missing env var -> MissingSecret', async () => {
  const acts = activities({});
  const p = await acts.profileCache({ target: target(), before: await acts.captureCacheSnapshot({ target: target() }) });
  assert.equal(p.available, false);
  assert.match(p.problems[0], /no redis section/);
  await assert.rejects(acts.captureCacheSnapshot({ target: target('CACHE_IT_UNSET_REDIS_URL') }), /CACHE_IT_UNSET_REDIS_URL is not set/);
});
