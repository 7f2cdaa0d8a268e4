// pg_stats.avg_width counts a value stored out of line (TOAST) as its 18-byte pointer, so a table with
// TOASTed values gets its variable-length columns' stored sizes from its first rows instead:
// pg_column_size() reads the TOAST pointer's size, it fetches no TOASTed value. READ ONLY, with the limits.
import type { Pool } from 'pg';
import type { Catalog } from '../../../postgres/catalog';
import { readOnly, type Limits } from './measure';

/** Table oid -> column -> average stored bytes per value. */
export type StoredWidths = Map<number, Record<string, number>>;

const VARLENA = /^(text|character varying|jsonb|json|bytea|xml)\b/;
const SAMPLE_ROWS = 1000;
const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

export async function storedWidths(pool: Pool, catalog: Catalog, limits: Limits): Promise<StoredWidths> {
  const out: StoredWidths = new Map();
  const tables = catalog.tables().filter((t) => [...t.columns.values()].some((c) => VARLENA.test(c.type)));
  if (tables.length === 0) return out;
  const client = await pool.connect();
  try {
    await readOnly(client, limits, async () => {
      const { rows } = await client.query<{ oid: string }>(
        `SELECT c.oid::int8 AS oid FROM pg_class c
          WHERE c.oid = ANY($1::oid[]) AND c.reltoastrelid <> 0 AND pg_relation_size(c.reltoastrelid) > 0`,
        [tables.map((t) => t.oid)],
      );
      const toasted = new Set(rows.map((r) => Number(r.oid)));
      for (const t of tables.filter((x) => toasted.has(x.oid))) {
        const cols = [...t.columns.values()].filter((c) => VARLENA.test(c.type)).map((c) => c.name);
        const avgs = cols.map((c, i) => `avg(pg_column_size(${quote(c)}))::float8 AS c${i}`).join(', ');
        const sample = `SELECT ${cols.map(quote).join(', ')} FROM ${quote(t.schema)}.${quote(t.name)} LIMIT ${SAMPLE_ROWS}`;
        const r = (await client.query(`SELECT ${avgs} FROM (${sample}) s`)).rows[0];
        out.set(t.oid, Object.fromEntries(cols.map((c, i) => [c, Number(r[`c${i}`] ?? 0)])));
      }
    });
  } finally {
    client.release();
  }
  return out;
}
