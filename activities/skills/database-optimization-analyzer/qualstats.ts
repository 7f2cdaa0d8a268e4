// pg_qualstats (when preloaded and created): the predicates the workload really evaluated, per
// statement, with how many rows they filtered out. Used as evidence next to the parser's predicates.
import type { Pool, PoolClient } from 'pg';
import { quoteIdent } from '../../postgres/sql-ident';
import { round } from '../../../common/round';

export interface QualStat {
  queryid: string;
  schema: string;
  table: string;
  column: string;
  operator: string;
  /** Executions of statements that evaluated it. */
  occurences: number;
  /** Rows it was evaluated on, and how many it discarded. */
  executionCount: number;
  nbFiltered: number;
  /** 'f': evaluated after a scan (a Filter: no index helped), 'i': as an index condition. */
  evalType: string;
}

/** pg_qualstats' predicates on plain columns of this database, for the given queryids (all when empty). */
export async function readQualstats(db: Pool | PoolClient, schema: string, queryids: string[] = []): Promise<QualStat[]> {
  const { rows } = await db.query(
    `SELECT q.queryid::text AS queryid, n.nspname AS schema, c.relname AS table, a.attname AS column, o.oprname AS operator,
            sum(q.occurences)::float8 AS occurences, sum(q.execution_count)::float8 AS execution_count,
            sum(q.nbfiltered)::float8 AS nbfiltered, q.eval_type::text AS eval_type
       FROM ${quoteIdent(schema)}.pg_qualstats() q
       JOIN pg_class c ON c.oid = q.lrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_attribute a ON a.attrelid = q.lrelid AND a.attnum = q.lattnum
       JOIN pg_operator o ON o.oid = q.opno
      WHERE q.dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
        AND q.queryid IS NOT NULL AND (cardinality($1::text[]) = 0 OR q.queryid::text = ANY($1::text[]))
      GROUP BY 1, 2, 3, 4, 5, 9
      ORDER BY sum(q.nbfiltered) DESC`,
    [queryids],
  );
  return rows.map((r) => ({
    queryid: String(r.queryid),
    schema: String(r.schema),
    table: String(r.table),
    column: String(r.column),
    operator: String(r.operator),
    occurences: Number(r.occurences),
    executionCount: Number(r.execution_count),
    nbFiltered: Number(r.nbfiltered),
    evalType: String(r.eval_type),
  }));
}

/** One evidence line per predicate, e.g. `pg_qualstats: products.category_id = evaluated on 2.0M rows, filtered out 98% (after a scan: no index)`. */
export function qualstatEvidence(q: QualStat): string {
  const pct = q.executionCount > 0 ? round((100 * q.nbFiltered) / q.executionCount, 1) : 0;
  return (
    `pg_qualstats: ${q.schema}.${q.table}.${q.column} ${q.operator} ... evaluated on ${Math.round(q.executionCount).toLocaleString('en-US')} rows ` +
    `in ${Math.round(q.occurences).toLocaleString('en-US')} executions, ` +
    `filtered out ${pct}% ${q.evalType === 'f' ? '(after a scan: no index served it)' : '(as an index condition)'}`
  );
}
