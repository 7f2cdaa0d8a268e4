// Reads of PostgreSQL's statistics views for a target database: pg_stat_statements, per-table and
// per-index counters, pg_stat_activity samples, and whether the analysis extensions are there.
import type { Pool, PoolClient } from 'pg';
import { normalizeForEvidence } from './sql-parse';
import { quoteIdent } from './sql-ident';
import { VALUE_SAMPLE_MAX_LENGTH } from './value-samples';
import { isExcludedStatement, type ActivitySample, type IndexCounters, type PgssRow, type TableCounters } from './statistics';

/** `created`: this read ran CREATE EXTENSION pg_stat_statements (schema and database named for the report). */
export type PgssRead =
  | { ok: true; rows: PgssRow[]; problems: string[]; created?: { database: string; schema: string } }
  | { ok: false; problems: string[]; created?: { database: string; schema: string } };

function howToEnable(db: string): string {
  return (
    `To enable it: add pg_stat_statements to shared_preload_libraries in postgresql.conf ` +
    `(shared_preload_libraries = 'pg_stat_statements'), restart PostgreSQL, then run ` +
    `CREATE EXTENSION pg_stat_statements; in database "${db}" as a superuser or the database owner.`
  );
}

async function extensionSchema(pool: Pool, name: string): Promise<string | null> {
  const { rows } = await pool.query(
    `SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = $1`,
    [name],
  );
  return rows.length ? String(rows[0].nspname) : null;
}

/** Reads pg_stat_statements for the current database; creates the extension when it is preloaded but not created. */
export async function readPgStatStatements(pool: Pool): Promise<PgssRead> {
  // Only for messages; it is excluded from the profile like our other statements.
  const dbName = async () => String((await pool.query('SELECT current_database() AS db')).rows[0].db);
  const problems: string[] = [];
  let schema = await extensionSchema(pool, 'pg_stat_statements');
  let created: { database: string; schema: string } | undefined;
  if (!schema) {
    try {
      await pool.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    } catch (err) {
      const db = await dbName();
      return {
        ok: false,
        problems: [
          `pg_stat_statements is not created in database "${db}" and CREATE EXTENSION failed (${(err as Error).message}). ${howToEnable(db)}`,
        ],
      };
    }
    schema = await extensionSchema(pool, 'pg_stat_statements');
    if (!schema) {
      const db = await dbName();
      return { ok: false, problems: [`pg_stat_statements could not be created in "${db}". ${howToEnable(db)}`] };
    }
    created = { database: await dbName(), schema };
  }
  try {
    const { rows } = await pool.query(
      `SELECT queryid::text AS queryid, min(query) AS query, sum(calls)::float8 AS calls,
              sum(total_exec_time)::float8 AS total_ms, sum(rows)::float8 AS rows,
              sum(shared_blks_hit)::float8 AS blks_hit, sum(shared_blks_read)::float8 AS blks_read
         FROM ${quoteIdent(schema)}.pg_stat_statements
        WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
          AND queryid IS NOT NULL
        GROUP BY queryid`,
    );
    let hidden = 0;
    const out: PgssRow[] = [];
    for (const r of rows) {
      if (r.query === '<insufficient privilege>') hidden++;
      if (isExcludedStatement(String(r.query ?? ''))) continue;
      out.push({
        queryid: String(r.queryid),
        query: String(r.query),
        calls: Number(r.calls),
        totalMs: Number(r.total_ms),
        rows: Number(r.rows),
        sharedBlksHit: Number(r.blks_hit),
        sharedBlksRead: Number(r.blks_read),
      });
    }
    if (hidden > 0) {
      problems.push(
        `${hidden} pg_stat_statements entries are hidden from this database user (<insufficient privilege>): ` +
          `GRANT pg_read_all_stats TO <the user of the target's database URL>; to see them.`,
      );
    }
    return { ok: true, rows: out, problems, ...(created ? { created } : {}) };
  } catch (err) {
    const e = err as Error & { code?: string };
    if (e.code === '55000' || /shared_preload_libraries/i.test(e.message)) {
      const db = await dbName();
      return {
        ok: false,
        problems: [`pg_stat_statements is not loaded: ${e.message}. ${howToEnable(db)}`],
        ...(created ? { created } : {}),
      };
    }
    throw err;
  }
}

/**
 * How many times pg_stat_statements has evicted entries (pg_stat_statements_info, PostgreSQL 14+); null
 * when it cannot tell. An eviction between two snapshots makes a statement's difference its whole count.
 */
export async function readPgssDeallocations(pool: Pool): Promise<number | null> {
  try {
    const schema = await extensionSchema(pool, 'pg_stat_statements');
    if (!schema) return null;
    const { rows } = await pool.query(`SELECT dealloc::float8 AS dealloc FROM ${quoteIdent(schema)}.pg_stat_statements_info`);
    return rows.length ? Number(rows[0].dealloc) : null;
  } catch {
    return null;
  }
}

/** Cumulative per-table and per-index counters of the schemas analyzed. */
export async function readTableCounters(pool: Pool, schemas: string[]): Promise<{ tables: TableCounters[]; indexes: IndexCounters[] }> {
  const t = await pool.query(
    `SELECT s.schemaname AS schema, s.relname AS table,
            COALESCE(s.seq_scan, 0)::float8 AS seq_scan, COALESCE(s.seq_tup_read, 0)::float8 AS seq_tup_read,
            COALESCE(s.idx_scan, 0)::float8 AS idx_scan, s.n_tup_ins::float8 AS ins, s.n_tup_upd::float8 AS upd,
            s.n_tup_hot_upd::float8 AS hot, s.n_tup_del::float8 AS del,
            COALESCE(io.heap_blks_read, 0)::float8 AS heap_read, COALESCE(io.heap_blks_hit, 0)::float8 AS heap_hit,
            COALESCE(io.idx_blks_read, 0)::float8 AS idx_read, COALESCE(io.idx_blks_hit, 0)::float8 AS idx_hit
       FROM pg_stat_user_tables s
       LEFT JOIN pg_statio_user_tables io ON io.relid = s.relid
      WHERE s.schemaname = ANY($1::text[])`,
    [schemas],
  );
  const i = await pool.query(
    `SELECT schemaname AS schema, relname AS table, indexrelname AS index, idx_scan::float8 AS idx_scan
       FROM pg_stat_user_indexes WHERE schemaname = ANY($1::text[])`,
    [schemas],
  );
  return {
    tables: t.rows.map((r) => ({
      schema: String(r.schema),
      table: String(r.table),
      seqScan: Number(r.seq_scan),
      seqTupRead: Number(r.seq_tup_read),
      idxScan: Number(r.idx_scan),
      nTupIns: Number(r.ins),
      nTupUpd: Number(r.upd),
      nTupHotUpd: Number(r.hot),
      nTupDel: Number(r.del),
      heapBlksRead: Number(r.heap_read),
      heapBlksHit: Number(r.heap_hit),
      idxBlksRead: Number(r.idx_read),
      idxBlksHit: Number(r.idx_hit),
    })),
    indexes: i.rows.map((r) => ({ schema: String(r.schema), table: String(r.table), index: String(r.index), idxScan: Number(r.idx_scan) })),
  };
}

/** One pg_stat_activity sample of the target database's client sessions (ours excluded). */
/** Distinct texts of active sessions that may carry literals (checked when harvested), not longer than a sample may be. */
function literalTexts(rows: { state?: string | null; query?: string | null }[]): string[] {
  const out = new Set<string>();
  for (const r of rows) {
    const q = typeof r.query === 'string' ? r.query.trim() : '';
    if (r.state === 'active' && q && q.length <= VALUE_SAMPLE_MAX_LENGTH && /['0-9]/.test(q)) out.add(q);
  }
  return [...out];
}

export async function sampleActivity(pool: Pool | PoolClient): Promise<ActivitySample> {
  const { rows } = await pool.query(
    `SELECT a.pid, a.state, a.wait_event_type, a.wait_event,
            (extract(epoch FROM clock_timestamp() - a.xact_start) * 1000)::float8 AS xact_ms,
            (extract(epoch FROM clock_timestamp() - a.query_start) * 1000)::float8 AS query_ms,
            (extract(epoch FROM clock_timestamp() - a.state_change) * 1000)::float8 AS state_ms,
            pg_blocking_pids(a.pid) AS blocked_by, a.query
       FROM pg_stat_activity a
      WHERE a.datname = current_database() AND a.pid <> pg_backend_pid() AND a.backend_type = 'client backend'
        AND a.application_name IS DISTINCT FROM 'perf-orchestrator'`,
  );
  return {
    at: Date.now(),
    literals: literalTexts(rows),
    sessions: rows.map((r) => ({
      pid: Number(r.pid),
      state: r.state ?? null,
      waitEventType: r.wait_event_type ?? null,
      waitEvent: r.wait_event ?? null,
      xactMs: r.xact_ms === null ? null : Math.round(Number(r.xact_ms)),
      queryMs: r.query_ms === null ? null : Math.round(Number(r.query_ms)),
      stateMs: r.state_ms === null ? null : Math.round(Number(r.state_ms)),
      blockedBy: ((r.blocked_by as number[] | null) ?? []).map(Number),
      // Literal values of running queries may be personal data: only their normalized form is kept.
      query: normalizeForEvidence(String(r.query ?? '')),
    })),
  };
}
