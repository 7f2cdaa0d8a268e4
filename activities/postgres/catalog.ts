// The catalog facts the index advisor needs about the tables a workload touches: size, columns with
// their statistics (pg_stats: distinct values, NULL fraction, width), existing indexes. Loaded in a
// few batched queries for all referenced tables at once.
import type { Pool, PoolClient } from 'pg';
import type { ExistingIndex } from './index-model';
import type { RelRef } from './sql-parse';

export interface ColumnInfo {
  name: string;
  attnum: number;
  type: string;
  notNull: boolean;
  /** Estimated number of distinct values (absolute), null when pg_stats has nothing. */
  nDistinct: number | null;
  nullFrac: number | null;
  avgWidth: number | null;
  correlation: number | null;
  /** The column's collation (pg_collation.collname), null when its type has none; absent in older figures. */
  collation?: string | null;
  /** The type's name in pg_type (text, varchar, bpchar, ...): which pattern operator class fits. */
  typeName?: string;
  /** The collation compares bytes (C or POSIX, as PostgreSQL 15's lc_collate_is_c): a default btree serves LIKE 'prefix%'. */
  collationIsC?: boolean;
}

export interface CatalogTable {
  oid: number;
  schema: string;
  name: string;
  relkind: string;
  reltuples: number;
  relpages: number;
  columns: Map<string, ColumnInfo>;
  indexes: ExistingIndex[];
}

export class Catalog {
  private byName = new Map<string, CatalogTable[]>(); // relname -> tables in the allowed schemas
  constructor(
    readonly schemas: string[],
    /** current_schemas(false) of a target session: how unqualified names resolve. */
    readonly searchPath: string[],
    tables: CatalogTable[],
  ) {
    for (const t of tables) {
      const list = this.byName.get(t.name) ?? [];
      list.push(t);
      this.byName.set(t.name, list);
    }
  }

  tables(): CatalogTable[] {
    return [...this.byName.values()].flat();
  }

  /** The table a reference names, when it lives in one of the analyzed schemas. */
  resolve(rel: Pick<RelRef, 'schema' | 'name'>): CatalogTable | null {
    const list = this.byName.get(rel.name);
    if (!list) return null;
    if (rel.schema) return list.find((t) => t.schema === rel.schema) ?? null;
    for (const s of this.searchPath) {
      const t = list.find((x) => x.schema === s);
      if (t) return t;
    }
    return null; // not on the search path: some other schema's table of the same name
  }

  get(schema: string, name: string): CatalogTable | null {
    return this.byName.get(name)?.find((t) => t.schema === schema) ?? null;
  }

  /** Fraction of rows an equality on the column keeps (1 / distinct values; PostgreSQL's 0.005 default). */
  static eqSelectivity(t: CatalogTable, column: string): number {
    const c = t.columns.get(column);
    if (!c || c.nDistinct === null || c.nDistinct <= 0) return 0.005;
    return Math.min(1, 1 / c.nDistinct);
  }
}

type Db = Pool | PoolClient;

/** Loads the named relations (names as written, unqualified or qualified) found in `schemas`. */
export async function loadCatalog(db: Db, schemas: string[], names: Iterable<string>): Promise<Catalog> {
  const nameList = [...new Set(names)];
  const sp = await db.query(`SELECT current_schemas(false)::text[] AS s`);
  const searchPath = (sp.rows[0].s as string[]).filter((s) => schemas.includes(s));
  // Unqualified names that are not on the search path never resolve; still allow qualified ones.
  if (nameList.length === 0) return new Catalog(schemas, searchPath, []);
  const rel = await queryRelations(db, schemas, nameList);
  if (rel.length === 0) return new Catalog(schemas, searchPath, []);
  const oids = rel.map((r) => Number(r.oid));
  const [cols, idx] = await Promise.all([queryColumns(db, oids), queryIndexes(db, oids)]);
  const tables = new Map<number, CatalogTable>();
  for (const r of rel) tables.set(Number(r.oid), tableOf(r));
  const attnames = addColumns(tables, cols);
  addIndexes(tables, idx, attnames);
  return new Catalog(schemas, searchPath, [...tables.values()]);
}

type Row = Record<string, unknown>;

/** Tables, materialized views and partitioned tables of those names in those schemas. */
async function queryRelations(db: Db, schemas: string[], nameList: string[]): Promise<Row[]> {
  const rel = await db.query(
    `SELECT c.oid::int8 AS oid, n.nspname AS schema, c.relname AS name, c.relkind,
            CASE WHEN c.reltuples >= 0 THEN c.reltuples ELSE COALESCE(s.n_live_tup, 0) END::float8 AS reltuples,
            c.relpages::int8 AS relpages
       FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
      WHERE n.nspname = ANY($1::text[]) AND c.relname = ANY($2::text[]) AND c.relkind IN ('r', 'm', 'p')`,
    [schemas, nameList],
  );
  return rel.rows;
}

/** The relations' live columns with their pg_stats statistics. */
async function queryColumns(db: Db, oids: number[]): Promise<Row[]> {
  const cols = await db.query(
    `SELECT a.attrelid::int8 AS oid, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull,
            co.collname::text AS collation, ty.typname::text AS type_name,
            CASE WHEN co.oid IS NULL THEN NULL
                 WHEN co.collname = 'default' THEN d.datcollate IN ('C', 'POSIX')
                 ELSE co.collprovider = 'c' AND co.collcollate IN ('C', 'POSIX') END AS collation_is_c,
            s.n_distinct::float8 AS n_distinct, s.null_frac::float8 AS null_frac, s.avg_width, s.correlation::float8 AS correlation
       FROM pg_attribute a
       JOIN pg_type ty ON ty.oid = a.atttypid
       LEFT JOIN pg_collation co ON co.oid = a.attcollation
       CROSS JOIN (SELECT datcollate FROM pg_database WHERE datname = current_database()) d
       JOIN pg_class c ON c.oid = a.attrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_stats s ON s.schemaname = n.nspname AND s.tablename = c.relname AND s.attname = a.attname AND NOT s.inherited
      WHERE a.attrelid = ANY($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped`,
    [oids],
  );
  return cols.rows;
}

/**
 * The relations' indexes: key and INCLUDE columns (attnums), options, definition; per key its text, and
 * its operator class and collation when they are not the default (the column's collation).
 */
async function queryIndexes(db: Db, oids: number[]): Promise<Row[]> {
  const idx = await db.query(
    `SELECT i.indrelid::int8 AS oid, ic.relname AS name, i.indisvalid AS valid, i.indisunique AS unique, i.indisprimary AS primary,
            (i.indpred IS NOT NULL) AS partial, am.amname AS method, i.indnkeyatts AS nkey, i.indnatts AS natts,
            i.indkey::int2[] AS keys, i.indoption::int2[] AS options, pg_get_indexdef(i.indexrelid) AS definition,
            ARRAY(SELECT pg_get_indexdef(i.indexrelid, k, true) FROM generate_series(1, i.indnkeyatts) k ORDER BY k) AS key_texts,
            ARRAY(SELECT CASE WHEN oc.opcdefault THEN NULL ELSE oc.opcname::text END
                    FROM unnest(i.indclass::oid[]) WITH ORDINALITY AS u(opc, n) JOIN pg_opclass oc ON oc.oid = u.opc ORDER BY u.n) AS opclasses,
            ARRAY(SELECT CASE WHEN u.coll = 0 OR u.coll = COALESCE((SELECT a.attcollation FROM pg_attribute a
                                 WHERE a.attrelid = i.indrelid AND a.attnum = i.indkey[u.n - 1] AND a.attnum > 0), 100)
                              THEN NULL ELSE (SELECT collname::text FROM pg_collation WHERE oid = u.coll) END
                    FROM unnest(i.indcollation::oid[]) WITH ORDINALITY AS u(coll, n) ORDER BY u.n) AS collations
       FROM pg_index i
       JOIN pg_class ic ON ic.oid = i.indexrelid
       JOIN pg_am am ON am.oid = ic.relam
      WHERE i.indrelid = ANY($1::oid[])`,
    [oids],
  );
  return idx.rows;
}

function tableOf(r: Row): CatalogTable {
  return {
    oid: Number(r.oid),
    schema: String(r.schema),
    name: String(r.name),
    relkind: String(r.relkind),
    reltuples: Number(r.reltuples),
    relpages: Number(r.relpages),
    columns: new Map(),
    indexes: [],
  };
}

/** Fills the tables' columns; returns each table's attnum -> column name (for the index keys). */
function addColumns(tables: Map<number, CatalogTable>, rows: Row[]): Map<number, Map<number, string>> {
  const attnames = new Map<number, Map<number, string>>();
  for (const r of rows) {
    const t = tables.get(Number(r.oid))!;
    const nd = r.n_distinct === null ? null : Number(r.n_distinct);
    t.columns.set(String(r.attname), {
      name: String(r.attname),
      attnum: Number(r.attnum),
      type: String(r.type),
      notNull: Boolean(r.attnotnull),
      nDistinct: nd === null ? null : nd < 0 ? -nd * Math.max(1, t.reltuples) : nd,
      nullFrac: r.null_frac === null ? null : Number(r.null_frac),
      avgWidth: r.avg_width === null ? null : Number(r.avg_width),
      collation: r.collation === null ? null : String(r.collation),
      typeName: String(r.type_name),
      collationIsC: r.collation_is_c === true,
      correlation: r.correlation === null ? null : Number(r.correlation),
    });
    const m = attnames.get(t.oid) ?? new Map<number, string>();
    m.set(Number(r.attnum), String(r.attname));
    attnames.set(t.oid, m);
  }
  return attnames;
}

function addIndexes(tables: Map<number, CatalogTable>, rows: Row[], attnames: Map<number, Map<number, string>>): void {
  for (const r of rows) {
    const t = tables.get(Number(r.oid))!;
    const names = attnames.get(t.oid) ?? new Map<number, string>();
    const all = r.keys as number[];
    const nkey = Number(r.nkey);
    const options = r.options as number[];
    t.indexes.push({
      name: String(r.name),
      valid: Boolean(r.valid),
      partial: Boolean(r.partial),
      method: String(r.method),
      unique: Boolean(r.unique),
      primary: Boolean(r.primary),
      definition: String(r.definition),
      columns: all
        .slice(0, nkey)
        .map((attnum, i) => (attnum === 0 ? null : { name: names.get(attnum) ?? `#${attnum}`, desc: (Number(options[i] ?? 0) & 1) === 1 })),
      include: all.slice(nkey).map((attnum) => (attnum === 0 ? `#expr` : (names.get(attnum) ?? `#${attnum}`))),
      keys: ((r.key_texts as string[] | null) ?? []).map((text, i) => ({
        text,
        opclass: (r.opclasses as (string | null)[] | null)?.[i] ?? null,
        collation: (r.collations as (string | null)[] | null)?.[i] ?? null,
      })),
    });
  }
}
