// Pure logic of the database profile: which pg_stat_statements rows are ours or the catalog's, and
// the difference of two snapshots (the window's figures). No I/O here; unit-tested.
import type { StatementStat } from '../../common/types';
import { STORE_SCHEMA } from '../store/schema';

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
    '\\bpg_(class|index|namespace|attribute|database|extension|available_extensions|stat_\\w+|statio_\\w+|locks|settings|roles|type|proc|am|constraint|indexes|tables|stats)\\b',
    '\\bpg_(advisory_\\w+|try_advisory_\\w+|backend_pid|cancel_backend|terminate_backend|sleep)\\s*\\(',
    `\\b${STORE_SCHEMA}\\.`,
  ].join('|'),
  'i',
);

// Server-information probes without a FROM clause (health checks, prechecks): not workload.
const SERVER_INFO = /^\s*SELECT\s+(version|current_database|current_schema|current_user|current_setting|pg_is_in_recovery|pg_postmaster_start_time|inet_server_addr)\s*\([^)]*\)(\s+AS\s+\w+)?(\s*,\s*(version|current_database|current_schema|current_user|current_setting|pg_is_in_recovery|pg_postmaster_start_time|inet_server_addr)\s*\([^)]*\)(\s+AS\s+\w+)?)*\s*;?\s*$/i;

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

export interface StatementDelta {
  queryid: string;
  query: string;
  calls: number;
  totalMs: number;
  rows: number;
  sharedBlksHit: number;
  sharedBlksRead: number;
}

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

const round = (x: number, digits = 3): number => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

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
    .map(
      (d): StatementStat => ({
        queryid: d.queryid,
        query: d.query,
        calls: d.calls,
        totalMs: round(d.totalMs),
        meanMs: round(d.totalMs / d.calls, 4),
        rows: d.rows,
        callsPerRequest: windowRequests > 0 ? round(d.calls / windowRequests, 3) : 0,
      }),
    );
  return { dbTimeMs: round(dbTimeMs), dbShareOfLatencyPct: round(share, 2), topStatements };
}
