// The other client sessions on the current database: state, waits, ages and the sessions blocking them.
import type { PoolClient } from 'pg';
import { normalizeForEvidence } from '../../../../postgres/sql-parse';
import type { HealthSession } from '../snapshot';

export async function readSessions(pool: PoolClient): Promise<HealthSession[]> {
  const result = await pool.query(
    `SELECT a.pid, a.state, a.wait_event_type, a.wait_event, a.application_name,
            (extract(epoch FROM clock_timestamp() - a.query_start) * 1000)::float8 AS query_ms,
            (extract(epoch FROM clock_timestamp() - a.state_change) * 1000)::float8 AS state_ms,
            (extract(epoch FROM clock_timestamp() - a.xact_start) * 1000)::float8 AS xact_ms,
            pg_blocking_pids(a.pid) AS blocked_by, a.query
       FROM pg_stat_activity a
      WHERE a.datname = current_database() AND a.pid <> pg_backend_pid() AND a.backend_type = 'client backend'`,
  );
  return result.rows.map((r) => ({
    pid: Number(r.pid),
    state: r.state ?? null,
    waitEventType: r.wait_event_type ?? null,
    waitEvent: r.wait_event ?? null,
    queryMs: r.query_ms === null ? null : Math.round(Number(r.query_ms)),
    stateMs: r.state_ms === null ? null : Math.round(Number(r.state_ms)),
    xactMs: r.xact_ms === null ? null : Math.round(Number(r.xact_ms)),
    blockedBy: ((r.blocked_by as number[] | null) ?? []).map(Number),
    query: normalizeForEvidence(String(r.query ?? '')),
    application: r.application_name ?? null,
  }));
}
