// Fixtures for the advisor's and the health checks' unit tests: a catalog table s.t of 100,000 rows,
// its columns, the greedy choice's options, and a health snapshot's index.
import type { CatalogTable, ColumnInfo } from '../../activities/postgres/catalog';
import type { ExistingIndex } from '../../activities/postgres/index-model';
import type { HealthIndex, HealthSnapshot } from '../../activities/skills/database-optimization-analyzer/health';

export function catalogTable(cols: ColumnInfo[], indexes: ExistingIndex[] = []): CatalogTable {
  return {
    oid: 1,
    schema: 's',
    name: 't',
    relkind: 'r',
    reltuples: 100_000,
    relpages: 1000,
    columns: new Map(cols.map((c) => [c.name, c])),
    indexes,
  };
}

/** An integer column (`nd` distinct values, `width` bytes), at position `attnum`. */
export function intColumn(name: string, nd: number, attnum = 1, width = 4): ColumnInfo {
  return { name, attnum, type: 'integer', notNull: true, nDistinct: nd, nullFrac: 0, avgWidth: width, correlation: 0 };
}

/** A table of integer columns, by name: their distinct values (and width). */
export function intTable(cols: Record<string, number | { nd: number; width?: number }>, indexes: ExistingIndex[] = []): CatalogTable {
  const list = Object.entries(cols).map(([name, c], i) =>
    typeof c === 'number' ? intColumn(name, c, i + 1) : intColumn(name, c.nd, i + 1, c.width),
  );
  return catalogTable(list, indexes);
}

/** The greedy choice's options in the unit tests (the defaults' thresholds, no minimum net gain). */
export const GREEDY_OPTIONS = {
  minSavingFraction: 0.5,
  minMarginalSavingFraction: 0.1,
  maxIndexesPerTable: 3,
  maxNewIndexes: 10,
  minNetGainMs: 0,
  includeMinExtraGain: 0.2,
};

/** A health snapshot's index on public.<table>(a), scanned `scans` times. */
export function healthIndex(o: Partial<HealthIndex>, table = 't', scans = 1000): HealthIndex {
  return {
    schema: 'public',
    table,
    name: 'i',
    unique: false,
    primary: false,
    constraint: null,
    valid: true,
    building: false,
    method: 'btree',
    keys: ['a'],
    include: [],
    predicate: null,
    sizeBytes: 8192,
    scans,
    definition: `CREATE INDEX i ON public.${table} USING btree (a)`,
    relpages: 1,
    reltuples: 100,
    keyWidth: 4,
    ...o,
  } as HealthIndex;
}

/** A health snapshot with nothing in it: counters 31 days old, one connection. */
export function healthSnapshot(o: Partial<HealthSnapshot> = {}): HealthSnapshot {
  return {
    takenAt: '2024-01-01T00:00:00Z',
    settings: {},
    statsReset: null,
    serverStart: '2023-12-01T00:00:00Z',
    blockSize: 8192,
    database: { name: 'db', xidAge: 1000, mxidAge: 1, connections: 1 },
    serverConnections: 1,
    indexes: [],
    tables: [],
    sequences: [],
    sessions: [],
    preparedXacts: [],
    replicationSlots: [],
    ...o,
  };
}
