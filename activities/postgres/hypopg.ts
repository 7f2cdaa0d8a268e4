// hypopg (hypothetical indexes: backend memory only, nothing is built): finding it, creating the
// extension when it is available. The planner (planner.ts) creates and drops the hypothetical indexes.
import type { Pool } from 'pg';
import { createdExtensionStep } from '../../common/created-extensions';
import { extensionStates, installHint } from './extensions';

export interface HypopgStatus {
  /** Schema holding hypopg's functions, or null when it cannot be used. */
  schema: string | null;
  note?: string;
}

/** Finds hypopg in the database; creates the extension when it is available and `install` is set. */
export async function prepareHypopg(pool: Pool, install: boolean): Promise<HypopgStatus> {
  const hypopg = async () => (await extensionStates(pool, ['hypopg'])).states[0];
  const state = await hypopg();
  if (state.schema) return { schema: state.schema };
  if (!state.installed) return { schema: null, note: `hypopg is not installed on the server: ${installHint(state)}` };
  if (!install) return { schema: null, note: 'hypopg is available but not created in this database: run CREATE EXTENSION hypopg;' };
  try {
    await pool.query('CREATE EXTENSION IF NOT EXISTS hypopg');
  } catch (err) {
    return { schema: null, note: `CREATE EXTENSION hypopg failed (${(err as Error).message}); run it as the database owner` };
  }
  const after = await hypopg();
  const database = String((await pool.query('SELECT current_database() AS db')).rows[0].db);
  return {
    schema: after.schema,
    note: after.schema
      ? `${createdExtensionStep({ name: 'hypopg', database, schema: after.schema })} (hypothetical indexes only; it builds nothing)`
      : undefined,
  };
}
