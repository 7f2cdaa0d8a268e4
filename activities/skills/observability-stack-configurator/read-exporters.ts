// The exporters' side of the baseline window: the postgres_exporter and redis_exporter that watch the
// profile's own servers (found by the port each server reports), read over the window the profiler's
// snapshots cover, with the profiler's figures of the same servers beside them. The servers'
// URLs are resolved here, on the worker: only the database name and the ports leave this function.
import { round } from '../../../common/round';
import {
  exporterFor,
  postgresQueries,
  redisQueries,
  PORT_METRICS,
  type ExporterReading,
  type PostgresFigures,
  type ProfiledFigures,
  type RedisFigures,
} from '../../../common/observability/exporters';
import type { ProfilingResult } from '../../../common/stages';
import type { TargetProfile } from '../../../common/profile';
import type { ActivityDeps } from '../../deps';
import { scalarAt, type PrometheusApi } from '../../prometheus/client';

interface Servers {
  postgres: { port: number; datname: string } | null;
  redis: { port: number } | null;
}

/** The ports (and database name) of the profile's servers; a URL that cannot be read leaves its server out, with a note. */
function serversOf(deps: Pick<ActivityDeps, 'connections'>, target: TargetProfile, notes: string[]): Servers {
  const read = <T>(what: string, env: string | undefined, pick: (u: URL) => T): T | null => {
    if (!env) return null;
    try {
      return pick(new URL(deps.connections.resolveSecret(target, env, `${what} of target ${target.name}`)));
    } catch (err) {
      notes.push(`the ${what}'s exporter was not looked for: ${(err as Error).message}`);
      return null;
    }
  };
  return {
    postgres: read('database', target.database?.urlEnv, (u) => ({
      port: Number(u.port || 5432),
      datname: decodeURIComponent(u.pathname.replace(/^\//, '')) || decodeURIComponent(u.username) || 'postgres',
    })),
    redis: read('redis', target.redis?.urlEnv, (u) => ({ port: Number(u.port || 6379) })),
  };
}

/** What the profiler read of the same servers, per second of its window (warm-up included, as its snapshots were). */
export function profiledFigures(p: ProfilingResult): ProfiledFigures {
  const w = p.baseline.window;
  const seconds = w ? (w.endMs - w.startMs) / 1000 : p.baseline.durationSeconds;
  const db = p.database?.available ? p.database : null;
  const cache = p.cache?.available ? p.cache : null;
  return {
    dbTimeMsPerSecond: db && seconds > 0 ? round(db.dbTimeMs / seconds, 2) : null,
    dbTimeMsPerRequest: db && db.windowRequests > 0 ? round(db.dbTimeMs / db.windowRequests, 3) : null,
    cacheHitRatioPct: cache?.hitRatioPct ?? null,
    cacheLookups: cache ? cache.hits + cache.misses : null,
    cacheOpsPerSecond: cache ? cache.opsPerSec : null,
  };
}

/** The range the profiler's snapshots cover (warm-up included), with the service's request rate over it (PromQL). */
export interface ExporterWindow {
  api: PrometheusApi;
  rangeSeconds: number;
  atS: number;
  rateComparable: boolean;
  rpsExpr: string;
}

export async function readExporters(
  deps: Pick<ActivityDeps, 'connections'>,
  target: TargetProfile,
  profiling: ProfilingResult,
  w: ExporterWindow,
  notes: string[],
): Promise<ExporterReading> {
  const servers = serversOf(deps, target, notes);
  const value = (expr: string | null) => scalarAt(w.api, expr, w.atS);
  const rate = (expr: string) => value(w.rateComparable ? expr : null);
  const find = async (kind: keyof typeof PORT_METRICS, port: number) => {
    const samples = await w.api.query(PORT_METRICS[kind], w.atS);
    if (samples.length === 0) return null; // no such exporter at all: the skill's finding says so
    const { match, others } = exporterFor(kind, samples, port);
    if (!match) notes.push(`no scraped ${kind} exporter reports port ${port} (the profile's ${kind} server): its figures are not read`);
    else if (others > 0)
      notes.push(`${others + 1} scraped ${kind} exporters report port ${port}: job ${match.job}, ${match.instance} read`);
    return match;
  };
  const pgAt = servers.postgres && (await find('postgres', servers.postgres.port));
  const redisAt = servers.redis && (await find('redis', servers.redis.port));
  let postgres: PostgresFigures | null = null;
  if (pgAt && servers.postgres) {
    const q = postgresQueries(pgAt, servers.postgres.datname, w.rangeSeconds);
    const [dbS, calls, hit, backends, rps] = await Promise.all([
      rate(q.dbSecondsPerSecond),
      rate(q.statementsPerSecond),
      rate(q.bufferHitRatio),
      value(q.backendsMax),
      rate(w.rpsExpr),
    ]);
    if (w.rateComparable && dbS === null)
      notes.push(
        `the postgres exporter at ${pgAt.instance} exports no pg_stat_statements_seconds_total for ${servers.postgres.datname}: ` +
          'DB time not read (its stat_statements collector, or the custom query of docker/postgres-exporter-queries.yaml, exports it)',
      );
    postgres = {
      ...pgAt,
      datname: servers.postgres.datname,
      dbTimeMsPerSecond: dbS === null ? null : round(dbS * 1000, 2),
      dbTimeMsPerRequest: dbS !== null && rps ? round((dbS * 1000) / rps, 3) : null,
      statementsPerSecond: calls === null ? null : round(calls, 2),
      bufferHitRatioPct: hit === null ? null : round(hit * 100, 2),
      backendsMax: backends,
    };
  }
  let redis: RedisFigures | null = null;
  if (redisAt) {
    const q = redisQueries(redisAt, w.rangeSeconds);
    const [hit, ops, clients, mem] = await Promise.all([rate(q.hitRatio), rate(q.opsPerSecond), value(q.clientsMax), value(q.memoryMbMax)]);
    redis = {
      ...redisAt,
      hitRatioPct: hit === null ? null : round(hit * 100, 2),
      opsPerSecond: ops === null ? null : round(ops, 2),
      clientsMax: clients,
      memoryMbMax: mem === null ? null : round(mem, 2),
    };
  }
  return { postgres, redis, profiler: profiledFigures(profiling) };
}
