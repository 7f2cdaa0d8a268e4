// The database's state for the health checks, as the readers (./readers) take it from the catalog and
// statistics views of the target database.

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
  /** Operator class and collation of each key column (oids): a varchar_pattern_ops twin is not a duplicate. Absent in older snapshots. */
  keyOpclasses?: string[];
  keyCollations?: string[];
  /** A foreign key whose columns lead this index: deletes and key updates of the referenced rows look it up. */
  foreignKey?: string | null;
  /** pg_index.indkey of the key columns (0 for an expression). Absent in older snapshots. */
  keyAttnums?: number[];
}

/** A foreign key of an analyzed table (the referencing side). */
export interface HealthForeignKey {
  schema: string;
  table: string;
  name: string;
  /** The referencing columns (pg_constraint.conkey) and their names, in the constraint's order. */
  attnums: number[];
  columns: string[];
  refSchema: string;
  refTable: string;
  /** pg_constraint.confdeltype / confupdtype: a no action, r restrict, c cascade, n set null, d set default. */
  onDelete: string;
  onUpdate: string;
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
  /** pg_stat_database.stats_reset of this database: NULL until its counters are first reset. */
  statsReset: string | null;
  serverStart: string | null;
  /**
   * pg_stat_bgwriter.stats_reset: when the cluster's statistics were last discarded (first start, crash
   * recovery) or its shared counters reset. Absent in older snapshots.
   */
  sharedStatsReset?: string | null;
  blockSize: number;
  database: { name: string; xidAge: number; mxidAge: number; connections: number };
  /** Connections to the whole server by state (every database). */
  serverConnections: number;
  indexes: HealthIndex[];
  /** Absent in older snapshots. */
  foreignKeys?: HealthForeignKey[];
  tables: HealthTable[];
  sequences: HealthSequence[];
  sessions: HealthSession[];
  preparedXacts: { gid: string; ageMs: number }[];
  replicationSlots: { name: string; active: boolean; xminAge: number | null }[];
}
