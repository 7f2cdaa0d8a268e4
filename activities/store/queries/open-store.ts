// The store for a command-line client: the database created and the schema migrated as the worker does,
// so `perf-orch baseline import` works on a fresh machine before any worker ran.
import { Pool } from 'pg';
import { ensureDatabase } from '../database';
import { migrateStore } from '../schema';

export async function withStorePool<T>(url: string, fn: (pool: Pool) => Promise<T>): Promise<T> {
  await ensureDatabase(url);
  const pool = new Pool({ connectionString: url, max: 2, application_name: 'perf-orch-cli' });
  try {
    await migrateStore(pool);
    return await fn(pool);
  } finally {
    await pool.end();
  }
}
