// Verification of an index candidate with hypopg: create it hypothetically (backend memory only,
// nothing is built), re-plan the statement and compare costs, then reset.
import type { Pool } from 'pg';
import { indexColumnList, qualifiedName, quoteIdent } from '../../actions/sql-ident';
import type { PlanSession } from './generic-plan';
import type { IndexColumn } from './index-candidates';
import { planCost, planUsesIndex, type PlanNode } from './plan-walk';

export interface HypopgStatus {
  /** Schema holding hypopg's functions, or null when it cannot be used. */
  schema: string | null;
  note?: string;
}

/** Finds hypopg in the database; creates the extension when it is available and `install` is set. */
export async function prepareHypopg(pool: Pool, install: boolean): Promise<HypopgStatus> {
  const find = async () => {
    const { rows } = await pool.query(
      `SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'hypopg'`,
    );
    return rows.length ? String(rows[0].nspname) : null;
  };
  const schema = await find();
  if (schema) return { schema };
  const { rowCount } = await pool.query(`SELECT 1 FROM pg_available_extensions WHERE name = 'hypopg'`);
  if (!rowCount) {
    return {
      schema: null,
      note: 'hypopg is not installed on the server (Debian/Ubuntu: apt-get install postgresql-15-hypopg; then CREATE EXTENSION hypopg;)',
    };
  }
  if (!install) return { schema: null, note: 'hypopg is available but not created in this database: run CREATE EXTENSION hypopg;' };
  try {
    await pool.query('CREATE EXTENSION IF NOT EXISTS hypopg');
  } catch (err) {
    return { schema: null, note: `CREATE EXTENSION hypopg failed (${(err as Error).message}); run it as the database owner` };
  }
  return { schema: await find(), note: 'created extension hypopg (hypothetical indexes only; it builds nothing)' };
}

export interface Verification {
  costBefore: number;
  costAfter: number;
  savingFraction: number;
  usesIndex: boolean;
  planAfter: PlanNode;
}

/** Plans `query` with a hypothetical btree index on schema.table (columns) in the session's backend. */
export async function verifyWithHypotheticalIndex(
  session: PlanSession,
  hypopgSchema: string,
  target: { schema: string; table: string; columns: IndexColumn[] },
  query: string,
  costBefore: number,
): Promise<Verification> {
  const fn = (name: string) => `${quoteIdent(hypopgSchema)}.${name}`;
  const reset = `SELECT ${fn('hypopg_reset')}()`;
  session.cleanupAfterRollback.add(reset);
  const ddl = `CREATE INDEX ON ${qualifiedName(target.schema, target.table)} (${indexColumnList(target.columns)})`;
  const { rows } = await session.client.query(`SELECT indexname FROM ${fn('hypopg_create_index')}($1)`, [ddl]);
  try {
    const planAfter = await session.explain(query);
    const costAfter = planCost(planAfter);
    return {
      costBefore,
      costAfter,
      savingFraction: costBefore > 0 ? Math.max(0, (costBefore - costAfter) / costBefore) : 0,
      usesIndex: rows.length > 0 && planUsesIndex(planAfter, String(rows[0].indexname)),
      planAfter,
    };
  } finally {
    // In an aborted transaction this fails; the session then resets after its ROLLBACK.
    await session.client.query(reset).catch(() => undefined);
  }
}
