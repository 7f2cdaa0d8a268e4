// CI files that `perf-orch ci init` wrote for a target (perf_orchestrator.ci_files): a run counts
// one as regression prevention in place.
import type { Pool } from 'pg';
import { STORE_SCHEMA } from '../schema';

export async function recordCiFile(store: Pool, req: { target: string; provider: string; path: string }): Promise<void> {
  await store.query(`INSERT INTO ${STORE_SCHEMA}.ci_files (target, provider, path) VALUES ($1, $2, $3)`, [
    req.target,
    req.provider,
    req.path,
  ]);
}

export async function latestCiFile(store: Pool, target: string): Promise<string | null> {
  const { rows } = await store.query(
    `SELECT path FROM ${STORE_SCHEMA}.ci_files WHERE target = $1 ORDER BY created_at DESC, id DESC LIMIT 1`,
    [target],
  );
  return rows.length ? String(rows[0].path) : null;
}
