// Database profile of a target: pg_stat_statements snapshots before and after a load window, and
// the window's figures (time in the database, share of request latency, top statements).
import type { Pool } from 'pg';
import type { TargetProfile } from '../../common/profile';
import type { DatabaseProfile } from '../../common/types';
import type { ActivityDeps } from '../deps';
import { loadArtifact, saveArtifact } from '../store/artifacts';
import { quoteIdent } from '../actions/sql-ident';
import { diffSnapshots, isExcludedStatement, summarizeWindow, type PgssRow } from './database-stats';

export const PGSS_SNAPSHOT_KIND = 'pgss-snapshot';

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

export function createDatabaseProfileActivities(deps: ActivityDeps) {
  async function captureDatabaseSnapshot(req: CaptureSnapshotRequest): Promise<{ snapshotId: string | null; problems: string[] }> {
    if (!req.target.database) return { snapshotId: null, problems: [`target ${req.target.name} has no database section`] };
    const pool = deps.connections.database(req.target);
    const read = await readPgStatStatements(pool);
    if (!read.ok) return { snapshotId: null, problems: read.problems };
    const snapshotId = await saveArtifact(deps.store, req.runId, PGSS_SNAPSHOT_KIND, read.rows);
    return { snapshotId, problems: read.problems };
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

    let before: PgssRow[] | null = null;
    if (req.beforeSnapshotId) {
      try {
        before = await loadArtifact<PgssRow[]>(deps.store, req.beforeSnapshotId);
      } catch (err) {
        problems.push(`before snapshot ${req.beforeSnapshotId} could not be loaded (${(err as Error).message}); figures are cumulative`);
      }
    } else {
      problems.push('no before snapshot: figures are cumulative since the last pg_stat_statements reset, not the window\'s');
    }

    const read = await readPgStatStatements(pool);
    if (!read.ok) return empty([...problems, ...read.problems], { pgStatStatements: false, hypopg });
    problems.push(...read.problems);
    await saveArtifact(deps.store, req.runId, PGSS_SNAPSHOT_KIND, read.rows);
    if (!hypopg) {
      problems.push(
        'hypopg is not available, so index proposals cannot be verified with hypothetical indexes: ' +
          'install it (Debian/Ubuntu: apt-get install postgresql-15-hypopg) and run CREATE EXTENSION hypopg;',
      );
    }

    const deltas = diffSnapshots(before, read.rows);
    const figures = summarizeWindow(deltas, req.windowRequests, req.totalRequestLatencyMs);
    return {
      available: true,
      problems,
      extensions: { pgStatStatements: true, hypopg },
      windowRequests: req.windowRequests,
      ...figures,
    };
  }

  return { captureDatabaseSnapshot, profileDatabase };
}
