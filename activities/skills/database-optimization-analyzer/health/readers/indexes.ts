// The indexes of the analyzed schemas: definition, keys, validity, size, scans and the figures of the bloat estimate.
import type { PoolClient } from 'pg';
import type { HealthIndex } from '../snapshot';

export async function readIndexes(pool: PoolClient, schemas: string[]): Promise<HealthIndex[]> {
  const result = await pool.query(
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
            (SELECT count(*) FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord) WHERE k.ord <= i.indnkeyatts)::int AS key_count,
            i.indclass::oid[]::text[] AS opclasses, i.indcollation::oid[]::text[] AS collations,
            ARRAY(SELECT k.attnum FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
                   WHERE k.ord <= i.indnkeyatts ORDER BY k.ord)::int[] AS key_attnums
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
  return result.rows.map((r) => {
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
      keyOpclasses: ((r.opclasses as string[]) ?? []).slice(0, nkey),
      keyCollations: ((r.collations as string[]) ?? []).slice(0, nkey),
      // Set by collect.ts from the foreign keys (leadingForeignKey).
      foreignKey: null,
      keyAttnums: ((r.key_attnums as number[]) ?? []).map(Number),
    };
  });
}
