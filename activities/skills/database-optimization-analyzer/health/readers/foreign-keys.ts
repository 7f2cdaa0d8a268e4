// The foreign keys of the analyzed schemas' tables (the referencing side): their columns and the table they reference.
import type { PoolClient } from 'pg';
import type { HealthForeignKey } from '../snapshot';

export async function readForeignKeys(pool: PoolClient, schemas: string[]): Promise<HealthForeignKey[]> {
  const result = await pool.query(
    `SELECT n.nspname AS schema, t.relname AS table, c.conname AS name, c.conkey::int[] AS attnums,
            ARRAY(SELECT a.attname FROM unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord)
                    JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum ORDER BY k.ord)::text[] AS columns,
            rn.nspname AS ref_schema, r.relname AS ref_table, c.confdeltype AS on_delete, c.confupdtype AS on_update
       FROM pg_constraint c
       JOIN pg_class t ON t.oid = c.conrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
       JOIN pg_class r ON r.oid = c.confrelid
       JOIN pg_namespace rn ON rn.oid = r.relnamespace
      WHERE c.contype = 'f' AND n.nspname = ANY($1::text[])
      ORDER BY n.nspname, t.relname, c.conname`,
    [schemas],
  );
  return result.rows.map((r) => ({
    schema: String(r.schema),
    table: String(r.table),
    name: String(r.name),
    attnums: (r.attnums as number[]).map(Number),
    columns: (r.columns as string[]).map(String),
    refSchema: String(r.ref_schema),
    refTable: String(r.ref_table),
    onDelete: String(r.on_delete),
    onUpdate: String(r.on_update),
  }));
}
