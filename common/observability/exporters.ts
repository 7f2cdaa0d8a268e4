// The database and cache exporters beside the target (pure): which scraped postgres_exporter or
// redis_exporter watches the profile's own server (by the port the server reports), the PromQL of
// their figures over the baseline's window, and where those figures disagree with what the profiler
// read from the same servers (pg_stat_statements and Redis INFO snapshots around the same window).
// DB time comes from pg_stat_statements_seconds_total{datname}: the stat_statements collector of
// postgres_exporter 0.12+, or the custom query of docker/postgres-exporter-queries.yaml on 0.11.
import { promString } from './queries';

/** A metric each exporter exports with the port of the server it watches. */
export const PORT_METRICS = {
  postgres: 'pg_settings_port', // value: the port
  redis: 'redis_instance_info', // label tcp_port
} as const;

export interface ExporterInstance {
  job: string;
  instance: string;
}

/** The exporter series whose server listens on `port`: postgres by pg_settings_port's value, redis by redis_instance_info's tcp_port. */
export function exporterFor(
  kind: keyof typeof PORT_METRICS,
  samples: readonly { labels: Record<string, string>; value: number }[],
  port: number,
): { match: ExporterInstance | null; others: number } {
  const ports = samples.filter((s) => (kind === 'postgres' ? s.value === port : Number(s.labels.tcp_port) === port));
  const [first] = ports;
  const match = first?.labels.job && first.labels.instance ? { job: first.labels.job, instance: first.labels.instance } : null;
  return { match, others: Math.max(0, ports.length - 1) };
}

const at = (e: ExporterInstance): string => `job=${promString(e.job)},instance=${promString(e.instance)}`;

export interface PostgresQueries {
  dbSecondsPerSecond: string;
  statementsPerSecond: string;
  bufferHitRatio: string;
  backendsMax: string;
}

/** The database's figures over `rangeSeconds` (its statements' time and count, its buffer hits, its connections). */
export function postgresQueries(e: ExporterInstance, datname: string, rangeSeconds: number): PostgresQueries {
  const sel = `${at(e)},datname=${promString(datname)}`;
  const r = `[${rangeSeconds}s]`;
  const hit = `sum(rate(pg_stat_database_blks_hit{${sel}}${r}))`;
  return {
    dbSecondsPerSecond: `sum(rate(pg_stat_statements_seconds_total{${sel}}${r}))`,
    statementsPerSecond: `sum(rate(pg_stat_statements_calls_total{${sel}}${r}))`,
    bufferHitRatio: `${hit} / (${hit} + sum(rate(pg_stat_database_blks_read{${sel}}${r})))`,
    backendsMax: `max(max_over_time(pg_stat_database_numbackends{${sel}}${r}))`,
  };
}

export interface RedisQueries {
  hitRatio: string;
  opsPerSecond: string;
  clientsMax: string;
  memoryMbMax: string;
}

export function redisQueries(e: ExporterInstance, rangeSeconds: number): RedisQueries {
  const sel = `{${at(e)}}`;
  const r = `[${rangeSeconds}s]`;
  const hits = `sum(rate(redis_keyspace_hits_total${sel}${r}))`;
  return {
    hitRatio: `${hits} / (${hits} + sum(rate(redis_keyspace_misses_total${sel}${r})))`,
    opsPerSecond: `sum(rate(redis_commands_processed_total${sel}${r}))`,
    clientsMax: `max(max_over_time(redis_connected_clients${sel}${r}))`,
    memoryMbMax: `max(max_over_time(redis_memory_used_bytes${sel}${r})) / 1048576`,
  };
}

export interface PostgresFigures {
  job: string;
  instance: string;
  datname: string;
  dbTimeMsPerSecond: number | null;
  /** DB time over the requests the service's histogram counted in the window; null when rates were not comparable. */
  dbTimeMsPerRequest: number | null;
  statementsPerSecond: number | null;
  bufferHitRatioPct: number | null;
  backendsMax: number | null;
}

export interface RedisFigures {
  job: string;
  instance: string;
  hitRatioPct: number | null;
  opsPerSecond: number | null;
  clientsMax: number | null;
  memoryMbMax: number | null;
}

/** The same figures as the profiler read them over the window (null: not profiled). */
export interface ProfiledFigures {
  dbTimeMsPerSecond: number | null;
  dbTimeMsPerRequest: number | null;
  cacheHitRatioPct: number | null;
  /** Hits and misses the profiler counted: a ratio of a handful of lookups is not compared. */
  cacheLookups?: number | null;
  cacheOpsPerSecond: number | null;
}

/** The exporters' figures of the baseline window, and the profiler's of the same servers. */
export interface ExporterReading {
  postgres: PostgresFigures | null;
  redis: RedisFigures | null;
  profiler: ProfiledFigures;
}

export interface ExporterDisagreement {
  figure: 'dbTimeMsPerSecond' | 'cacheHitRatioPct' | 'cacheOpsPerSecond';
  profiler: number;
  exporter: number;
  meaning: string;
}

export interface ExporterCompareOptions {
  /** DB time and ops/s differing by more than this fraction disagree (default 0.25: scrapes and snapshots do not share edges). */
  relativeTolerance: number;
  /** Hit ratios differing by more than this many points disagree (default 5)... */
  hitRatioPointsTolerance: number;
  /** ...when the profiler counted at least this many lookups (default 100). */
  minLookups: number;
}

const DEFAULTS: ExporterCompareOptions = { relativeTolerance: 0.25, hitRatioPointsTolerance: 5, minLookups: 100 };

const relativelyApart = (a: number, b: number, tol: number): boolean => Math.abs(a - b) > tol * Math.max(Math.abs(a), Math.abs(b));

/** Where the exporters and the profiler disagree about the same servers over the same window. */
export function compareExporters(
  pg: PostgresFigures | null,
  redis: RedisFigures | null,
  profiled: ProfiledFigures,
  options: Partial<ExporterCompareOptions> = {},
): ExporterDisagreement[] {
  const o = { ...DEFAULTS, ...options };
  const out: ExporterDisagreement[] = [];
  const check = (
    figure: ExporterDisagreement['figure'],
    exporter: number | null | undefined,
    profiler: number | null,
    apart: (e: number, p: number) => boolean,
    meaning: (e: number, p: number) => string,
  ): void => {
    if (exporter === null || exporter === undefined || profiler === null || !apart(exporter, profiler)) return;
    out.push({ figure, profiler, exporter, meaning: meaning(exporter, profiler) });
  };
  const relative = (e: number, p: number) => relativelyApart(e, p, o.relativeTolerance);
  check('dbTimeMsPerSecond', pg?.dbTimeMsPerSecond, profiled.dbTimeMsPerSecond, relative, (e, p) =>
    e > p
      ? "the exporter counts more DB time than the run's statements: other clients of the database, or the exporter's own queries"
      : 'the exporter counts less DB time: it reads only its top statements ' +
        '(postgres_exporter --collector.stat_statements.limit), or pg_stat_statements was reset in the window',
  );
  const enough = (profiled.cacheLookups ?? Infinity) >= o.minLookups;
  check(
    'cacheHitRatioPct',
    redis?.hitRatioPct,
    profiled.cacheHitRatioPct,
    (e, p) => enough && Math.abs(e - p) > o.hitRatioPointsTolerance,
    () => "the exporter and the profiler read different lookups: another Redis (check the exporter's address) or other clients",
  );
  check(
    'cacheOpsPerSecond',
    redis?.opsPerSecond,
    profiled.cacheOpsPerSecond,
    relative,
    () => 'the exporter and the profiler count different commands: other clients of the Redis, or a different server',
  );
  return out;
}
