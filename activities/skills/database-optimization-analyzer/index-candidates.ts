// Index candidates for a sequential scan: (equality columns..., sort columns with direction),
// checked against the table's size, its columns and its existing indexes.
import type { Pool, PoolClient } from 'pg';
import type { SeqScanSite } from './plan-walk';

export interface IndexColumn {
  name: string;
  desc?: boolean;
}

export interface ExistingIndex {
  name: string;
  valid: boolean;
  partial: boolean;
  method: string;
  /** Key columns in order; null for an expression column. */
  columns: ({ name: string; desc: boolean } | null)[];
}

export interface TableInfo {
  schema: string;
  table: string;
  relkind: string;
  reltuples: number;
  columns: Set<string>;
  indexes: ExistingIndex[];
}

/** Candidate column lists, most complete first: (eq..., sort...), then (eq...) alone. */
export function candidateColumnLists(site: Pick<SeqScanSite, 'equalityColumns' | 'sortColumns'>): IndexColumn[][] {
  const eq = site.equalityColumns;
  if (eq.length === 0) return [];
  const out: IndexColumn[][] = [];
  const sort = (site.sortColumns ?? []).filter((s) => !eq.includes(s.name));
  if (sort.length > 0) out.push([...eq.map((name) => ({ name })), ...sort.map((s) => (s.desc ? { name: s.name, desc: true } : { name: s.name }))]);
  out.push(eq.map((name) => ({ name })));
  return out;
}

/**
 * The existing index that already starts with the candidate's columns (names in order; directions
 * of the trailing sort columns all equal or all reversed, as a backward scan serves both), or null.
 * Invalid, partial and non-btree indexes do not count.
 */
export function coveringIndex(candidate: IndexColumn[], sortCount: number, indexes: ExistingIndex[]): string | null {
  for (const idx of indexes) {
    if (!idx.valid || idx.partial || idx.method !== 'btree') continue;
    if (idx.columns.length < candidate.length) continue;
    let namesMatch = true;
    for (let i = 0; i < candidate.length; i++) {
      if (idx.columns[i]?.name !== candidate[i].name) namesMatch = false;
    }
    if (!namesMatch) continue;
    const sortStart = candidate.length - sortCount;
    let same = true;
    let reversed = true;
    for (let i = sortStart; i < candidate.length; i++) {
      const d = idx.columns[i]!.desc === Boolean(candidate[i].desc);
      same &&= d;
      reversed &&= !d;
    }
    if (same || reversed) return idx.name;
  }
  return null;
}

/** Size, columns and indexes of schema.table from the catalog; null when it is not a plain table. */
export async function tableInfo(db: Pool | PoolClient, schema: string, table: string): Promise<TableInfo | null> {
  const rel = await db.query(
    `SELECT c.oid, c.relkind, c.reltuples::float8 AS reltuples,
            COALESCE(s.n_live_tup, 0)::float8 AS live
       FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
      WHERE n.nspname = $1 AND c.relname = $2`,
    [schema, table],
  );
  if (rel.rows.length === 0) return null;
  const { oid, relkind } = rel.rows[0];
  if (relkind !== 'r' && relkind !== 'm') return null;
  // reltuples is -1 for a table never vacuumed/analyzed: fall back on the live-tuple counter.
  const reltuples = Number(rel.rows[0].reltuples) >= 0 ? Number(rel.rows[0].reltuples) : Number(rel.rows[0].live);
  const cols = await db.query(
    `SELECT attnum, attname FROM pg_attribute WHERE attrelid = $1 AND attnum > 0 AND NOT attisdropped`,
    [oid],
  );
  const byNum = new Map<number, string>(cols.rows.map((r) => [Number(r.attnum), String(r.attname)]));
  const idx = await db.query(
    `SELECT ic.relname AS name, i.indisvalid AS valid, (i.indpred IS NOT NULL) AS partial, am.amname AS method,
            i.indnkeyatts AS nkey, i.indkey::int2[] AS keys, i.indoption::int2[] AS options
       FROM pg_index i
       JOIN pg_class ic ON ic.oid = i.indexrelid
       JOIN pg_am am ON am.oid = ic.relam
      WHERE i.indrelid = $1`,
    [oid],
  );
  const indexes: ExistingIndex[] = idx.rows.map((r) => {
    const keys = (r.keys as number[]).slice(0, Number(r.nkey));
    const options = r.options as number[];
    return {
      name: String(r.name),
      valid: Boolean(r.valid),
      partial: Boolean(r.partial),
      method: String(r.method),
      columns: keys.map((attnum, i) =>
        attnum === 0 ? null : { name: byNum.get(attnum) ?? `#${attnum}`, desc: (Number(options[i] ?? 0) & 1) === 1 },
      ),
    };
  });
  return { schema, table, relkind, reltuples, columns: new Set(byNum.values()), indexes };
}
