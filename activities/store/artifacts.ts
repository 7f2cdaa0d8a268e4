// Large data (histograms, snapshots, profiles) lives here; workflow history carries the id only.
import type { Pool } from 'pg';
import { STORE_SCHEMA } from './schema';

export async function saveArtifact(store: Pool, runId: string, kind: string, data: unknown): Promise<string> {
  const { rows } = await store.query(`INSERT INTO ${STORE_SCHEMA}.artifacts (run_id, kind, data) VALUES ($1, $2, $3) RETURNING id`, [
    runId,
    kind,
    JSON.stringify(data),
  ]);
  return String(rows[0].id);
}

export async function loadArtifact<T>(store: Pool, id: string): Promise<T> {
  const { rows } = await store.query(`SELECT data FROM ${STORE_SCHEMA}.artifacts WHERE id = $1`, [id]);
  if (rows.length === 0) throw new Error(`artifact ${id} not found in the store`);
  return rows[0].data as T;
}
