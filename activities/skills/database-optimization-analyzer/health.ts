// Health checks (PgHero's list and more) as plan findings: one finding per kind of problem, with the
// affected objects listed in its evidence, exact SQL steps, and how to undo them. None of them is
// applied by the tool (action `manual`); their latency gain is not estimated (0).
import type { Finding, RootCause } from '../../../common/types';
import type { ActivitySummary, TableCounters } from '../../postgres/statistics';
import { qualifiedName, quoteIdent, safeToken, shortHash } from '../../postgres/sql-ident';
import { concurrentDefinition } from '../../../common/index-definition';
import type { HealthIndex, HealthSnapshot } from './health-collect';
import { round } from '../../../common/round';

export interface HealthOptions {
  /** PgHero: an index scanned at most this many times since the statistics reset is unused. */
  unusedIndexMaxScans: number;
  /** Cache hit ratio below this (%) is low (PgHero: 99). */
  cacheHitRatioMinPct: number;
  /** Buffer accesses the ratio needs to mean something. */
  cacheMinBlockAccesses: number;
  /** Estimated wasted space (fraction of the relation) that counts as bloat... */
  bloatMinFraction: number;
  /** ...and at least this many bytes of it. */
  bloatMinBytes: number;
  /** Dead tuples share that means VACUUM is behind... */
  deadTupleMinFraction: number;
  deadTupleMinCount: number;
  /** Connections above this share of max_connections (minus reserved) are pressure. */
  connectionsMaxFraction: number;
  /** A session idle in transaction this long holds locks and blocks vacuum. */
  idleInTransactionMs: number;
  /** PgHero: a query running this long is long-running. */
  longRunningMs: number;
  /** A lock wait this long is contention. */
  lockWaitMs: number;
  /** A sequence (or its column's type) this much used is near exhaustion (PgHero: 0.9). */
  sequenceMaxFraction: number;
  /** Modified rows since the last analyze above this multiple of autovacuum's analyze trigger: stale. */
  staleStatsFactor: number;
  staleStatsMinRows: number;
  /** Transaction ID age above this is a wraparound risk (half of the 2^31 limit)... */
  xidAgeWarn: number;
  /** ...or above this multiple of autovacuum_freeze_max_age (autovacuum is not keeping up). */
  xidAgeFreezeFactor: number;
  /** Tables at least this big whose window scans are mostly sequential. */
  seqScanMinRows: number;
  seqScanMinShare: number;
  seqScanMinCount: number;
  /** Tables at least this big (reltuples)... */
  partitionMinRows: number;
  /** ...that account for at least this share of the rows the window's sequential scans read: partition them (architectural). */
  partitionMinSeqShare: number;
  /** Objects listed per finding (the rest is counted). */
  maxItems: number;
}

export const DEFAULT_HEALTH_OPTIONS: HealthOptions = {
  unusedIndexMaxScans: 50,
  cacheHitRatioMinPct: 99,
  cacheMinBlockAccesses: 10_000,
  bloatMinFraction: 0.3,
  bloatMinBytes: 10 * 1024 * 1024,
  deadTupleMinFraction: 0.2,
  deadTupleMinCount: 10_000,
  connectionsMaxFraction: 0.8,
  idleInTransactionMs: 5_000,
  longRunningMs: 60_000,
  lockWaitMs: 1_000,
  sequenceMaxFraction: 0.75,
  staleStatsFactor: 1.5,
  staleStatsMinRows: 1_000,
  xidAgeWarn: 1_000_000_000,
  xidAgeFreezeFactor: 2,
  seqScanMinRows: 10_000,
  seqScanMinShare: 0.5,
  seqScanMinCount: 5,
  partitionMinRows: 10_000_000,
  partitionMinSeqShare: 0.5,
  maxItems: 15,
};

export interface HealthWindow {
  tables: TableCounters[] | null;
  activity: ActivitySummary | null;
  /** Shared buffer hits/reads of the window's statements (pg_stat_statements). */
  cache: { hit: number; read: number } | null;
  /** The window's statements (normalized), to point at the ones behind a sequential scan. */
  statements: { query: string; totalMs: number; calls: number }[];
}

export const HEALTH_SOURCE = 'database-optimization-analyzer (health checks)';

export function bytes(n: number): string {
  if (n >= 1024 ** 3) return `${round(n / 1024 ** 3, 2)} GB`;
  if (n >= 1024 ** 2) return `${round(n / 1024 ** 2, 1)} MB`;
  if (n >= 1024) return `${round(n / 1024, 0)} kB`;
  return `${n} B`;
}

function count(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

interface HygieneSpec {
  kind: string;
  rootCause: RootCause;
  title: string;
  summary: string[];
  items: string[];
  steps: string[];
  rollback: string;
  risk: Finding['risk'];
  effortDays: number;
}

function hygiene(s: HygieneSpec, max: number): Finding {
  const items = s.items.slice(0, max);
  if (s.items.length > max) items.push(`... and ${s.items.length - max} more`);
  const steps = s.steps.slice(0, max + 5);
  if (s.steps.length > steps.length)
    steps.push(`... ${s.steps.length - steps.length} more steps of the same kind for the objects listed in the evidence`);
  return {
    id: `db-health-${s.kind}`,
    layer: 'database',
    rootCause: s.rootCause,
    title: s.title,
    evidence: [...s.summary, ...items],
    estimatedLatencyReductionMs: 0,
    effortDays: s.effortDays,
    risk: s.risk,
    action: { type: 'manual', steps },
    rollback: s.rollback,
    source: HEALTH_SOURCE,
  };
}

function since(s: HealthSnapshot): string {
  return s.statsReset
    ? `since the statistics reset at ${s.statsReset}`
    : s.serverStart
      ? `since the server started at ${s.serverStart}`
      : 'since the statistics were last reset';
}

const qn = (schema: string, name: string) => qualifiedName(schema, name);

// ---------------------------------------------------------------------------------------------

/**
 * One finding per droppable index (largest first, at most maxItems per kind): an approvable
 * `drop_index` action, applied only when its item id is approved explicitly, with the CREATE INDEX
 * CONCURRENTLY statement as its rollback.
 */
function dropFindings(
  kind: 'unused' | 'duplicate',
  list: { index: HealthIndex; title: string; evidence: string[] }[],
  summary: string[],
  o: HealthOptions,
): Finding[] {
  const shown = list.slice(0, o.maxItems);
  return shown.map(({ index: i, title, evidence }) => ({
    id: `db-${kind}-index-${safeToken(i.schema)}-${safeToken(i.name)}${safeToken(i.name) === i.name ? '' : `-${shortHash(i.name)}`}`,
    layer: 'database',
    rootCause: kind === 'unused' ? 'unused_index' : 'duplicate_index',
    title,
    evidence: [
      ...evidence,
      ...summary,
      ...(list.length > shown.length ? [`one of ${list.length} ${kind} indexes; the ${shown.length} largest are in the plan`] : []),
      'the tool drops it only when this item is approved by its id (never by a plain or automatic approval)',
    ],
    estimatedLatencyReductionMs: 0,
    effortDays: 0.1,
    risk: kind === 'unused' ? 'medium' : 'low',
    action: { type: 'drop_index', schema: i.schema, table: i.table, indexName: i.name, definition: i.definition },
    rollback: `${concurrentDefinition(i.definition)};`,
    source: HEALTH_SOURCE,
  }));
}

export function unusedIndexes(s: HealthSnapshot, o: HealthOptions, except: Set<HealthIndex> = new Set()): Finding[] {
  const list = s.indexes
    .filter((i) => i.valid && !i.unique && !i.primary && !i.constraint && i.scans <= o.unusedIndexMaxScans && !except.has(i))
    .sort((a, b) => b.sizeBytes - a.sizeBytes);
  return dropFindings(
    'unused',
    list.map((i) => ({
      index: i,
      title: `unused index ${i.schema}.${i.name} (${bytes(i.sizeBytes)}) slows down every write to ${i.table}`,
      evidence: [`${i.schema}.${i.name} on ${i.table} (${i.keys.join(', ')}): ${count(i.scans)} scans, ${bytes(i.sizeBytes)}`],
    })),
    [
      `indexes scanned at most ${o.unusedIndexMaxScans} times ${since(s)} (pg_stat_user_indexes.idx_scan); unique and constraint indexes excluded`,
      'scans on replicas are not counted here: check them before dropping; drop only after a full business cycle (month-end jobs, reports)',
    ],
    o,
  );
}

/** Index `a` is made redundant by `b`: same table/method/predicate, a's keys a prefix of b's, a enforces nothing b does not. */
function redundantTo(a: HealthIndex, b: HealthIndex): boolean {
  if (a === b || a.schema !== b.schema || a.table !== b.table || a.method !== b.method || a.method !== 'btree') return false;
  if (!a.valid || !b.valid || (a.predicate ?? '') !== (b.predicate ?? '')) return false;
  if (a.primary || a.constraint) return false;
  if (a.keys.length > b.keys.length) return false;
  for (let i = 0; i < a.keys.length; i++) if (a.keys[i] !== b.keys[i]) return false;
  if (a.unique) return b.unique && a.keys.length === b.keys.length; // uniqueness on fewer columns is a different constraint
  const bCols = new Set([...b.keys, ...b.include]);
  if (!a.include.every((c) => bCols.has(c))) return false;
  if (a.keys.length === b.keys.length && a.include.length === b.include.length) return a.name > b.name; // exact twins: keep one
  return true;
}

export function duplicatePairs(s: HealthSnapshot): { dup: HealthIndex; by: HealthIndex }[] {
  const pairs: { dup: HealthIndex; by: HealthIndex }[] = [];
  for (const a of s.indexes) {
    const by = s.indexes.find((b) => redundantTo(a, b));
    if (by && !pairs.some((p) => p.dup === by && p.by === a)) pairs.push({ dup: a, by });
  }
  return pairs;
}

export function duplicateIndexes(s: HealthSnapshot, o: HealthOptions): Finding[] {
  const pairs = duplicatePairs(s).sort((a, b) => b.dup.sizeBytes - a.dup.sizeBytes);
  return dropFindings(
    'duplicate',
    pairs.map((p) => ({
      index: p.dup,
      title: `duplicate index ${p.dup.schema}.${p.dup.name} (${bytes(p.dup.sizeBytes)}): ${p.by.name} starts with the same columns`,
      evidence: [
        `${p.dup.schema}.${p.dup.name} (${p.dup.keys.join(', ')}, ${bytes(p.dup.sizeBytes)}, ${count(p.dup.scans)} scans) is covered by ${p.by.name} (${p.by.keys.join(', ')}${p.by.include.length ? ` INCLUDE ${p.by.include.join(', ')}` : ''})`,
      ],
    })),
    [
      'an index whose key columns are a prefix of another index on the same table (same method and predicate) serves no statement the longer one cannot',
    ],
    o,
  );
}

export function invalidIndexes(s: HealthSnapshot, o: HealthOptions): Finding | null {
  const list = s.indexes.filter((i) => !i.valid && !i.building);
  if (list.length === 0) return null;
  return hygiene(
    {
      kind: 'invalid-indexes',
      rootCause: 'invalid_index',
      title: `${list.length} INVALID index${list.length > 1 ? 'es' : ''}: left by a failed CREATE INDEX CONCURRENTLY, maintained on every write but never used`,
      summary: ['pg_index.indisvalid is false and no build is in progress (pg_stat_progress_create_index)'],
      items: list.map((i) => `${i.schema}.${i.name} on ${i.table} (${i.keys.join(', ')}), ${bytes(i.sizeBytes)}`),
      steps: list.flatMap((i) => [
        `DROP INDEX CONCURRENTLY IF EXISTS ${qn(i.schema, i.name)};`,
        `${concurrentDefinition(i.definition)}; -- only if the index is still wanted`,
      ]),
      rollback: 'nothing to undo: an INVALID index serves no query',
      risk: 'low',
      effortDays: 0.25,
    },
    o.maxItems,
  );
}

export function cacheHitRatio(s: HealthSnapshot, w: HealthWindow | null, o: HealthOptions): Finding | null {
  let hit: number;
  let read: number;
  let scope: string;
  if (w?.cache && w.cache.hit + w.cache.read >= o.cacheMinBlockAccesses) {
    ({ hit, read } = w.cache);
    scope = 'during the load window (pg_stat_statements shared_blks_hit/read of its statements)';
  } else {
    hit = s.tables.reduce((x, t) => x + t.heapBlksHit + t.idxBlksHit, 0);
    read = s.tables.reduce((x, t) => x + t.heapBlksRead + t.idxBlksRead, 0);
    scope = `${since(s)} (pg_statio_user_tables, heap and index blocks)`;
    if (hit + read < o.cacheMinBlockAccesses) return null;
  }
  const ratio = (100 * hit) / (hit + read);
  if (ratio >= o.cacheHitRatioMinPct) return null;
  const worst = [...s.tables]
    .map((t) => ({ t, reads: t.heapBlksRead + t.idxBlksRead, total: t.heapBlksRead + t.idxBlksRead + t.heapBlksHit + t.idxBlksHit }))
    .filter((x) => x.reads > 0)
    .sort((a, b) => b.reads - a.reads);
  const shared = s.settings.shared_buffers ?? '?';
  return hygiene(
    {
      kind: 'cache-hit-ratio',
      rootCause: 'low_cache_hit_ratio',
      title: `Buffer cache hit ratio ${round(ratio, 2)}% < ${o.cacheHitRatioMinPct}%: reads go to disk (or the OS cache)`,
      summary: [
        `${count(hit)} hits, ${count(read)} reads ${scope}; shared_buffers = ${shared}`,
        'the tables read most from outside shared_buffers:',
      ],
      items: worst.map(
        (x) =>
          `${x.t.schema}.${x.t.name}: ${count(x.reads)} blocks read (${round((100 * (x.total - x.reads)) / Math.max(1, x.total), 2)}% hit), ${bytes(x.t.sizeBytes)}`,
      ),
      steps: [
        'first remove needless reads: apply the missing-index findings (sequential scans read whole tables)',
        `raise shared_buffers (typically 25% of the server's RAM; now ${shared}): ALTER SYSTEM SET shared_buffers = '<size>'; then restart PostgreSQL`,
        "set effective_cache_size to about 75% of RAM: ALTER SYSTEM SET effective_cache_size = '<size>'; SELECT pg_reload_conf();",
        'if the working set is larger than the RAM: more memory, or archive/partition cold data',
      ],
      rollback: 'ALTER SYSTEM RESET shared_buffers; ALTER SYSTEM RESET effective_cache_size; then restart PostgreSQL',
      risk: 'medium',
      effortDays: 0.5,
    },
    o.maxItems,
  );
}

/** Estimated pages a table needs for its rows (the usual estimate: row width from pg_stats + headers). */
export function expectedTablePages(
  t: { reltuples: number; rowWidth: number | null; fillfactor: number },
  blockSize: number,
): number | null {
  if (t.rowWidth === null) return null;
  const tuple = Math.ceil((t.rowWidth + 1) / 8) * 8 + 4; // MAXALIGN'd tuple + line pointer
  const perPage = Math.max(1, Math.floor(((blockSize - 24) * t.fillfactor) / 100 / tuple));
  return Math.ceil(t.reltuples / perPage);
}

export function expectedIndexPages(i: { reltuples: number; keyWidth: number | null }, blockSize: number): number | null {
  if (i.keyWidth === null) return null;
  const tuple = 8 + Math.ceil(i.keyWidth / 8) * 8 + 4; // IndexTupleData + data + line pointer
  const perPage = Math.max(1, Math.floor(((blockSize - 24 - 16) * 0.9) / tuple)); // leaf fillfactor 90
  return Math.ceil(i.reltuples / perPage) + 1; // + metapage
}

export function bloat(s: HealthSnapshot, o: HealthOptions): Finding | null {
  const items: string[] = [];
  const steps: string[] = [];
  let wasted = 0;
  for (const t of s.tables) {
    const expected = expectedTablePages(t, s.blockSize);
    const deadShare = t.liveTuples + t.deadTuples > 0 ? t.deadTuples / (t.liveTuples + t.deadTuples) : 0;
    const vacuumBehind = t.deadTuples >= o.deadTupleMinCount && deadShare >= o.deadTupleMinFraction;
    let tableBloat = false;
    if (expected !== null && t.relpages > 0) {
      const waste = Math.max(0, t.relpages - expected) * s.blockSize;
      if (waste >= o.bloatMinBytes && waste / (t.relpages * s.blockSize) >= o.bloatMinFraction) {
        tableBloat = true;
        wasted += waste;
        items.push(
          `table ${t.schema}.${t.name}: ~${bytes(waste)} of ${bytes(t.relpages * s.blockSize)} is free space (${round((100 * waste) / (t.relpages * s.blockSize), 1)}%), ${count(t.deadTuples)} dead rows`,
        );
      }
    }
    if (vacuumBehind && !tableBloat) {
      items.push(
        `table ${t.schema}.${t.name}: ${count(t.deadTuples)} dead rows (${round(100 * deadShare, 1)}% of its rows), last vacuum ${t.lastVacuum ?? 'never'}`,
      );
    }
    if (vacuumBehind || tableBloat) steps.push(`VACUUM (VERBOSE, ANALYZE) ${qn(t.schema, t.name)};`);
    if (tableBloat) {
      steps.push(
        `to give the space back to the OS, rewrite ${t.schema}.${t.name} in a maintenance window: pg_repack --table=${quoteIdent(t.schema)}.${quoteIdent(t.name)} (online), or VACUUM FULL ${qn(t.schema, t.name)}; (locks the table: NOT applied by the tool)`,
      );
    }
  }
  for (const i of s.indexes) {
    if (!i.valid || i.method !== 'btree') continue;
    const expected = expectedIndexPages(i, s.blockSize);
    if (expected === null || i.relpages <= 0) continue;
    const waste = Math.max(0, i.relpages - expected) * s.blockSize;
    if (waste >= o.bloatMinBytes && waste / (i.relpages * s.blockSize) >= o.bloatMinFraction) {
      wasted += waste;
      items.push(
        `index ${i.schema}.${i.name} on ${i.table}: ~${bytes(waste)} of ${bytes(i.sizeBytes)} wasted (${round((100 * waste) / (i.relpages * s.blockSize), 1)}%)`,
      );
      steps.push(`REINDEX INDEX CONCURRENTLY ${qn(i.schema, i.name)};`);
    }
  }
  if (items.length === 0) return null;
  return hygiene(
    {
      kind: 'bloat',
      rootCause: 'bloat',
      title: `Bloat: ~${bytes(wasted)} of tables and indexes is dead space, or VACUUM is behind`,
      summary: [
        'estimate from pg_class.relpages against the size the rows need (row widths from pg_stats, fillfactor, headers); for exact figures use the pgstattuple extension',
        `thresholds: at least ${bytes(o.bloatMinBytes)} and ${round(o.bloatMinFraction * 100, 1)}% wasted, or ${count(o.deadTupleMinCount)} dead rows and ${round(o.deadTupleMinFraction * 100, 1)}% of the table`,
      ],
      items,
      steps: [
        ...steps,
        'if autovacuum is behind on a busy table: ALTER TABLE <table> SET (autovacuum_vacuum_scale_factor = 0.02); (and check for long transactions holding back the xmin horizon)',
      ],
      rollback:
        'nothing to undo: VACUUM and REINDEX CONCURRENTLY change no data; reset a per-table autovacuum setting with ALTER TABLE <table> RESET (autovacuum_vacuum_scale_factor);',
      risk: 'low',
      effortDays: 0.5,
    },
    o.maxItems,
  );
}

function settingNumber(s: HealthSnapshot, name: string, fallback: number): number {
  const v = Number.parseFloat(s.settings[name] ?? '');
  return Number.isFinite(v) ? v : fallback;
}

export function connections(s: HealthSnapshot, w: HealthWindow | null, o: HealthOptions): Finding | null {
  const max = settingNumber(s, 'max_connections', 100);
  const reserved = settingNumber(s, 'superuser_reserved_connections', 3);
  const usable = Math.max(1, max - reserved);
  const peak = Math.max(s.serverConnections, w?.activity?.maxConnections ?? 0);
  if (peak < usable * o.connectionsMaxFraction) return null;
  return hygiene(
    {
      kind: 'connections',
      rootCause: 'connection_pressure',
      title: `Connections near the limit: ${peak} of ${usable} usable (max_connections ${max} - ${reserved} reserved)`,
      summary: [
        `peak client connections ${peak} (${round((100 * peak) / usable, 1)}%): ${w?.activity ? `${w.activity.samples} pg_stat_activity samples during the load` : 'now'}; each connection is a backend process with its own memory`,
        w?.activity
          ? `at most ${w.activity.maxActive} of them were active at once, ${w.activity.maxIdleInTransaction} idle in transaction`
          : '',
      ].filter(Boolean),
      items: [],
      steps: [
        'put a pooler in front of PostgreSQL (PgBouncer, pool_mode = transaction) and size application pools to what the server can run at once (about 2-4 x CPU cores active)',
        'lower the application pool sizes so their sum stays below max_connections - superuser_reserved_connections',
        "only if memory allows: ALTER SYSTEM SET max_connections = '<n>'; then restart PostgreSQL",
      ],
      rollback: 'restore the previous pool sizes / ALTER SYSTEM RESET max_connections; then restart',
      risk: 'medium',
      effortDays: 1,
    },
    o.maxItems,
  );
}

export function idleInTransaction(s: HealthSnapshot, w: HealthWindow | null, o: HealthOptions): Finding | null {
  const seen = new Map<number, { ms: number; query: string }>();
  for (const x of w?.activity?.idleInTransaction ?? []) seen.set(x.pid, { ms: x.ms, query: x.query });
  for (const x of s.sessions) {
    if ((x.state === 'idle in transaction' || x.state === 'idle in transaction (aborted)') && x.stateMs !== null) {
      const prev = seen.get(x.pid);
      if (!prev || x.stateMs > prev.ms) seen.set(x.pid, { ms: x.stateMs, query: x.query });
    }
  }
  const list = [...seen].filter(([, v]) => v.ms >= o.idleInTransactionMs).sort((a, b) => b[1].ms - a[1].ms);
  if (list.length === 0) return null;
  const timeout = s.settings.idle_in_transaction_session_timeout ?? '0';
  return hygiene(
    {
      kind: 'idle-in-transaction',
      rootCause: 'connection_pressure',
      title: `${list.length} session${list.length > 1 ? 's' : ''} idle in transaction for ${round(list[0][1].ms / 1000, 1)} s or more: locks held, vacuum held back`,
      summary: [
        `sessions in state "idle in transaction" for at least ${o.idleInTransactionMs / 1000} s (pg_stat_activity); idle_in_transaction_session_timeout = ${timeout}`,
      ],
      items: list.map(([pid, v]) => `pid ${pid}: idle in transaction for ${round(v.ms / 1000, 1)} s after: ${v.query}`),
      steps: [
        'fix the application: commit or roll back before doing other work (HTTP calls, user think time) inside a transaction',
        "ALTER SYSTEM SET idle_in_transaction_session_timeout = '60s'; SELECT pg_reload_conf();",
        ...list.map(([pid]) => `if it must end now: SELECT pg_terminate_backend(${pid});`),
      ],
      rollback: 'ALTER SYSTEM RESET idle_in_transaction_session_timeout; SELECT pg_reload_conf();',
      risk: 'medium',
      effortDays: 0.5,
    },
    o.maxItems,
  );
}

export function longRunning(s: HealthSnapshot, w: HealthWindow | null, o: HealthOptions): Finding | null {
  const seen = new Map<number, { ms: number; query: string }>();
  for (const x of w?.activity?.longRunning ?? []) seen.set(x.pid, { ms: x.ms, query: x.query });
  for (const x of s.sessions) {
    if (x.state === 'active' && x.queryMs !== null && x.application !== 'perf-orchestrator') {
      const prev = seen.get(x.pid);
      if (!prev || x.queryMs > prev.ms) seen.set(x.pid, { ms: x.queryMs, query: x.query });
    }
  }
  const list = [...seen].filter(([, v]) => v.ms >= o.longRunningMs).sort((a, b) => b[1].ms - a[1].ms);
  if (list.length === 0) return null;
  return hygiene(
    {
      kind: 'long-running-queries',
      rootCause: 'long_running_query',
      title: `${list.length} quer${list.length > 1 ? 'ies' : 'y'} running ${round(list[0][1].ms / 1000, 1)} s or more`,
      summary: [`active queries running at least ${o.longRunningMs / 1000} s (pg_stat_activity.query_start)`],
      items: list.map(([pid, v]) => `pid ${pid}: ${round(v.ms / 1000, 1)} s: ${v.query}`),
      steps: [
        ...list.map(([pid]) => `SELECT pg_cancel_backend(${pid}); -- if the query is not needed`),
        "bound the application's queries: ALTER ROLE <app role> SET statement_timeout = '30s';",
        'EXPLAIN (ANALYZE, BUFFERS) the statement on a copy and apply the index findings',
      ],
      rollback: 'ALTER ROLE <app role> RESET statement_timeout;',
      risk: 'medium',
      effortDays: 0.5,
    },
    o.maxItems,
  );
}

export function blocked(s: HealthSnapshot, w: HealthWindow | null, o: HealthOptions): Finding | null {
  const list = [...(w?.activity?.blocked ?? [])];
  for (const x of s.sessions) {
    if (x.blockedBy.length === 0 || x.queryMs === null || list.some((b) => b.pid === x.pid)) continue;
    list.push({
      pid: x.pid,
      blockedBy: x.blockedBy,
      waitedMs: x.queryMs,
      waitEvent: x.waitEventType ? `${x.waitEventType}:${x.waitEvent}` : null,
      query: x.query,
      blockingQueries: x.blockedBy.map((p) => {
        const b = s.sessions.find((y) => y.pid === p);
        return b ? `${b.state ?? '?'}: ${b.query}` : '(not visible)';
      }),
    });
  }
  const over = list.filter((b) => b.waitedMs >= o.lockWaitMs).sort((a, b) => b.waitedMs - a.waitedMs);
  if (over.length === 0) return null;
  const peak = w?.activity?.maxWaitingOnLocks ?? over.length;
  const blockers = [...new Set(over.flatMap((b) => b.blockedBy))];
  return hygiene(
    {
      kind: 'blocked-queries',
      rootCause: 'lock_contention',
      title: `Lock contention: queries waited ${round(over[0].waitedMs / 1000, 1)} s or more on locks (up to ${peak} at once)`,
      summary: [`sessions waiting on a lock held by another (pg_blocking_pids) for at least ${o.lockWaitMs} ms`],
      items: over.map(
        (b) =>
          `pid ${b.pid} waited ${round(b.waitedMs / 1000, 2)} s (${b.waitEvent ?? 'lock'}) on pid ${b.blockedBy.join(', ')}: ${b.query} <- blocked by: ${b.blockingQueries.join(' | ')}`,
      ),
      steps: [
        'shorten the blocking transactions (commit sooner; no user or network waits inside them); update hot rows in a consistent order to avoid waits and deadlocks',
        "run DDL with a short lock_timeout (SET lock_timeout = '2s') and retry, so it does not queue every query behind it",
        ...blockers.map((p) => `if a blocker is stuck: SELECT pg_cancel_backend(${p}); (or pg_terminate_backend(${p}))`),
      ],
      rollback: 'nothing to undo (application and operational changes)',
      risk: 'medium',
      effortDays: 1,
    },
    o.maxItems,
  );
}

export function sequences(s: HealthSnapshot, o: HealthOptions): Finding | null {
  const list = s.sequences
    .filter((q) => q.lastValue !== null && !q.cycle && q.increment > 0)
    .map((q) => {
      const limit = Math.min(q.maxValue, q.column?.max ?? q.maxValue);
      return { q, limit, used: q.lastValue! / limit };
    })
    .filter((x) => x.used >= o.sequenceMaxFraction)
    .sort((a, b) => b.used - a.used);
  if (list.length === 0) return null;
  return hygiene(
    {
      kind: 'sequences',
      rootCause: 'sequence_exhaustion',
      title: `${list.length} sequence${list.length > 1 ? 's' : ''} near exhaustion (up to ${round(list[0].used * 100, 1)}% used): inserts will fail`,
      summary: [
        `sequences whose last value is at least ${round(o.sequenceMaxFraction * 100, 1)}% of their maximum or of the type of the column they feed`,
      ],
      items: list.map(
        (x) =>
          `${x.q.schema}.${x.q.name}: ${count(x.q.lastValue!)} of ${count(x.limit)} (${round(x.used * 100, 2)}%)${x.q.column ? ` feeding ${x.q.column.schema}.${x.q.column.table}.${x.q.column.name} (${x.q.column.type})` : ''}`,
      ),
      steps: list.flatMap((x) => {
        const seq = qn(x.q.schema, x.q.name);
        if (x.q.column && x.q.column.type !== 'bigint') {
          return [
            `${x.q.column.schema}.${x.q.column.table}.${x.q.column.name} is ${x.q.column.type}: widen it in a maintenance window (rewrites and locks the table: NOT applied by the tool; online alternative: add a bigint column, backfill in batches, swap): ALTER TABLE ${qn(x.q.column.schema, x.q.column.table)} ALTER COLUMN ${quoteIdent(x.q.column.name)} TYPE bigint;`,
            `ALTER SEQUENCE ${seq} AS bigint;`,
          ];
        }
        return [`ALTER SEQUENCE ${seq} MAXVALUE ${x.q.column?.max ?? '9223372036854775807'};`];
      }),
      rollback: 'a widened column or sequence is not narrowed back (the values may no longer fit); take a backup before the change',
      risk: 'high',
      effortDays: 1,
    },
    o.maxItems,
  );
}

export function staleStatistics(s: HealthSnapshot, o: HealthOptions): Finding | null {
  const threshold = settingNumber(s, 'autovacuum_analyze_threshold', 50);
  const scale = settingNumber(s, 'autovacuum_analyze_scale_factor', 0.1);
  const list = s.tables
    .map((t) => {
      const base = Math.max(t.reltuples, t.liveTuples);
      const trigger = threshold + scale * base;
      const never = t.lastAnalyze === null && t.liveTuples >= o.staleStatsMinRows;
      const stale = t.modsSinceAnalyze >= Math.max(o.staleStatsMinRows, trigger * o.staleStatsFactor);
      return { t, trigger, never, stale };
    })
    .filter((x) => x.never || x.stale)
    .sort((a, b) => b.t.modsSinceAnalyze - a.t.modsSinceAnalyze);
  if (list.length === 0) return null;
  return hygiene(
    {
      kind: 'stale-statistics',
      rootCause: 'stale_statistics',
      title: `Stale planner statistics on ${list.length} table${list.length > 1 ? 's' : ''}: plans are chosen on wrong row counts`,
      summary: [
        `tables never analyzed, or modified more than ${o.staleStatsFactor} x autovacuum's analyze trigger (autovacuum_analyze_threshold ${threshold} + scale factor ${scale} x rows) since the last ANALYZE`,
      ],
      items: list.map(
        (x) =>
          `${x.t.schema}.${x.t.name}: ${count(x.t.modsSinceAnalyze)} rows modified since the last analyze (${x.t.lastAnalyze ?? 'never'}), trigger ${count(x.trigger)}`,
      ),
      steps: [
        ...list.map((x) => `ANALYZE ${qn(x.t.schema, x.t.name)};`),
        'if it recurs on a busy table: ALTER TABLE <table> SET (autovacuum_analyze_scale_factor = 0.02);',
      ],
      rollback:
        'nothing to undo (ANALYZE only refreshes statistics); reset a per-table setting with ALTER TABLE <table> RESET (autovacuum_analyze_scale_factor);',
      risk: 'low',
      effortDays: 0.1,
    },
    o.maxItems,
  );
}

export function wraparound(s: HealthSnapshot, o: HealthOptions): Finding | null {
  const freezeMax = settingNumber(s, 'autovacuum_freeze_max_age', 200_000_000);
  const limit = Math.min(o.xidAgeWarn, freezeMax * o.xidAgeFreezeFactor);
  const mxFreezeMax = settingNumber(s, 'autovacuum_multixact_freeze_max_age', 400_000_000);
  const dbOld = s.database.xidAge >= limit;
  const mxOld = s.database.mxidAge >= Math.min(o.xidAgeWarn, mxFreezeMax * o.xidAgeFreezeFactor);
  const tables = s.tables.filter((t) => t.xidAge >= limit).sort((a, b) => b.xidAge - a.xidAge);
  if (!dbOld && !mxOld && tables.length === 0) return null;
  const remaining = 2 ** 31 - 3_000_000 - s.database.xidAge;
  const holders = [
    ...s.preparedXacts.map(
      (p) => `prepared transaction ${p.gid} open for ${round(p.ageMs / 3_600_000, 1)} h: COMMIT PREPARED or ROLLBACK PREPARED '${p.gid}';`,
    ),
    ...s.replicationSlots
      .filter((r) => r.xminAge !== null && r.xminAge > freezeMax)
      .map(
        (r) =>
          `replication slot ${r.name} (${r.active ? 'active' : 'inactive'}) holds xmin ${count(r.xminAge!)} old: SELECT pg_drop_replication_slot('${r.name}'); if it is abandoned`,
      ),
  ];
  return hygiene(
    {
      kind: 'wraparound',
      rootCause: 'wraparound_risk',
      title: `Transaction ID wraparound risk: database ${s.database.name} is ${count(s.database.xidAge)} transactions old (${count(Math.max(0, remaining))} left before PostgreSQL stops writes)`,
      summary: [
        `age(datfrozenxid) ${count(s.database.xidAge)}, mxid_age(datminmxid) ${count(s.database.mxidAge)}; warning above ${count(limit)} (the lower of ${count(o.xidAgeWarn)} and ${o.xidAgeFreezeFactor} x autovacuum_freeze_max_age ${count(freezeMax)})`,
      ],
      items: [...tables.map((t) => `${t.schema}.${t.name}: age(relfrozenxid) ${count(t.xidAge)}, ${bytes(t.sizeBytes)}`), ...holders],
      steps: [
        ...tables.map((t) => `VACUUM (FREEZE, VERBOSE) ${qn(t.schema, t.name)};`),
        'find what holds the xmin horizon back: long transactions (pg_stat_activity.backend_xmin), prepared transactions (pg_prepared_xacts), replication slots (pg_replication_slots.xmin)',
        ...holders,
      ],
      rollback: 'nothing to undo: VACUUM FREEZE changes no data',
      risk: 'high',
      effortDays: 0.5,
    },
    o.maxItems,
  );
}

export function seqScans(s: HealthSnapshot, w: HealthWindow | null, o: HealthOptions, indexFindings: Finding[]): Finding | null {
  if (!w?.tables) return null;
  const sizes = new Map(s.tables.map((t) => [`${t.schema}.${t.name}`, t]));
  const list = w.tables
    .map((d) => ({ d, t: sizes.get(`${d.schema}.${d.table}`) }))
    .filter(
      (x) =>
        x.t &&
        x.t.reltuples >= o.seqScanMinRows &&
        x.d.seqScan >= o.seqScanMinCount &&
        x.d.seqScan / Math.max(1, x.d.seqScan + x.d.idxScan) >= o.seqScanMinShare,
    )
    .sort((a, b) => b.d.seqTupRead - a.d.seqTupRead);
  if (list.length === 0) return null;
  const items: string[] = [];
  for (const { d, t } of list) {
    const fix = indexFindings.find((f) => f.action.type === 'create_index' && f.action.schema === d.schema && f.action.table === d.table);
    const re = new RegExp(`\\b${d.table.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`, 'i');
    const stmts = w.statements
      .filter((x) => re.test(x.query))
      .sort((a, b) => b.totalMs - a.totalMs)
      .slice(0, 2);
    items.push(
      `${d.schema}.${d.table} (${count(t!.reltuples)} rows): ${count(d.seqScan)} sequential scans in the window (${round((100 * d.seqScan) / (d.seqScan + d.idxScan), 1)}% of its scans), ${count(d.seqTupRead)} rows read by them` +
        (fix
          ? `; addressed by ${fix.id}`
          : stmts.length
            ? `; statements: ${stmts.map((x) => x.query.replace(/\s+/g, ' ').slice(0, 140)).join(' | ')}`
            : '') +
        (t!.reltuples > 10_000_000
          ? '; over 10M rows: consider partitioning it by the column its queries range over (architectural, T4)'
          : ''),
    );
  }
  return hygiene(
    {
      kind: 'seq-scans',
      rootCause: 'seq_scan_large_table',
      title: `Sequential scans dominate on ${list.length} large table${list.length > 1 ? 's' : ''}`,
      summary: [
        `tables with at least ${count(o.seqScanMinRows)} rows where at least ${round(o.seqScanMinShare * 100, 1)}% of the window's scans were sequential (pg_stat_user_tables deltas)`,
      ],
      items,
      steps: [
        'apply the missing-index findings listed; for the other statements, EXPLAIN them and add the index their filter needs (or a LIMIT / a narrower query)',
        'a table read whole on purpose (reports, exports) belongs on a replica or in a summary table',
      ],
      rollback: 'nothing to undo (review only)',
      risk: 'low',
      effortDays: 0.5,
    },
    o.maxItems,
  );
}

/**
 * Partitioning (architectural): a table of at least partitionMinRows rows whose sequential scans
 * read at least partitionMinSeqShare of all the rows the window's sequential scans read.
 */
export function partitioning(s: HealthSnapshot, w: HealthWindow | null, o: HealthOptions): Finding | null {
  if (!w?.tables) return null;
  const total = w.tables.reduce((n, d) => n + Math.max(0, d.seqTupRead), 0);
  if (total <= 0) return null;
  const sizes = new Map(s.tables.map((t) => [`${t.schema}.${t.name}`, t]));
  const list = w.tables
    .map((d) => ({ d, t: sizes.get(`${d.schema}.${d.table}`), share: Math.max(0, d.seqTupRead) / total }))
    .filter((x) => x.t && x.t.reltuples >= o.partitionMinRows && x.d.seqScan > 0 && x.share >= o.partitionMinSeqShare)
    .sort((a, b) => b.share - a.share);
  if (list.length === 0) return null;
  const items = list.map(({ d, t, share }) => {
    const re = new RegExp(`\\b${d.table.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`, 'i');
    const stmts = w.statements
      .filter((x) => re.test(x.query))
      .sort((a, b) => b.totalMs - a.totalMs)
      .slice(0, 2);
    return (
      `${d.schema}.${d.table} (${count(t!.reltuples)} rows, ${bytes(t!.sizeBytes)}): its ${count(d.seqScan)} sequential scans read ${count(d.seqTupRead)} rows, ` +
      `${round(share * 100, 1)}% of all rows read sequentially in the window` +
      (stmts.length ? `; statements: ${stmts.map((x) => x.query.replace(/\s+/g, ' ').slice(0, 140)).join(' | ')}` : '')
    );
  });
  const f = hygiene(
    {
      kind: 'partitioning',
      rootCause: 'partitioning',
      title: `Partition ${list.map((x) => `${x.d.schema}.${x.d.table}`).join(', ')}: ${list.length > 1 ? 'tables' : 'a table'} over ${count(o.partitionMinRows)} rows read whole (architectural)`,
      summary: [
        `tables with at least ${count(o.partitionMinRows)} rows whose sequential scans read at least ${round(o.partitionMinSeqShare * 100, 1)}% of the rows the window's sequential scans read (pg_stat_user_tables deltas); an index alone rarely fixes scans of a whole table this size`,
      ],
      items,
      steps: [
        'choose the partition key: the column the heavy statements filter or range over (often a timestamp); check that every unique key includes it',
        'create a partitioned copy (CREATE TABLE ... PARTITION BY RANGE (key)) with its partitions and indexes, copy the data in batches (or use pg_partman), then swap the names in a short transaction',
        'rewrite the statements so their WHERE clause names the partition key (partition pruning), and plan the retention (DROP/DETACH old partitions)',
      ],
      rollback: 'keep the original table until the partitioned one is validated; swap the names back',
      risk: 'high',
      effortDays: 5,
    },
    o.maxItems,
  );
  return { ...f, architectural: true };
}

/** Every health check; each yields at most one finding, but unused and duplicate indexes one per index. */
export function healthFindings(
  s: HealthSnapshot,
  w: HealthWindow | null,
  indexFindings: Finding[],
  options: Partial<HealthOptions> = {},
): Finding[] {
  const o = { ...DEFAULT_HEALTH_OPTIONS, ...options };
  return [
    invalidIndexes(s, o),
    ...duplicateIndexes(s, o),
    // A duplicate is reported once, as a duplicate.
    ...unusedIndexes(s, o, new Set(duplicatePairs(s).map((p) => p.dup))),
    cacheHitRatio(s, w, o),
    bloat(s, o),
    connections(s, w, o),
    idleInTransaction(s, w, o),
    longRunning(s, w, o),
    blocked(s, w, o),
    sequences(s, o),
    staleStatistics(s, o),
    wraparound(s, o),
    seqScans(s, w, o, indexFindings),
    partitioning(s, w, o),
  ].filter((f): f is Finding => f !== null);
}
