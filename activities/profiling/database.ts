// Database profile of a target: pg_stat_statements snapshots before and after a load window, and
// the window's figures (time in the database, share of request latency, top statements, table
// counters, the pg_stat_activity samples taken during it).
import type { Pool } from 'pg';
import type { TargetProfile } from '../../common/profile';
import type { CreatedExtension, DatabaseProfile } from '../../common/types';
import type { ActivityDeps } from '../deps';
import { ensureParser } from '../postgres/sql-parse';
import { extensionStates, installHint, usable } from '../postgres/extensions';
import { readPgStatStatements, readTableCounters, sampleActivity } from '../postgres/stat-views';
import { harvestValueSamples } from '../postgres/value-samples';
import type { LogPosition } from '../postgres/log-file';
import { captureLogPosition, logValueSamples } from './database-log';
import {
  asStatsSnapshot,
  diffIndexCounters,
  diffSnapshots,
  diffTableCounters,
  summarizeActivity,
  summarizeWindow,
  type ActivitySample,
  type DatabaseWindow,
  type IndexCounters,
  type PgssRow,
  type StatsSnapshot,
  type TableCounters,
} from '../postgres/statistics';
import { loadArtifact, saveArtifact } from '../store/artifacts';
import { createdExtensions, recordCreatedExtension } from '../postgres/created-extensions';

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
  /** The pg_stat_activity samples of the window (sampleDatabaseActivity); absent in requests recorded before it. */
  activityArtifactId?: string | null;
  /** Why the window has no activity samples (they did not cover the load): then none is taken after it either. */
  activityNotMeasured?: string;
}

type Counters = { tables: TableCounters[]; indexes: IndexCounters[] };

async function readCounters(pool: Pool, schemas: string[], problems: string[], consequence: string): Promise<Counters | null> {
  try {
    return await readTableCounters(pool, schemas);
  } catch (err) {
    problems.push(`table statistics could not be read (${(err as Error).message})${consequence}`);
    return null;
  }
}

/** A pg_stat_statements snapshot with the table and index counters (and where the log ends), stored; its id. */
function saveSnapshot(
  store: Pool,
  runId: string,
  pgss: PgssRow[],
  counters: Counters | null,
  logPosition?: LogPosition | null,
): Promise<string> {
  const snapshot: StatsSnapshot = {
    version: 2,
    takenAt: new Date().toISOString(),
    pgss,
    ...(counters ?? { tables: [], indexes: [] }),
    ...(logPosition ? { logPosition } : {}),
  };
  return saveArtifact(store, runId, PGSS_SNAPSHOT_KIND, snapshot);
}

async function loadBefore(store: Pool, id: string | null, problems: string[]): Promise<ReturnType<typeof asStatsSnapshot> | null> {
  if (!id) {
    problems.push("no before snapshot: figures are cumulative since the last pg_stat_statements reset, not the window's");
    return null;
  }
  try {
    return asStatsSnapshot(await loadArtifact<unknown>(store, id));
  } catch (err) {
    problems.push(`before snapshot ${id} could not be loaded (${(err as Error).message}); figures are cumulative`);
    return null;
  }
}

/** The window's activity samples; one sample now when they are missing (better than none). */
async function activitySamples(pool: Pool, store: Pool, req: ProfileDatabaseRequest, problems: string[]): Promise<ActivitySample[]> {
  const id = req.activityArtifactId;
  if (req.activityNotMeasured) {
    problems.push(`pg_stat_activity ${req.activityNotMeasured}`);
    return [];
  }
  if (id) {
    try {
      return await loadArtifact<ActivitySample[]>(store, id);
    } catch (err) {
      problems.push(`the window's pg_stat_activity samples (${id}) could not be loaded: ${(err as Error).message}`);
    }
  }
  try {
    await ensureParser();
    const one = await sampleActivity(pool);
    problems.push('pg_stat_activity was not sampled during the load window; one sample taken after it');
    return [one];
  } catch {
    return []; // reported by the analyzer as missing activity figures
  }
}

function unavailable(req: ProfileDatabaseRequest, problems: string[], hypopg = false, created: CreatedExtension[] = []): DatabaseProfile {
  return {
    available: false,
    problems,
    extensions: { pgStatStatements: false, hypopg },
    ...(created.length ? { createdExtensions: created } : {}),
    windowRequests: req.windowRequests,
    dbTimeMs: 0,
    dbShareOfLatencyPct: 0,
    topStatements: [],
  };
}

async function profileDatabase(deps: ActivityDeps, req: ProfileDatabaseRequest): Promise<DatabaseProfile> {
  if (!req.target.database) return unavailable(req, [`target ${req.target.name} has no database section`]);
  const pool = deps.connections.database(req.target);
  const ext = await extensionStates(pool, ['hypopg', 'pg_qualstats']);
  const [hypopgState, qualstatsState] = ext.states;
  const hypopg = hypopgState.installed;
  const problems: string[] = [];
  const before = await loadBefore(deps.store, req.beforeSnapshotId, problems);
  const read = await readPgStatStatements(pool);
  if (read.created) await recordCreatedExtension(deps.store, req.runId, { name: 'pg_stat_statements', ...read.created });
  const createdExtensionsList = await createdExtensions(deps.store, req.runId);
  if (!read.ok) return unavailable(req, [...problems, ...read.problems], hypopg, createdExtensionsList);
  problems.push(...read.problems);
  const counters = await readCounters(pool, req.target.database.schemas, problems, '');
  await saveSnapshot(deps.store, req.runId, read.rows, counters);
  const samples = await activitySamples(pool, deps.store, req, problems);
  const pgQualstats = usable(qualstatsState);
  if (!hypopg) {
    problems.push(`hypopg is not available, so index proposals cannot be verified with hypothetical indexes: ${installHint(hypopgState)}`);
  }

  const deltas = diffSnapshots(before?.pgss ?? null, read.rows);
  const window: DatabaseWindow = {
    version: 1,
    windowRequests: req.windowRequests,
    windowSeconds: before?.takenAt ? Math.max(0, (Date.now() - Date.parse(before.takenAt)) / 1000) : null,
    statements: deltas,
    tables: counters && before?.tables ? diffTableCounters(before.tables, counters.tables) : null,
    indexes: counters && before?.indexes ? diffIndexCounters(before.indexes, counters.indexes) : null,
    activity: samples.length ? summarizeActivity(samples) : null,
    valueSamples: [
      ...harvestValueSamples(
        samples.flatMap((x) => x.literals ?? []),
        deltas,
      ).values(),
    ].flat(),
  };
  if (req.target.database.logFile) {
    await ensureParser();
    window.logValueSamples = await logValueSamples(pool, req.target, deps.policy.logDirs, before?.logPosition ?? null, deltas, problems);
  }
  const windowArtifactId = await saveArtifact(deps.store, req.runId, DB_WINDOW_KIND, window);
  return {
    available: true,
    problems,
    extensions: { pgStatStatements: true, hypopg, pgQualstats },
    ...(createdExtensionsList.length ? { createdExtensions: createdExtensionsList } : {}),
    windowRequests: req.windowRequests,
    ...summarizeWindow(deltas, req.windowRequests, req.totalRequestLatencyMs),
    windowArtifactId,
  };
}

export function createDatabaseProfileActivities(deps: ActivityDeps) {
  return {
    async captureDatabaseSnapshot(req: CaptureSnapshotRequest): Promise<{ snapshotId: string | null; problems: string[] }> {
      if (!req.target.database) return { snapshotId: null, problems: [`target ${req.target.name} has no database section`] };
      const pool = deps.connections.database(req.target);
      const read = await readPgStatStatements(pool);
      if (read.created) await recordCreatedExtension(deps.store, req.runId, { name: 'pg_stat_statements', ...read.created });
      if (!read.ok) return { snapshotId: null, problems: read.problems };
      const problems = [...read.problems];
      const counters = await readCounters(pool, req.target.database.schemas, problems, '; write rates and scan counts will be missing');
      const log = await captureLogPosition(req.target, deps.policy.logDirs, problems);
      return { snapshotId: await saveSnapshot(deps.store, req.runId, read.rows, counters, log), problems };
    },
    profileDatabase: (req: ProfileDatabaseRequest) => profileDatabase(deps, req),
  };
}
