// hypopg (hypothetical indexes: backend memory only, nothing is built): finding it, creating the
// extension when it is available. The planner (planner.ts) creates and drops the hypothetical indexes.
import type { Pool } from 'pg';

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
