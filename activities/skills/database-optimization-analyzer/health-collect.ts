// The database's state for the health checks, read from the catalog and statistics views of the
// target database (read-only queries; nothing here needs an extension).
import type { Pool } from 'pg';
import { normalizeForEvidence } from '../../postgres/sql-parse';

export interface HealthIndex {
  schema: string;
  table: string;
  name: string;
  unique: boolean;
  primary: boolean;
  /** Backs a constraint (primary key, unique, exclusion): cannot be dropped alone. */
  constraint: string | null;
  valid: boolean;
  /** An index being built right now (pg_stat_progress_create_index) is INVALID until it is done. */
  building: boolean;
  method: string;
  /** Key columns: names, or the expression text; with direction. */
  keys: string[];
  include: string[];
  predicate: string | null;
  sizeBytes: number;
  /** idx_scan since the statistics were reset. */
  scans: number;
  definition: string;
  relpages: number;
  reltuples: number;
  /** Summed average width of the key columns (pg_stats), null when unknown. */
  keyWidth: number | null;
}

export interface HealthTable {
  schema: string;
  name: string;
  reltuples: number;
  relpages: number;
  sizeBytes: number;
  liveTuples: number;
  deadTuples: number;
  modsSinceAnalyze: number;
  lastAnalyze: string | null; // the later of manual and auto
  lastVacuum: string | null;
  seqScan: number;
  idxScan: number;
  xidAge: number;
  fillfactor: number;
  /** Estimated bytes of a row on disk from pg_stats (header + data), null without statistics. */
  rowWidth: number | null;
  heapBlksHit: number;
  heapBlksRead: number;
  idxBlksHit: number;
  idxBlksRead: number;
}

export interface HealthSequence {
  schema: string;
  name: string;
  lastValue: number | null;
  maxValue: number;
  increment: number;
  cycle: boolean;
  /** The column it feeds, when owned, and that column's type limit. */
  column: { schema: string; table: string; name: string; type: string; max: number } | null;
}

export interface HealthSession {
  pid: number;
  state: string | null;
  waitEventType: string | null;
  waitEvent: string | null;
  queryMs: number | null;
  stateMs: number | null;
  xactMs: number | null;
  blockedBy: number[];
  query: string;
  application: string | null;
}

export interface HealthSnapshot {
  takenAt: string;
  settings: Record<string, string>;
  statsReset: string | null;
  serverStart: string | null;
  blockSize: number;
  database: { name: string; xidAge: number; mxidAge: number; connections: number };
  /** Connections to the whole server by state (every database). */
  serverConnections: number;
  indexes: HealthIndex[];
  tables: HealthTable[];
  sequences: HealthSequence[];
  sessions: HealthSession[];
  preparedXacts: { gid: string; ageMs: number }[];
  replicationSlots: { name: string; active: boolean; xminAge: number | null }[];
}

const SETTINGS = [
  'max_connections',
  'superuser_reserved_connections',
  'shared_buffers',
  'autovacuum',
  'autovacuum_freeze_max_age',
  'autovacuum_multixact_freeze_max_age',
  'autovacuum_analyze_threshold',
  'autovacuum_analyze_scale_factor',
  'autovacuum_vacuum_threshold',
  'autovacuum_vacuum_scale_factor',
  'idle_in_transaction_session_timeout',
  'statement_timeout',
  'track_counts',
  'shared_preload_libraries',
  'server_version_num',
  'block_size',
  'effective_cache_size',
];

// The largest value of a column's type, compared with the sequence's values read as float8: bigint's
// 2^63 - 1 has no exact number, it is 2^63 as a float8 (like pg_sequences.max_value::float8).
const TYPE_MAX: Record<string, number> = { smallint: 32767, integer: 2147483647, bigint: 2 ** 63 };

export async function collectHealth(pool: Pool, schemas: string[]): Promise<HealthSnapshot> {
  const settingsQ = pool.query(`SELECT name, setting, unit FROM pg_settings WHERE name = ANY($1::text[])`, [SETTINGS]);
  const dbQ = pool.query(
    `SELECT current_database() AS name, age(d.datfrozenxid)::float8 AS xid_age, mxid_age(d.datminmxid)::float8 AS mxid_age,
            s.stats_reset, pg_postmaster_start_time() AS started,
            (SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend')::int AS connections,
            (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend')::int AS server_connections
       FROM pg_database d LEFT JOIN pg_stat_database s ON s.datid = d.oid
      WHERE d.datname = current_database()`,
  );
  const indexQ = pool.query(
    `SELECT n.nspname AS schema, t.relname AS table, ic.relname AS name, i.indisunique AS unique, i.indisprimary AS primary,
            con.conname AS constraint, i.indisvalid AS valid,
            EXISTS (SELECT 1 FROM pg_stat_progress_create_index p WHERE p.index_relid = i.indexrelid) AS building,
            am.amname AS method, i.indnkeyatts AS nkey,
            ARRAY(SELECT pg_get_indexdef(i.indexrelid, k, true) FROM generate_series(1, i.indnatts) AS k ORDER BY k) AS cols,
            i.indoption::int2[] AS options, pg_get_expr(i.indpred, i.indrelid) AS predicate,
            pg_relation_size(i.indexrelid)::float8 AS size, COALESCE(s.idx_scan, 0)::float8 AS scans,
            pg_get_indexdef(i.indexrelid) AS definition, ic.relpages::float8 AS relpages, ic.reltuples::float8 AS reltuples,
            (SELECT sum(st.avg_width)::float8 FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
               JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
               JOIN pg_stats st ON st.schemaname = n.nspname AND st.tablename = t.relname AND st.attname = a.attname
              WHERE k.ord <= i.indnkeyatts) AS key_width,
            (SELECT count(*) FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord) WHERE k.ord <= i.indnkeyatts)::int AS key_count
       FROM pg_index i
       JOIN pg_class ic ON ic.oid = i.indexrelid
       JOIN pg_class t ON t.oid = i.indrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
       JOIN pg_am am ON am.oid = ic.relam
       LEFT JOIN pg_stat_user_indexes s ON s.indexrelid = i.indexrelid
       LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid AND con.contype IN ('p', 'u', 'x')
      WHERE n.nspname = ANY($1::text[])`,
    [schemas],
  );
  const tableQ = pool.query(
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
  const seqQ = pool.query(
    `SELECT s.schemaname AS schema, s.sequencename AS name, s.last_value::float8 AS last_value, s.max_value::float8 AS max_value,
            s.increment_by::float8 AS increment, s.cycle,
            tn.nspname AS col_schema, t.relname AS col_table, a.attname AS col_name, format_type(a.atttypid, a.atttypmod) AS col_type
       FROM pg_sequences s
       JOIN pg_namespace sn ON sn.nspname = s.schemaname
       JOIN pg_class sc ON sc.relname = s.sequencename AND sc.relnamespace = sn.oid
       LEFT JOIN pg_depend d ON d.objid = sc.oid AND d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
       LEFT JOIN pg_class t ON t.oid = d.refobjid
       LEFT JOIN pg_namespace tn ON tn.oid = t.relnamespace
       LEFT JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
      WHERE s.schemaname = ANY($1::text[])`,
    [schemas],
  );
  const sessQ = pool.query(
    `SELECT a.pid, a.state, a.wait_event_type, a.wait_event, a.application_name,
            (extract(epoch FROM clock_timestamp() - a.query_start) * 1000)::float8 AS query_ms,
            (extract(epoch FROM clock_timestamp() - a.state_change) * 1000)::float8 AS state_ms,
            (extract(epoch FROM clock_timestamp() - a.xact_start) * 1000)::float8 AS xact_ms,
            pg_blocking_pids(a.pid) AS blocked_by, a.query
       FROM pg_stat_activity a
      WHERE a.datname = current_database() AND a.pid <> pg_backend_pid() AND a.backend_type = 'client backend'`,
  );
  const prepQ = pool.query(`SELECT gid, (extract(epoch FROM now() - prepared) * 1000)::float8 AS age_ms FROM pg_prepared_xacts`);
  const slotQ = pool.query(`SELECT slot_name, active, age(xmin)::float8 AS xmin_age FROM pg_replication_slots`);
  const [settings, db, idx, tbl, seq, sess, prep, slots] = await Promise.all([settingsQ, dbQ, indexQ, tableQ, seqQ, sessQ, prepQ, slotQ]);

  const set: Record<string, string> = {};
  for (const r of settings.rows) set[String(r.name)] = `${r.setting}${r.unit && !/^\d/.test(String(r.unit)) ? String(r.unit) : ''}`;
  const rawBlock = settings.rows.find((r) => r.name === 'block_size');
  const blockSize = rawBlock ? Number(rawBlock.setting) : 8192;
  const d = db.rows[0];
  return {
    takenAt: new Date().toISOString(),
    settings: set,
    statsReset: d?.stats_reset ? new Date(d.stats_reset).toISOString() : null,
    serverStart: d?.started ? new Date(d.started).toISOString() : null,
    blockSize,
    database: {
      name: String(d?.name ?? ''),
      xidAge: Number(d?.xid_age ?? 0),
      mxidAge: Number(d?.mxid_age ?? 0),
      connections: Number(d?.connections ?? 0),
    },
    serverConnections: Number(d?.server_connections ?? 0),
    indexes: idx.rows.map((r) => {
      const cols = r.cols as string[];
      const nkey = Number(r.nkey);
      const options = (r.options as number[]) ?? [];
      return {
        schema: String(r.schema),
        table: String(r.table),
        name: String(r.name),
        unique: Boolean(r.unique),
        primary: Boolean(r.primary),
        constraint: r.constraint ?? null,
        valid: Boolean(r.valid),
        building: Boolean(r.building),
        method: String(r.method),
        keys: cols.slice(0, nkey).map((c, i) => `${c}${(Number(options[i] ?? 0) & 1) === 1 ? ' DESC' : ''}`),
        include: cols.slice(nkey),
        predicate: r.predicate ?? null,
        sizeBytes: Number(r.size),
        scans: Number(r.scans),
        definition: String(r.definition),
        relpages: Number(r.relpages),
        reltuples: Math.max(0, Number(r.reltuples)),
        keyWidth: r.key_width === null || Number(r.key_count) === 0 ? null : Number(r.key_width),
      };
    }),
    tables: tbl.rows.map((r) => ({
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
    })),
    sequences: seq.rows.map((r) => ({
      schema: String(r.schema),
      name: String(r.name),
      lastValue: r.last_value === null ? null : Number(r.last_value),
      maxValue: Number(r.max_value),
      increment: Number(r.increment),
      cycle: Boolean(r.cycle),
      column: r.col_name
        ? {
            schema: String(r.col_schema),
            table: String(r.col_table),
            name: String(r.col_name),
            type: String(r.col_type),
            max: TYPE_MAX[String(r.col_type)] ?? Number(r.max_value),
          }
        : null,
    })),
    sessions: sess.rows.map((r) => ({
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
    })),
    preparedXacts: prep.rows.map((r) => ({ gid: String(r.gid), ageMs: Number(r.age_ms) })),
    replicationSlots: slots.rows.map((r) => ({
      name: String(r.slot_name),
      active: Boolean(r.active),
      xminAge: r.xmin_age === null ? null : Number(r.xmin_age),
    })),
  };
}
