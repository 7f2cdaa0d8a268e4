// Redis profile of the target over a window: a snapshot of cumulative counters before the load,
// a second read after it, and the difference. Figures are server-wide (INFO is not per DB).
// Nothing here logs or returns stored values: slowlog commands are truncated (and secrets redacted).
import type Redis from 'ioredis';
import type { TargetProfile } from '../../common/profile';
import type { CacheProfile } from '../../common/types';
import type { ActivityDeps } from '../deps';
import { infoNumber, parseRedisInfo, type RedisInfo } from '../redis/info';
import { round } from '../../common/round';

/** Cumulative counters at one instant; small and JSON-safe (it travels through workflow history). */
export interface CacheSnapshot {
  available: boolean;
  problem?: string; // why the snapshot could not be taken (available false)
  keyspaceHits: number;
  keyspaceMisses: number;
  evictedKeys: number;
  lastSlowlogId: number; // highest SLOWLOG id, -1 when the slowlog is empty
  totalCommandsProcessed: number;
  timeMs: number; // worker clock, epoch ms
  runId?: string; // Redis run_id: a different one after the window means Redis restarted
}

export const REDIS_TIMEOUT_MS = 5_000;
export const SLOWLOG_MAX_ENTRIES = 10;
export const SLOWLOG_COMMAND_MAX_CHARS = 120;
const SLOWLOG_FETCH = 1_000;

const START_REDIS = (port: string) =>
  `redis-server --daemonize yes --bind 127.0.0.1 -::1 --port ${port} --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log`;

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

async function ensureConnected(client: Redis): Promise<void> {
  if (client.status !== 'wait' && client.status !== 'end') return;
  try {
    await withTimeout(client.connect(), REDIS_TIMEOUT_MS, 'connecting to Redis');
  } catch (err) {
    // Another activity of this worker may have started connecting the shared client first.
    if (/already connecting|already connected/i.test((err as Error).message)) return;
    throw err;
  }
}

/** host:port of the Redis URL, without user or password. */
function redisAddress(url: string): { host: string; port: string } {
  try {
    const u = new URL(url);
    return { host: u.hostname || '127.0.0.1', port: u.port || '6379' };
  } catch {
    return { host: '(unparseable url)', port: '6379' };
  }
}

function unavailableProblem(target: TargetProfile, url: string, err: unknown): string {
  const { host, port } = redisAddress(url);
  const local = ['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host);
  const reason = err instanceof Error ? err.message : String(err);
  return (
    `Redis of target ${target.name} at ${host}:${port} does not answer (${reason}). ` +
    (local ? `Start it with: ${START_REDIS(port)}` : `Check that Redis runs there; on that host start it with: ${START_REDIS(port)}`)
  );
}

const REDACT_ALL_ARGS = new Set(['AUTH', 'HELLO', 'MIGRATE', 'ACL']);

/** A slowlog entry's argv as one line: secrets redacted, each argument shortened, at most 120 chars. */
export function formatSlowlogCommand(args: unknown[]): string {
  const parts = args.map((a) => (Buffer.isBuffer(a) ? a.toString('utf8') : String(a)));
  if (parts.length === 0) return '';
  const name = parts[0].toUpperCase();
  parts[0] = name; // clients send either case; the analyzer groups by the upper-case name
  let shown: string[];
  if (REDACT_ALL_ARGS.has(name)) shown = [parts[0], '(redacted)'];
  else if (name === 'CONFIG' && parts[1]?.toUpperCase() === 'SET' && /pass|auth|tls/i.test(parts[2] ?? '')) {
    shown = parts.slice(0, 3).concat('(redacted)');
  } else shown = parts.map((p) => (p.length > 40 ? `${p.slice(0, 37)}...` : p));
  const line = shown.join(' ').replace(/[\r\n\t]+/g, ' ');
  return line.length > SLOWLOG_COMMAND_MAX_CHARS ? `${line.slice(0, SLOWLOG_COMMAND_MAX_CHARS - 3)}...` : line;
}

interface SlowlogEntry {
  id: number;
  durationUs: number;
  command: string;
}

function parseSlowlog(reply: unknown): SlowlogEntry[] {
  if (!Array.isArray(reply)) return [];
  const out: SlowlogEntry[] = [];
  for (const e of reply) {
    if (!Array.isArray(e) || e.length < 4) continue;
    out.push({ id: Number(e[0]), durationUs: Number(e[2]), command: formatSlowlogCommand(Array.isArray(e[3]) ? e[3] : []) });
  }
  return out;
}

function emptySnapshot(problem: string): CacheSnapshot {
  return {
    available: false,
    problem,
    keyspaceHits: 0,
    keyspaceMisses: 0,
    evictedKeys: 0,
    lastSlowlogId: -1,
    totalCommandsProcessed: 0,
    timeMs: Date.now(),
  };
}

function snapshotFrom(stats: RedisInfo, server: RedisInfo, slowlog: SlowlogEntry[], timeMs: number): CacheSnapshot {
  return {
    available: true,
    keyspaceHits: infoNumber(stats, 'keyspace_hits'),
    keyspaceMisses: infoNumber(stats, 'keyspace_misses'),
    evictedKeys: infoNumber(stats, 'evicted_keys'),
    lastSlowlogId: slowlog.reduce((m, e) => Math.max(m, e.id), -1),
    totalCommandsProcessed: infoNumber(stats, 'total_commands_processed'),
    timeMs,
    runId: server.run_id || undefined,
  };
}

function emptyProfile(problems: string[]): CacheProfile {
  return {
    available: false,
    problems,
    hits: 0,
    misses: 0,
    hitRatioPct: null,
    evictions: 0,
    usedMemoryMb: 0,
    maxMemoryMb: null,
    maxMemoryPolicy: 'unknown',
    slowlog: [],
    opsPerSec: 0,
  };
}

/** Difference of a cumulative counter; a counter that went down was reset (CONFIG RESETSTAT, restart). */
function delta(after: number, before: number, reset: boolean): number {
  return reset || after < before ? after : after - before;
}

/**
 * The window's figures from the snapshot before it and the parsed INFO stats/memory/server and raw
 * `SLOWLOG GET` reply after it. Pure (unit-tested in test/unit/cache-profile-diff.test.ts).
 */
export function diffCacheProfile(
  before: CacheSnapshot,
  now: { stats: RedisInfo; memory: RedisInfo; server: RedisInfo; slowlog: unknown; timeMs: number },
): CacheProfile {
  const { stats, memory, server, timeMs } = now;
  const slowlog = parseSlowlog(now.slowlog);
  const problems: string[] = [];
  const after = snapshotFrom(stats, server, slowlog, timeMs);
  let reset = false;
  let sinceMs = timeMs - before.timeMs;
  if (!before.available) {
    reset = true;
    sinceMs = infoNumber(server, 'uptime_in_seconds') * 1000;
    problems.push(`no snapshot before the window (${before.problem ?? 'Redis did not answer'}); figures are totals since Redis started`);
  } else if (before.runId && after.runId && before.runId !== after.runId) {
    reset = true;
    sinceMs = Math.min(sinceMs, infoNumber(server, 'uptime_in_seconds') * 1000);
    problems.push('Redis restarted during the window (run_id changed); figures cover the time since the restart only');
  }

  const hits = delta(after.keyspaceHits, before.keyspaceHits, reset);
  const misses = delta(after.keyspaceMisses, before.keyspaceMisses, reset);
  const evictions = delta(after.evictedKeys, before.evictedKeys, reset);
  const commands = delta(after.totalCommandsProcessed, before.totalCommandsProcessed, reset);
  const lookups = hits + misses;
  const maxmemory = infoNumber(memory, 'maxmemory');
  const newer = slowlog
    .filter((e) => reset || e.id > before.lastSlowlogId)
    .sort((a, b) => b.durationUs - a.durationUs || b.id - a.id)
    .slice(0, SLOWLOG_MAX_ENTRIES);

  return {
    available: true,
    problems,
    hits,
    misses,
    hitRatioPct: lookups === 0 ? null : round((hits / lookups) * 100, 2),
    evictions,
    usedMemoryMb: round(infoNumber(memory, 'used_memory') / (1024 * 1024), 2),
    maxMemoryMb: maxmemory > 0 ? round(maxmemory / (1024 * 1024), 2) : null,
    maxMemoryPolicy: memory.maxmemory_policy || 'unknown',
    slowlog: newer,
    opsPerSec: sinceMs > 0 ? round(commands / (sinceMs / 1000), 2) : 0,
  };
}

export function createCacheProfileActivities(deps: ActivityDeps) {
  /** Resolves the client, or an explanation when the target has no Redis. Missing secrets throw (bad input). */
  function clientFor(target: TargetProfile): { client: Redis; url: string } | { problem: string } {
    if (!target.redis) {
      return { problem: `target ${target.name} has no redis section; add redis.urlEnv to the profile to profile its cache` };
    }
    const url = deps.connections.resolveSecret(target, target.redis.urlEnv, `redis of target ${target.name}`);
    return { client: deps.connections.cache(target), url };
  }

  return {
    async captureCacheSnapshot(req: { target: TargetProfile }): Promise<CacheSnapshot> {
      const c = clientFor(req.target);
      if ('problem' in c) return emptySnapshot(c.problem);
      try {
        await ensureConnected(c.client);
        const [slowlogReply, serverText, statsText] = await withTimeout(
          Promise.all([c.client.call('SLOWLOG', 'GET', '1'), c.client.info('server'), c.client.info('stats')]),
          REDIS_TIMEOUT_MS,
          'reading Redis INFO/SLOWLOG',
        );
        return snapshotFrom(parseRedisInfo(statsText), parseRedisInfo(serverText), parseSlowlog(slowlogReply), Date.now());
      } catch (err) {
        return emptySnapshot(unavailableProblem(req.target, c.url, err));
      }
    },

    async profileCache(req: { target: TargetProfile; before: CacheSnapshot }): Promise<CacheProfile> {
      const c = clientFor(req.target);
      if ('problem' in c) return emptyProfile([c.problem]);
      let stats: RedisInfo, memory: RedisInfo, server: RedisInfo, slowlog: unknown;
      const timeMs = Date.now();
      try {
        await ensureConnected(c.client);
        const [statsText, memoryText, serverText, slowlogReply] = await withTimeout(
          Promise.all([
            c.client.info('stats'),
            c.client.info('memory'),
            c.client.info('server'),
            c.client.call('SLOWLOG', 'GET', String(SLOWLOG_FETCH)),
          ]),
          REDIS_TIMEOUT_MS,
          'reading Redis INFO/SLOWLOG',
        );
        stats = parseRedisInfo(statsText);
        memory = parseRedisInfo(memoryText);
        server = parseRedisInfo(serverText);
        slowlog = slowlogReply;
      } catch (err) {
        return emptyProfile([unavailableProblem(req.target, c.url, err)]);
      }

      return diffCacheProfile(req.before, { stats, memory, server, slowlog, timeMs });
    },
  };
}
