// Database profile of a target: pg_stat_statements snapshots before and after a load window, and
// the window's figures (time in the database, share of request latency, top statements).
import type { Pool } from 'pg';
import type { TargetProfile } from '../../common/profile';
import type { DatabaseProfile } from '../../common/types';
import type { ActivityDeps } from '../deps';
import { loadArtifact, saveArtifact } from '../store/artifacts';
import { quoteIdent } from '../postgres/sql-ident';
import { ensureParser, normalizeForEvidence } from '../postgres/sql-parse';
import {
  asStatsSnapshot,
  diffIndexCounters,
  diffSnapshots,
  diffTableCounters,
  isExcludedStatement,
  summarizeActivity,
  summarizeWindow,
  type ActivitySample,
  type DatabaseWindow,
  type IndexCounters,
  type PgssRow,
  type StatsSnapshot,
  type TableCounters,
} from '../postgres/statistics';

export const PGSS_SNAPSHOT_KIND = 'pgss-snapshot';
export const DB_WINDOW_KIND = 'db-window';

export interface CaptureSnapshotRequest {
  runId: string;
  target: TargetProfile;
}

export interface ProfileDatabaseRequest {
  runId: string;
  target: TargetProfile;
  beforeSnapshotId: string | null;
  windowRequests: number;
  totalRequestLatencyMs: number;
}

type PgssRead = { ok: true; rows: PgssRow[]; problems: string[] } | { ok: false; problems: string[] };

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
    return { ok: true, rows: out, problems };
  } catch (err) {
    const e = err as Error & { code?: string };
    if (e.code === '55000' || /shared_preload_libraries/i.test(e.message)) {
      const db = await dbName();
      return { ok: false, problems: [`pg_stat_statements is not loaded: ${e.message}. ${howToEnable(db)}`] };
    }
    throw err;
  }
}

async function hypopgAvailable(pool: Pool): Promise<boolean> {
  const { rowCount } = await pool.query(`SELECT 1 FROM pg_available_extensions WHERE name = 'hypopg'`);
  return (rowCount ?? 0) > 0;
}

/** pg_qualstats is usable when its library is preloaded and the extension is created. */
async function pgQualstatsUsable(pool: Pool): Promise<boolean> {
  const { rows } = await pool.query(
    `SELECT current_setting('shared_preload_libraries') ~ '(^|[\s,])pg_qualstats($|[\s,])' AS preloaded,
            EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_qualstats') AS created`,
  );
  return Boolean(rows[0]?.preloaded && rows[0]?.created);
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
export async function sampleActivity(pool: Pool): Promise<ActivitySample> {
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

/**
 * pg_stat_activity sampled in the background while a load window runs: started by
 * captureDatabaseSnapshot, collected by profileDatabase of the same run on this worker. It stops by
 * itself after `maxMs`, so a run that never profiles leaves nothing behind.
 */
class ActivitySampler {
  readonly samples: ActivitySample[] = [];
  private timer: NodeJS.Timeout | null = null;
  private busy = false;
  private readonly stopAt: number;

  constructor(
    private readonly pool: Pool,
    intervalMs: number,
    maxMs: number,
    private readonly maxSamples = 2_000,
  ) {
    this.stopAt = Date.now() + maxMs;
    this.timer = setInterval(() => void this.tick(), intervalMs);
    this.timer.unref();
    void this.tick();
  }

  private async tick(): Promise<void> {
    if (Date.now() > this.stopAt || this.samples.length >= this.maxSamples) {
      this.stop();
      return;
    }
    if (this.busy) return;
    this.busy = true;
    try {
      this.samples.push(await sampleActivity(this.pool));
    } catch {
      // the target is busy or restarting: a missed sample is not a failure
    } finally {
      this.busy = false;
    }
  }

  stop(): ActivitySample[] {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    return this.samples;
  }
}

const samplers = new Map<string, ActivitySampler>();

export interface SamplerOptions {
  intervalMs: number;
  /** Added to the load window (warm-up + duration) before the sampler gives up on its own. */
  slackMs: number;
}

const DEFAULT_SAMPLER: SamplerOptions = { intervalMs: 500, slackMs: 60_000 };

export function createDatabaseProfileActivities(deps: ActivityDeps, samplerOptions: Partial<SamplerOptions> = {}) {
  const sampler = { ...DEFAULT_SAMPLER, ...samplerOptions };

  async function captureDatabaseSnapshot(req: CaptureSnapshotRequest): Promise<{ snapshotId: string | null; problems: string[] }> {
    if (!req.target.database) return { snapshotId: null, problems: [`target ${req.target.name} has no database section`] };
    const pool = deps.connections.database(req.target);
    const read = await readPgStatStatements(pool);
    if (!read.ok) return { snapshotId: null, problems: read.problems };
    const problems = [...read.problems];
    let counters: { tables: TableCounters[]; indexes: IndexCounters[] } = { tables: [], indexes: [] };
    try {
      counters = await readTableCounters(pool, req.target.database.schemas);
    } catch (err) {
      problems.push(`table statistics could not be read (${(err as Error).message}); write rates and scan counts will be missing`);
    }
    const snapshot: StatsSnapshot = { version: 2, takenAt: new Date().toISOString(), pgss: read.rows, ...counters };
    const snapshotId = await saveArtifact(deps.store, req.runId, PGSS_SNAPSHOT_KIND, snapshot);
    // Sessions, waits and locks during the load that follows.
    await ensureParser(); // normalizes the sampled query texts
    samplers.get(req.runId)?.stop();
    const windowMs = (req.target.load.warmupSeconds + req.target.load.durationSeconds) * 1000;
    samplers.set(req.runId, new ActivitySampler(pool, sampler.intervalMs, windowMs + sampler.slackMs));
    return { snapshotId, problems };
  }

  async function profileDatabase(req: ProfileDatabaseRequest): Promise<DatabaseProfile> {
    const empty = (problems: string[], ext = { pgStatStatements: false, hypopg: false }): DatabaseProfile => ({
      available: false,
      problems,
      extensions: ext,
      windowRequests: req.windowRequests,
      dbTimeMs: 0,
      dbShareOfLatencyPct: 0,
      topStatements: [],
    });
    if (!req.target.database) return empty([`target ${req.target.name} has no database section`]);
    const pool = deps.connections.database(req.target);
    const hypopg = await hypopgAvailable(pool);
    const problems: string[] = [];

    const running = samplers.get(req.runId);
    samplers.delete(req.runId);
    let samples = running?.stop() ?? [];

    let before: PgssRow[] | null = null;
    let beforeTables: TableCounters[] | null = null;
    let beforeIndexes: IndexCounters[] | null = null;
    let takenAt: string | null = null;
    if (req.beforeSnapshotId) {
      try {
        const snap = asStatsSnapshot(await loadArtifact<unknown>(deps.store, req.beforeSnapshotId));
        before = snap.pgss;
        beforeTables = snap.tables;
        beforeIndexes = snap.indexes;
        takenAt = snap.takenAt;
      } catch (err) {
        problems.push(`before snapshot ${req.beforeSnapshotId} could not be loaded (${(err as Error).message}); figures are cumulative`);
      }
    } else {
      problems.push("no before snapshot: figures are cumulative since the last pg_stat_statements reset, not the window's");
    }

    const read = await readPgStatStatements(pool);
    if (!read.ok) return empty([...problems, ...read.problems], { pgStatStatements: false, hypopg });
    problems.push(...read.problems);
    const schemas = req.target.database.schemas;
    let counters: { tables: TableCounters[]; indexes: IndexCounters[] } | null = null;
    try {
      counters = await readTableCounters(pool, schemas);
    } catch (err) {
      problems.push(`table statistics could not be read (${(err as Error).message})`);
    }
    await saveArtifact(deps.store, req.runId, PGSS_SNAPSHOT_KIND, {
      version: 2,
      takenAt: new Date().toISOString(),
      pgss: read.rows,
      ...(counters ?? { tables: [], indexes: [] }),
    } satisfies StatsSnapshot);
    if (samples.length === 0) {
      await ensureParser();
      // The sampler ran on another worker (or this one restarted): one sample now is better than none.
      try {
        samples = [await sampleActivity(pool)];
        problems.push(
          'pg_stat_activity was not sampled during the load window (the sampler runs on the worker that took the before snapshot); one sample taken after it',
        );
      } catch {
        // reported by the analyzer as missing activity figures
      }
    }
    const pgQualstats = await pgQualstatsUsable(pool).catch(() => false);
    if (!hypopg) {
      problems.push(
        'hypopg is not available, so index proposals cannot be verified with hypothetical indexes: ' +
          'install it (Debian/Ubuntu: apt-get install postgresql-15-hypopg) and run CREATE EXTENSION hypopg;',
      );
    }

    const deltas = diffSnapshots(before, read.rows);
    const figures = summarizeWindow(deltas, req.windowRequests, req.totalRequestLatencyMs);
    const window: DatabaseWindow = {
      version: 1,
      windowRequests: req.windowRequests,
      windowSeconds: takenAt ? Math.max(0, (Date.now() - Date.parse(takenAt)) / 1000) : null,
      statements: deltas,
      tables: counters && beforeTables ? diffTableCounters(beforeTables, counters.tables) : null,
      indexes: counters && beforeIndexes ? diffIndexCounters(beforeIndexes, counters.indexes) : null,
      activity: samples.length ? summarizeActivity(samples) : null,
    };
    const windowArtifactId = await saveArtifact(deps.store, req.runId, DB_WINDOW_KIND, window);
    return {
      available: true,
      problems,
      extensions: { pgStatStatements: true, hypopg, pgQualstats },
      windowRequests: req.windowRequests,
      ...figures,
      windowArtifactId,
    };
  }

  return { captureDatabaseSnapshot, profileDatabase };
}
