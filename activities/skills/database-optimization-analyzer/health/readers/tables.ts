// The tables (and materialized views) of the analyzed schemas: size, activity counters, vacuum and analyze
// state, transaction ID age, block I/O and the figures of the bloat estimate.
import type { PoolClient } from 'pg';
import type { HealthTable } from '../snapshot';

export async function readTables(pool: PoolClient, schemas: string[]): Promise<HealthTable[]> {
  const result = await pool.query(
    `SELECT n.nspname AS schema, c.relname AS name, GREATEST(c.reltuples, 0)::float8 AS reltuples, c.relpages::float8 AS relpages,
            pg_table_size(c.oid)::float8 AS size, COALESCE(s.n_live_tup, 0)::float8 AS live, COALESCE(s.n_dead_tup, 0)::float8 AS dead,
            COALESCE(s.n_mod_since_analyze, 0)::float8 AS mods, GREATEST(s.last_analyze, s.last_autoanalyze) AS last_analyze,
            GREATEST(s.last_vacuum, s.last_autovacuum) AS last_vacuum, COALESCE(s.seq_scan, 0)::float8 AS seq_scan,
            COALESCE(s.idx_scan, 0)::float8 AS idx_scan, age(c.relfrozenxid)::float8 AS xid_age,
            COALESCE((SELECT substring(o FROM 'fillfactor=(\\d+)')::int FROM unnest(c.reloptions) AS o WHERE o LIKE 'fillfactor=%'), 100) AS fillfactor,
            (SELECT sum((1 - st.null_frac) * st.avg_width)::float8 + 23 + CASE WHEN max(st.null_frac) > 0 THEN (count(*) + 7) / 8 ELSE 0 END
               FROM pg_stats st WHERE st.schemaname = n.nspname AND st.tablename = c.relname AND NOT st.inherited) AS row_width,
            (SELECT count(*) FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped)::int AS ncols,
            (SELECT count(*) FROM pg_stats st WHERE st.schemaname = n.nspname AND st.tablename = c.relname AND NOT st.inherited)::int AS nstats,
            COALESCE(io.heap_blks_hit, 0)::float8 AS heap_hit, COALESCE(io.heap_blks_read, 0)::float8 AS heap_read,
            COALESCE(io.idx_blks_hit, 0)::float8 AS idx_hit, COALESCE(io.idx_blks_read, 0)::float8 AS idx_read
       FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
       LEFT JOIN pg_statio_user_tables io ON io.relid = c.oid
      WHERE n.nspname = ANY($1::text[]) AND c.relkind IN ('r', 'm')`,
    [schemas],
  );
  return result.rows.map((r) => ({
    schema: String(r.schema),
    name: String(r.name),
    reltuples: Number(r.reltuples),
    relpages: Number(r.relpages),
    sizeBytes: Number(r.size),
    liveTuples: Number(r.live),
    deadTuples: Number(r.dead),
    modsSinceAnalyze: Number(r.mods),
    lastAnalyze: r.last_analyze ? new Date(r.last_analyze).toISOString() : null,
    lastVacuum: r.last_vacuum ? new Date(r.last_vacuum).toISOString() : null,
    seqScan: Number(r.seq_scan),
    idxScan: Number(r.idx_scan),
    xidAge: Number(r.xid_age),
    fillfactor: Number(r.fillfactor),
    rowWidth: r.row_width !== null && Number(r.nstats) === Number(r.ncols) ? Number(r.row_width) : null,
    heapBlksHit: Number(r.heap_hit),
    heapBlksRead: Number(r.heap_read),
    idxBlksHit: Number(r.idx_hit),
    idxBlksRead: Number(r.idx_read),
  }));
}
