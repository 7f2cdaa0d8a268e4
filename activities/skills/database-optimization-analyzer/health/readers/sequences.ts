// The sequences of the analyzed schemas, with the column each one feeds (owned or identity).
import type { PoolClient } from 'pg';
import type { HealthSequence } from '../snapshot';

// The largest value of a column's type, compared with the sequence's values read as float8: bigint's
// 2^63 - 1 has no exact number, it is 2^63 as a float8 (like pg_sequences.max_value::float8).
const TYPE_MAX: Record<string, number> = { smallint: 32767, integer: 2147483647, bigint: 2 ** 63 };

export async function readSequences(pool: PoolClient, schemas: string[]): Promise<HealthSequence[]> {
  const result = await pool.query(
    `SELECT s.schemaname AS schema, s.sequencename AS name, s.last_value::float8 AS last_value, s.max_value::float8 AS max_value,
            s.increment_by::float8 AS increment, s.cycle,
            tn.nspname AS col_schema, t.relname AS col_table, a.attname AS col_name, format_type(a.atttypid, a.atttypmod) AS col_type
       FROM pg_sequences s
       JOIN pg_namespace sn ON sn.nspname = s.schemaname
       JOIN pg_class sc ON sc.relname = s.sequencename AND sc.relnamespace = sn.oid
       LEFT JOIN pg_depend d ON d.objid = sc.oid AND d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
       LEFT JOIN pg_class t ON t.oid = d.refobjid
       LEFT JOIN pg_namespace tn ON tn.oid = t.relnamespace
       LEFT JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
      WHERE s.schemaname = ANY($1::text[])`,
    [schemas],
  );
  return result.rows.map((r) => ({
    schema: String(r.schema),
    name: String(r.name),
    lastValue: r.last_value === null ? null : Number(r.last_value),
    maxValue: Number(r.max_value),
    increment: Number(r.increment),
    cycle: Boolean(r.cycle),
    column: r.col_name
      ? {
          schema: String(r.col_schema),
          table: String(r.col_table),
          name: String(r.col_name),
          type: String(r.col_type),
          max: TYPE_MAX[String(r.col_type)] ?? Number(r.max_value),
        }
      : null,
  }));
}
