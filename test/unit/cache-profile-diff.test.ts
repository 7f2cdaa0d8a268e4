import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diffCacheProfile, formatSlowlogCommand, type CacheSnapshot } from '../../activities/profiling/cache';
import { parseRedisInfo } from '../../activities/redis/info';

const snap = (over: Partial<CacheSnapshot> = {}): CacheSnapshot => ({
  available: true,
  keyspaceHits: 100,
  keyspaceMisses: 50,
  evictedKeys: 3,
  lastSlowlogId: 10,
  totalCommandsProcessed: 1000,
  timeMs: 1_000_000,
  runId: 'run-a',
  ...over,
});

const info = (o: Record<string, string | number>) =>
  parseRedisInfo(
    Object.entries(o)
      .map(([k, v]) => `${k}:${v}`)
      .join('\r\n'),
  );

function now(over: { stats?: object; memory?: object; server?: object; slowlog?: unknown; timeMs?: number } = {}) {
  return {
    stats: info({ keyspace_hits: 190, keyspace_misses: 60, evicted_keys: 3, total_commands_processed: 3000, ...over.stats }),
    memory: info({ used_memory: 10 * 1024 * 1024, maxmemory: 0, maxmemory_policy: 'noeviction', ...over.memory }),
    server: info({ run_id: 'run-a', uptime_in_seconds: 500, ...over.server }),
    slowlog: over.slowlog ?? [],
    timeMs: over.timeMs ?? 1_010_000,
  };
}

const entry = (id: number, us: number, args: string[]) => [id, 1700000000, us, args, '127.0.0.1:5000', ''];

test('counters are diffed over the window; ratio and ops/s computed', () => {
  const p = diffCacheProfile(snap(), now());
  assert.equal(p.available, true);
  assert.deepEqual(p.problems, []);
  assert.equal(p.hits, 90);
  assert.equal(p.misses, 10);
  assert.equal(p.hitRatioPct, 90);
  assert.equal(p.evictions, 0);
  assert.equal(p.opsPerSec, 200); // 2000 commands in 10 s
  assert.equal(p.usedMemoryMb, 10);
  assert.equal(p.maxMemoryMb, null);
  assert.equal(p.maxMemoryPolicy, 'noeviction');
});

test('no lookups -> null hit ratio; maxmemory set -> MB', () => {
  const p = diffCacheProfile(
    snap(),
    now({ stats: { keyspace_hits: 100, keyspace_misses: 50 }, memory: { maxmemory: 64 * 1024 * 1024, maxmemory_policy: 'allkeys-lru' } }),
  );
  assert.equal(p.hitRatioPct, null);
  assert.equal(p.maxMemoryMb, 64);
  assert.equal(p.maxMemoryPolicy, 'allkeys-lru');
});

test('slowlog: only entries newer than the before id, slowest first, at most 10', () => {
  const slowlog = [entry(9, 99_999, ['KEYS', '*']), entry(10, 88_888, ['KEYS', '*'])];
  for (let id = 11; id <= 25; id++) slowlog.push(entry(id, id * 100, ['GET', `k${id}`]));
  const p = diffCacheProfile(snap(), now({ slowlog }));
  assert.equal(p.slowlog.length, 10);
  assert.ok(p.slowlog.every((e) => e.id > 10));
  assert.deepEqual(p.slowlog[0], { id: 25, durationUs: 2500, command: 'GET k25' });
  assert.equal(p.slowlog[9].id, 16);
});

test('a restart (run_id changed) or reset counters never give negative figures', () => {
  const restarted = diffCacheProfile(
    snap(),
    now({
      server: { run_id: 'run-b', uptime_in_seconds: 4 },
      stats: { keyspace_hits: 5, keyspace_misses: 5, total_commands_processed: 40 },
      slowlog: [entry(0, 2000, ['GET', 'x'])],
    }),
  );
  assert.equal(restarted.hits, 5);
  assert.equal(restarted.misses, 5);
  assert.equal(restarted.opsPerSec, 10); // 40 commands in the 4 s since the restart
  assert.equal(restarted.slowlog.length, 1);
  assert.match(restarted.problems[0], /restarted/);

  const reset = diffCacheProfile(snap(), now({ stats: { keyspace_hits: 7, keyspace_misses: 1, total_commands_processed: 3000 } }));
  assert.equal(reset.hits, 7);
  assert.equal(reset.misses, 1);
});

test('no snapshot before the window -> totals since start with a problem', () => {
  const p = diffCacheProfile(snap({ available: false, problem: 'Redis did not answer' }), now());
  assert.equal(p.hits, 190);
  assert.equal(p.opsPerSec, 6); // 3000 commands over 500 s uptime
  assert.match(p.problems[0], /no snapshot before the window/);
});

test('formatSlowlogCommand: upper-case name, shortened args, 120 chars max, secrets redacted', () => {
  assert.equal(formatSlowlogCommand(['get', 'k1']), 'GET k1');
  const long = formatSlowlogCommand(['set', 'key', 'v'.repeat(500)]);
  assert.ok(long.length <= 120);
  assert.ok(!long.includes('v'.repeat(41)));
  const many = formatSlowlogCommand(['mset', ...Array.from({ length: 50 }, (_, i) => `key${i}`)]);
  assert.equal(many.length, 120);
  assert.ok(many.endsWith('...'));
  assert.equal(formatSlowlogCommand(['auth', 'user', 'hunter2']), 'AUTH (redacted)');
  assert.equal(formatSlowlogCommand(['config', 'set', 'requirepass', 'hunter2']), 'CONFIG set requirepass (redacted)');
  assert.equal(formatSlowlogCommand([Buffer.from('get'), Buffer.from('k\n2')]), 'GET k 2');
  assert.equal(formatSlowlogCommand([]), '');
});
