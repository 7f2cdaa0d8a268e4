// Session checks: connections near the limit, sessions idle in transaction, long-running queries and lock waits.
import type { Finding } from '../../../../../common/types';
import { round } from '../../../../../common/round';
import type { HealthOptions } from '../options';
import type { HealthSnapshot } from '../snapshot';
import type { HealthWindow } from '../window';
import { manualFinding } from './manual-finding';
import { settingNumber } from './settings';

export function connections(s: HealthSnapshot, w: HealthWindow | null, o: HealthOptions): Finding | null {
  const max = settingNumber(s, 'max_connections', 100);
  const reserved = settingNumber(s, 'superuser_reserved_connections', 3);
  const usable = Math.max(1, max - reserved);
  const peak = Math.max(s.serverConnections, w?.activity?.maxConnections ?? 0);
  if (peak < usable * o.connectionsMaxFraction) return null;
  return manualFinding(
    {
      kind: 'connections',
      rootCause: 'connection_pressure',
      title: `Connections near the limit: ${peak} of ${usable} usable (max_connections ${max} - ${reserved} reserved)`,
      summary: [
        `peak client connections ${peak} (${round((100 * peak) / usable, 1)}%): ` +
          `${w?.activity ? `${w.activity.samples} pg_stat_activity samples during the load` : 'now'}; ` +
          `each connection is a backend process with its own memory`,
        w?.activity
          ? `at most ${w.activity.maxActive} of them were active at once, ${w.activity.maxIdleInTransaction} idle in transaction`
          : '',
      ].filter(Boolean),
      items: [],
      steps: [
        'put a pooler in front of PostgreSQL (PgBouncer, pool_mode = transaction) ' +
          'and size application pools to what the server can run at once (about 2-4 x CPU cores active)',
        'lower the application pool sizes so their sum stays below max_connections - superuser_reserved_connections',
        "only if memory allows: ALTER SYSTEM SET max_connections = '<n>'; then restart PostgreSQL",
      ],
      rollback: 'restore the previous pool sizes / ALTER SYSTEM RESET max_connections; then restart',
      risk: 'medium',
      effort: 'connection_pooling',
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
  return manualFinding(
    {
      kind: 'idle-in-transaction',
      rootCause: 'connection_pressure',
      title:
        `${list.length} session${list.length > 1 ? 's' : ''} ` +
        `idle in transaction for ${round(list[0][1].ms / 1000, 1)} s or more: locks held, vacuum held back`,
      summary: [
        `sessions in state "idle in transaction" for at least ${o.idleInTransactionMs / 1000} s (pg_stat_activity); ` +
          `idle_in_transaction_session_timeout = ${timeout}`,
      ],
      items: list.map(([pid, v]) => `pid ${pid}: idle in transaction for ${round(v.ms / 1000, 1)} s after: ${v.query}`),
      steps: [
        'fix the application: commit or roll back before doing other work (HTTP calls, user think time) inside a transaction',
        "ALTER SYSTEM SET idle_in_transaction_session_timeout = '60s'; SELECT pg_reload_conf();",
        ...list.map(([pid]) => `if it must end now: SELECT pg_terminate_backend(${pid});`),
      ],
      rollback: 'ALTER SYSTEM RESET idle_in_transaction_session_timeout; SELECT pg_reload_conf();',
      risk: 'medium',
      effort: 'config_reload',
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
  return manualFinding(
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
      effort: 'investigation',
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
  return manualFinding(
    {
      kind: 'blocked-queries',
      rootCause: 'lock_contention',
      title: `Lock contention: queries waited ${round(over[0].waitedMs / 1000, 1)} s or more on locks (up to ${peak} at once)`,
      summary: [`sessions waiting on a lock held by another (pg_blocking_pids) for at least ${o.lockWaitMs} ms`],
      items: over.map(
        (b) =>
          `pid ${b.pid} waited ${round(b.waitedMs / 1000, 2)} s (${b.waitEvent ?? 'lock'}) on pid ${b.blockedBy.join(', ')}: ` +
          `${b.query} <- blocked by: ${b.blockingQueries.join(' | ')}`,
      ),
      steps: [
        'shorten the blocking transactions (commit sooner; no user or network waits inside them); ' +
          'update hot rows in a consistent order to avoid waits and deadlocks',
        "run DDL with a short lock_timeout (SET lock_timeout = '2s') and retry, so it does not queue every query behind it",
        ...blockers.map((p) => `if a blocker is stuck: SELECT pg_cancel_backend(${p}); (or pg_terminate_backend(${p}))`),
      ],
      rollback: 'nothing to undo (application and operational changes)',
      risk: 'medium',
      effort: 'investigation',
    },
    o.maxItems,
  );
}
