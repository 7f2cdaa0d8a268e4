// Extensions a run created in the target's database, recorded on the run (in the store) so that the
// report can say what was created where and how to drop it. The run never drops them itself: later
// runs (and a run going on at the same time) read them, and DROP EXTENSION locks their objects.
import type { Pool } from 'pg';
import type { CreatedExtension } from '../../common/types';
import { saveArtifact } from '../store/artifacts';
import { STORE_SCHEMA } from '../store/schema';

export const CREATED_EXTENSION_KIND = 'extension-created';

export function recordCreatedExtension(store: Pool, runId: string, x: CreatedExtension): Promise<string> {
  return saveArtifact(store, runId, CREATED_EXTENSION_KIND, x);
}

/** What the run has created so far, in order, each once. */
export async function createdExtensions(store: Pool, runId: string): Promise<CreatedExtension[]> {
  const { rows } = await store.query(`SELECT data FROM ${STORE_SCHEMA}.artifacts WHERE run_id = $1 AND kind = $2 ORDER BY id`, [
    runId,
    CREATED_EXTENSION_KIND,
  ]);
  const seen = new Map<string, CreatedExtension>();
  for (const r of rows) {
    const x = r.data as CreatedExtension;
    seen.set(`${x.database}/${x.name}`, x);
  }
  return [...seen.values()];
}
