// Effort per kind of change, in engineer-days, with the reason for each figure. The impact score
// divides by it, the priority rule (< 1 day) and the tier rule's "quick fix" (<= 1 day, applied by the
// tool) read it, and the cost-performance summary multiplies it by the engineering cost per day.
// The spec's bands: quick wins 0-1 day; database work 1-3 days; application work 2-5 days;
// infrastructure 1-3 days; advanced (sharding, partitioning, schema redesign) 5+ days.

export interface EffortRow {
  days: number;
  why: string;
}

export const EFFORT = {
  // CREATE INDEX CONCURRENTLY on under a million rows builds in seconds; the tool verifies the plan uses it and can drop it.
  index_small_table: { days: 0.25, why: 'index on a table under 1M rows: builds in seconds, verified and reversible by the tool' },
  // 1M-10M rows: minutes of build with two table scans (CONCURRENTLY); someone watches the I/O and the replica lag.
  index_medium_table: { days: 0.5, why: 'index on a 1M-10M-row table: minutes of build, I/O and replica lag to watch' },
  // 10M-100M rows: tens of minutes to hours, disk space for the index, a low-traffic window (spec: composite indexes 1-3 days).
  index_large_table: { days: 1, why: 'index on a 10M-100M-row table: up to hours of build, disk space, a low-traffic window' },
  // 100M rows and more: hours of build that a failure restarts from zero (an INVALID index to clean up), staged with care.
  index_huge_table: { days: 2, why: 'index on a 100M+-row table: hours of build, a failed build leaves an INVALID index to redo' },
  // DROP INDEX CONCURRENTLY; the definition is kept, so the rollback re-creates it (its cost is that of the build).
  drop_index: { days: 0.1, why: 'drop of an unused or duplicate index: one statement, its definition kept for the rollback' },
  // An INVALID index left by a failed build: drop it and build it again (REINDEX CONCURRENTLY).
  rebuild_index: { days: 0.25, why: 'rebuild of an INVALID index: one REINDEX CONCURRENTLY, watched' },
  // The code is already written behind a switch: flipping it and watching the effect is all that is left.
  feature_toggle: { days: 0.1, why: 'feature toggle: the code exists, switching it (reversibly) is all that is left' },
  // ANALYZE: seconds to minutes, online, nothing to undo.
  statistics: { days: 0.1, why: 'ANALYZE of the tables: online, minutes, nothing to undo' },
  // VACUUM (FREEZE) of large tables runs for hours and competes for I/O; autovacuum settings may need a look.
  vacuum: { days: 0.5, why: 'VACUUM of large tables: online but hours of I/O, and the autovacuum settings to review' },
  // A setting applied with a reload (work_mem, autovacuum_*, maxmemory): change, reload, watch.
  config_reload: { days: 0.25, why: 'configuration applied by a reload: change, reload, watch' },
  // A setting that needs a restart (shared_preload_libraries, max_connections, shared_buffers): a maintenance window.
  config_restart: { days: 0.5, why: 'configuration that needs a server restart: a maintenance window to plan' },
  // CREATE EXTENSION of an installed extension: one statement.
  extension: { days: 0.1, why: 'CREATE EXTENSION of an installed extension: one statement' },
  // A pooler in front of the database (PgBouncer): deploy it, point the application at it, check the transaction mode (spec: 1-3 days).
  connection_pooling: { days: 1, why: 'a connection pooler: deploy it, repoint the application, check its transaction mode' },
  // Long-running or blocked queries, a slow Redis command: find the caller in the application and change it.
  investigation: { days: 1, why: 'find the caller in the application and change it: investigation plus a code change' },
  // One query changed in the application (or its ORM call), reviewed, tested, deployed (spec: query rewrites, 1-3 days).
  query_rewrite: { days: 1, why: "a query rewritten in the application's code: change, review, test, deploy" },
  // Keyset pagination changes the API: callers pass the last key instead of a page number.
  api_change: { days: 2, why: 'a change of the API (keyset pagination): the callers change with it' },
  // Batch loading of an N+1 in the application's code (spec: application optimizations 2-5 days).
  batch_loading: { days: 2, why: 'batch loading of an N+1 in the code: data access and mapping change, tests follow' },
  // A read-through cache in the code with keys, TTL and invalidation (spec: quick win "application-level caching", 0-1 day).
  cache_aside: { days: 1, why: 'a read-through cache in the code: keys, TTL and invalidation on writes' },
  // Warming or re-keying a cache with a low hit ratio: find which keys miss, then change TTLs or warm them.
  cache_tuning: { days: 1, why: 'a cold cache: find which keys miss, then change TTLs or warm them' },
  // Redis memory limit or eviction policy: a CONFIG SET and the matching change in the config file.
  cache_config: { days: 0.25, why: 'Redis maxmemory or eviction policy: CONFIG SET plus the config file' },
  // A sequence near exhaustion: ALTER the column and sequence to bigint rewrites the table under a lock.
  column_type: { days: 1, why: 'a column to bigint: a table rewrite under a lock, planned and rehearsed' },
  // A refactor of a hot path of the application (spec: application optimizations 2-5 days).
  code_hot_path: { days: 3, why: 'a refactor of a hot code path: design, change, profile again' },
  // A scrape job (or an exporter beside a layer) in Prometheus's configuration: one block and a reload.
  scrape_config: { days: 0.25, why: "a scrape job or an exporter in Prometheus's configuration: one block and a reload" },
  // A request-duration histogram in the service: a client library's middleware, labels chosen, deployed.
  instrumentation: { days: 1, why: 'a request-latency histogram in the service: a middleware, its labels and buckets, a deploy' },
  // Rightsizing or scaling the infrastructure (spec: infrastructure optimizations 1-3 days).
  infrastructure: { days: 2, why: 'rightsizing or scaling out: change, roll out, watch' },
  // Partitioning a very large table: schema change, data migration, application checks (spec: advanced, 5+ days).
  partitioning: { days: 5, why: 'partitioning a very large table: schema change, data migration, application checks' },
} as const satisfies Record<string, EffortRow>;

export type EffortKind = keyof typeof EFFORT;

/** The effort of a kind of change, in days. */
export function effortDays(kind: EffortKind): number {
  return EFFORT[kind].days;
}

/** Bounds (rows) of the index rows of the table: < 1M small, < 10M medium, < 100M large, beyond huge. */
export const INDEX_TABLE_ROWS = { medium: 1_000_000, large: 10_000_000, huge: 100_000_000 } as const;

/** Which index row applies to a table of `rows` rows (the planner's estimate, reltuples). */
export function indexEffortKind(rows: number): EffortKind {
  if (!(rows >= INDEX_TABLE_ROWS.medium)) return 'index_small_table';
  if (rows < INDEX_TABLE_ROWS.large) return 'index_medium_table';
  if (rows < INDEX_TABLE_ROWS.huge) return 'index_large_table';
  return 'index_huge_table';
}

/** The effort of one index on a table of `rows` rows, in days. */
export function indexEffortDays(rows: number): number {
  return effortDays(indexEffortKind(rows));
}
