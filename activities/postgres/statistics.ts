// Pure logic of the database profile: which pg_stat_statements rows are ours or the catalog's, and
// the difference of two snapshots (the window's figures). No I/O here; unit-tested.
import type { StatementStat } from '../../common/types';
import { STORE_SCHEMA } from '../store/schema';
import { round } from '../../common/round';
import type { LogPosition } from './log-file';

/** One pg_stat_statements row of the target database, summed over users and top-level flags. */
export interface PgssRow {
  queryid: string;
  query: string;
  calls: number;
  totalMs: number;
  rows: number;
  sharedBlksHit: number;
  sharedBlksRead: number;
}

// Utility and transaction-control statements: never the application's workload.
const UTILITY_PREFIX =
  /^\s*(EXPLAIN|PREPARE|DEALLOCATE|EXECUTE|SET|RESET|SHOW|BEGIN|START\s+TRANSACTION|COMMIT|END|ROLLBACK|SAVEPOINT|RELEASE|DISCARD|LISTEN|UNLISTEN)\b/i;
// Statements that read the catalog, the statistics views, hypopg, or perf-orchestrator's own store.
const OWN_OR_CATALOG = new RegExp(
  [
    '\\bpg_stat_statements',
    '\\bpg_catalog\\.',
    '\\binformation_schema\\.',
    '\\bhypopg',
    '\\bpg_(class|index|namespace|attribute|database|extension|available_extensions|stat_\\w+|statio_\\w+|' +
      'locks|settings|roles|type|proc|am|constraint|indexes|tables|stats)\\b',
    '\\bpg_(advisory_\\w+|try_advisory_\\w+|backend_pid|cancel_backend|terminate_backend|sleep)\\s*\\(',
    `\\b${STORE_SCHEMA}\\.`,
  ].join('|'),
  'i',
);

// Server-information probes without a FROM clause (health checks, prechecks): not workload.
const SERVER_INFO =
  /^\s*SELECT\s+(version|current_database|current_schema|current_user|current_setting|pg_is_in_recovery|pg_postmaster_start_time|inet_server_addr)\s*\([^)]*\)(\s+AS\s+\w+)?(\s*,\s*(version|current_database|current_schema|current_user|current_setting|pg_is_in_recovery|pg_postmaster_start_time|inet_server_addr)\s*\([^)]*\)(\s+AS\s+\w+)?)*\s*;?\s*$/i;

/** True for statements the profile must not count: ours, the catalog's, utility commands. */
export function isExcludedStatement(query: string): boolean {
  if (!query || query === '<insufficient privilege>') return true;
  const text = stripLeadingComments(query);
  return UTILITY_PREFIX.test(text) || OWN_OR_CATALOG.test(text) || SERVER_INFO.test(text);
}

function stripLeadingComments(q: string): string {
  let s = q;
  for (;;) {
    const t = s.replace(/^\s+/, '');
    if (t.startsWith('--')) {
      const nl = t.indexOf('\n');
      s = nl < 0 ? '' : t.slice(nl + 1);
    } else if (t.startsWith('/*')) {
      const end = t.indexOf('*/');
      s = end < 0 ? '' : t.slice(end + 2);
    } else return t;
  }
}

/** A statement's figures over the window: the same fields as a row, as differences. */
export type StatementDelta = PgssRow;

/**
 * The window's figures per queryid: after - before. A statement absent before (new, or evicted and
 * re-added) counts in full; a counter that went down means pg_stat_statements was reset during
 * the window, so the after figures are the best we have. Rows with no calls in the window are dropped.
 */
export function diffSnapshots(before: PgssRow[] | null, after: PgssRow[]): StatementDelta[] {
  const prev = new Map<string, PgssRow>();
  for (const r of before ?? []) prev.set(r.queryid, r);
  const out: StatementDelta[] = [];
  for (const a of after) {
    if (isExcludedStatement(a.query)) continue;
    const b = prev.get(a.queryid);
    const reset = b !== undefined && (a.calls < b.calls || a.totalMs < b.totalMs);
    const base = b && !reset ? b : undefined;
    const d: StatementDelta = {
      queryid: a.queryid,
      query: a.query,
      calls: a.calls - (base?.calls ?? 0),
      totalMs: a.totalMs - (base?.totalMs ?? 0),
      rows: a.rows - (base?.rows ?? 0),
      sharedBlksHit: a.sharedBlksHit - (base?.sharedBlksHit ?? 0),
      sharedBlksRead: a.sharedBlksRead - (base?.sharedBlksRead ?? 0),
    };
    if (d.calls > 0) out.push(d);
  }
  return out;
}

export interface DatabaseFigures {
  dbTimeMs: number;
  dbShareOfLatencyPct: number;
  topStatements: StatementStat[];
}

/** dbTimeMs, share of the summed request latency (capped at 100) and the top statements by time. */
export function summarizeWindow(
  deltas: StatementDelta[],
  windowRequests: number,
  totalRequestLatencyMs: number,
  top = 10,
): DatabaseFigures {
  const dbTimeMs = deltas.reduce((s, d) => s + d.totalMs, 0);
  const share = totalRequestLatencyMs > 0 ? Math.min(100, (100 * dbTimeMs) / totalRequestLatencyMs) : 0;
  const topStatements = [...deltas]
    .sort((x, y) => y.totalMs - x.totalMs)
    .slice(0, top)
    .map((d): StatementStat => ({
      queryid: d.queryid,
      query: d.query,
      calls: d.calls,
      totalMs: round(d.totalMs, 3),
      meanMs: round(d.totalMs / d.calls, 4),
      rows: d.rows,
      callsPerRequest: windowRequests > 0 ? round(d.calls / windowRequests, 3) : 0,
    }));
  return { dbTimeMs: round(dbTimeMs, 3), dbShareOfLatencyPct: round(share, 2), topStatements };
}

// ---------------------------------------------------------------------------------------------
// Table and index counters (pg_stat_user_tables / pg_statio_user_tables / pg_stat_user_indexes)

export interface TableCounters {
  schema: string;
  table: string;
  seqScan: number;
  seqTupRead: number;
  idxScan: number;
  nTupIns: number;
  nTupUpd: number;
  nTupHotUpd: number;
  nTupDel: number;
  heapBlksRead: number;
  heapBlksHit: number;
  idxBlksRead: number;
  idxBlksHit: number;
}

export interface IndexCounters {
  schema: string;
  table: string;
  index: string;
  idxScan: number;
}

/** What captureDatabaseSnapshot stores (kind pgss-snapshot); version 1 was the bare PgssRow[]. */
export interface StatsSnapshot {
  version: 2;
  takenAt: string;
  pgss: PgssRow[];
  tables: TableCounters[];
  indexes: IndexCounters[];
  /** Where the server's log (database.logFile) ended when the snapshot was taken; absent without one. */
  logPosition?: LogPosition;
}

/** Either snapshot format as it was stored. */
export function asStatsSnapshot(stored: unknown): {
  pgss: PgssRow[];
  tables: TableCounters[] | null;
  indexes: IndexCounters[] | null;
  takenAt: string | null;
  logPosition: LogPosition | null;
} {
  if (Array.isArray(stored)) return { pgss: stored as PgssRow[], tables: null, indexes: null, takenAt: null, logPosition: null };
  const s = stored as StatsSnapshot;
  return {
    pgss: s.pgss ?? [],
    tables: s.tables ?? null,
    indexes: s.indexes ?? null,
    takenAt: s.takenAt ?? null,
    logPosition: s.logPosition ?? null,
  };
}

const TABLE_FIELDS = [
  'seqScan',
  'seqTupRead',
  'idxScan',
  'nTupIns',
  'nTupUpd',
  'nTupHotUpd',
  'nTupDel',
  'heapBlksRead',
  'heapBlksHit',
  'idxBlksRead',
  'idxBlksHit',
] as const;

/**
 * The window's table counters (after - before). A table absent before counts in full; a counter that
 * went down (statistics reset, table re-created) takes the after figure. Tables with no change are dropped.
 */
export function diffTableCounters(before: TableCounters[] | null, after: TableCounters[]): TableCounters[] {
  const prev = new Map((before ?? []).map((t) => [`${t.schema}.${t.table}`, t]));
  const out: TableCounters[] = [];
  for (const a of after) {
    const b = prev.get(`${a.schema}.${a.table}`);
    const reset = b !== undefined && TABLE_FIELDS.some((f) => a[f] < b[f]);
    const d = { ...a };
    if (b && !reset) for (const f of TABLE_FIELDS) d[f] = a[f] - b[f];
    if (TABLE_FIELDS.some((f) => d[f] !== 0)) out.push(d);
  }
  return out;
}

export function diffIndexCounters(before: IndexCounters[] | null, after: IndexCounters[]): IndexCounters[] {
  const prev = new Map((before ?? []).map((i) => [`${i.schema}.${i.index}`, i]));
  return after
    .map((a) => {
      const b = prev.get(`${a.schema}.${a.index}`);
      return { ...a, idxScan: b && a.idxScan >= b.idxScan ? a.idxScan - b.idxScan : a.idxScan };
    })
    .filter((i) => i.idxScan > 0);
}

// ---------------------------------------------------------------------------------------------
// pg_stat_activity samples taken during the load window

export interface ActivitySession {
  pid: number;
  state: string | null; // active, idle, idle in transaction, ...
  waitEventType: string | null;
  waitEvent: string | null;
  xactMs: number | null;
  queryMs: number | null;
  stateMs: number | null;
  blockedBy: number[];
  query: string; // normalized (constants removed)
}

export interface ActivitySample {
  at: number; // ms since epoch
  sessions: ActivitySession[];
  /**
   * The active sessions' query texts that carry literal values (value-samples.ts), distinct, for
   * real-value plans. They may hold personal data: kept in the worker-side samples artifact only.
   */
  literals?: string[];
}

export interface SessionNote {
  pid: number;
  ms: number;
  query: string;
}

export interface BlockedNote {
  pid: number;
  blockedBy: number[];
  waitedMs: number;
  waitEvent: string | null;
  query: string;
  blockingQueries: string[];
}

export interface ActivitySummary {
  samples: number;
  firstAt: number | null;
  lastAt: number | null;
  maxConnections: number;
  maxActive: number;
  maxIdleInTransaction: number;
  maxWaitingOnLocks: number;
  /** Samples of active sessions per wait event ("Lock:transactionid", "IO:DataFileRead", "CPU" when none). */
  waitEvents: Record<string, number>;
  longRunning: SessionNote[]; // longest active queries (one per pid), longest first
  idleInTransaction: SessionNote[]; // longest idle-in-transaction sessions
  blocked: BlockedNote[]; // longest lock waits
}

const TOP = 5;

function keepTop<T extends { pid: number }>(list: T[], item: T, by: (x: T) => number): void {
  const i = list.findIndex((x) => x.pid === item.pid);
  if (i >= 0) {
    if (by(item) > by(list[i])) list[i] = item;
  } else list.push(item);
  list.sort((a, b) => by(b) - by(a));
  if (list.length > TOP) list.length = TOP;
}

/** Peaks and the worst sessions over a window's samples. */
export function summarizeActivity(samples: ActivitySample[]): ActivitySummary {
  const s: ActivitySummary = {
    samples: samples.length,
    firstAt: samples.length ? samples[0].at : null,
    lastAt: samples.length ? samples[samples.length - 1].at : null,
    maxConnections: 0,
    maxActive: 0,
    maxIdleInTransaction: 0,
    maxWaitingOnLocks: 0,
    waitEvents: {},
    longRunning: [],
    idleInTransaction: [],
    blocked: [],
  };
  for (const sample of samples) {
    const byPid = new Map(sample.sessions.map((x) => [x.pid, x]));
    let active = 0;
    let idleTx = 0;
    let waiting = 0;
    for (const x of sample.sessions) {
      if (x.state === 'active') {
        active++;
        const ev = x.waitEventType ? `${x.waitEventType}:${x.waitEvent ?? '?'}` : 'CPU';
        s.waitEvents[ev] = (s.waitEvents[ev] ?? 0) + 1;
        if (x.queryMs !== null) keepTop(s.longRunning, { pid: x.pid, ms: x.queryMs, query: x.query }, (n) => n.ms);
      }
      if (x.state === 'idle in transaction' || x.state === 'idle in transaction (aborted)') {
        idleTx++;
        if (x.stateMs !== null) keepTop(s.idleInTransaction, { pid: x.pid, ms: x.stateMs, query: x.query }, (n) => n.ms);
      }
      if (x.blockedBy.length > 0) {
        waiting++;
        keepTop(
          s.blocked,
          {
            pid: x.pid,
            blockedBy: x.blockedBy,
            waitedMs: x.queryMs ?? 0,
            waitEvent: x.waitEventType ? `${x.waitEventType}:${x.waitEvent ?? '?'}` : null,
            query: x.query,
            blockingQueries: x.blockedBy.map((p) => {
              const b = byPid.get(p);
              return b ? `${b.state ?? '?'}: ${b.query}` : '(not visible)';
            }),
          },
          (n) => n.waitedMs,
        );
      }
    }
    s.maxConnections = Math.max(s.maxConnections, sample.sessions.length);
    s.maxActive = Math.max(s.maxActive, active);
    s.maxIdleInTransaction = Math.max(s.maxIdleInTransaction, idleTx);
    s.maxWaitingOnLocks = Math.max(s.maxWaitingOnLocks, waiting);
  }
  return s;
}

/** What profileDatabase stores for the analyzer (kind db-window): the window's full figures. */
export interface DatabaseWindow {
  version: 1;
  windowRequests: number;
  windowSeconds: number | null;
  statements: StatementDelta[];
  tables: TableCounters[] | null;
  indexes: IndexCounters[] | null;
  activity: ActivitySummary | null;
  /** Literal-bearing instances of the statements seen in pg_stat_activity (a few per statement); absent in older windows. */
  valueSamples?: string[];
  /** The same from the server's log (database.logFile: entries written during the window); absent without one. */
  logValueSamples?: string[];
}

/** Buffer hits and reads of the window's statements: the window's cache hit ratio. */
export function statementCacheFigures(deltas: StatementDelta[]): { hit: number; read: number } {
  let hit = 0;
  let read = 0;
  for (const d of deltas) {
    hit += Math.max(0, d.sharedBlksHit);
    read += Math.max(0, d.sharedBlksRead);
  }
  return { hit, read };
}
