// Baselines in the store (perf_orchestrator.baselines): plain functions on a pool, used by the CLI
// with its own pool and by the activities the check workflow calls.
import type { Pool } from 'pg';
import type { StoredBaseline } from '../../../common/gate/types';
import type { LoadTestSummary } from '../../../common/types';
import { STORE_SCHEMA } from '../schema';

/** What pinning needs: the summary (with its per-second series) and the full result with the histograms. */
export interface PinRequest {
  target: string;
  source: string;
  summary: LoadTestSummary;
  histograms: unknown;
  note: string | null;
  createdBy: string;
}

const COLUMNS = 'id, target, source, summary, pinned, note, created_by, created_at';

interface BaselineRow {
  id: string;
  target: string;
  source: string;
  summary: LoadTestSummary;
  pinned: boolean;
  note: string | null;
  created_by: string;
  created_at: Date;
}

function toStored(r: BaselineRow): StoredBaseline {
  return {
    id: String(r.id),
    target: r.target,
    source: r.source,
    pinned: r.pinned,
    note: r.note,
    createdBy: r.created_by,
    createdAt: r.created_at.toISOString(),
    summary: r.summary,
  };
}

// A bigserial id as the user types it; anything else finds nothing (instead of a cast error).
const isId = (id: string) => /^[1-9][0-9]{0,17}$/.test(id);

export async function pinBaseline(pool: Pool, req: PinRequest): Promise<StoredBaseline> {
  const { rows } = await pool.query<BaselineRow>(
    `INSERT INTO ${STORE_SCHEMA}.baselines (target, source, summary, histograms, note, created_by)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${COLUMNS}`,
    [
      req.target,
      req.source,
      JSON.stringify(req.summary),
      req.histograms == null ? null : JSON.stringify(req.histograms),
      req.note,
      req.createdBy,
    ],
  );
  return toStored(rows[0]);
}

/** Newest first; every target's when `target` is absent. Unpinned ones too (they say so). */
export async function listBaselines(pool: Pool, target?: string): Promise<StoredBaseline[]> {
  const { rows } = await pool.query<BaselineRow>(
    `SELECT ${COLUMNS} FROM ${STORE_SCHEMA}.baselines WHERE $1::text IS NULL OR target = $1 ORDER BY created_at DESC, id DESC`,
    [target ?? null],
  );
  return rows.map(toStored);
}

export async function getBaseline(pool: Pool, id: string): Promise<StoredBaseline | null> {
  if (!isId(id)) return null;
  const { rows } = await pool.query<BaselineRow>(`SELECT ${COLUMNS} FROM ${STORE_SCHEMA}.baselines WHERE id = $1`, [id]);
  return rows.length ? toStored(rows[0]) : null;
}

/**
 * The full load-test result stored with a baseline (null when it was pinned without one). Read it here,
 * never through summary.id: an imported baseline's summary.id names an artifact of the exporting store.
 */
export async function getBaselineHistograms(pool: Pool, id: string): Promise<unknown> {
  if (!isId(id)) return null;
  const { rows } = await pool.query(`SELECT histograms FROM ${STORE_SCHEMA}.baselines WHERE id = $1`, [id]);
  return rows.length ? (rows[0].histograms as unknown) : null;
}

/** The target's newest pinned baseline: what the gate compares with by default. */
export async function latestPinned(pool: Pool, target: string): Promise<StoredBaseline | null> {
  const { rows } = await pool.query<BaselineRow>(
    `SELECT ${COLUMNS} FROM ${STORE_SCHEMA}.baselines WHERE target = $1 AND pinned ORDER BY created_at DESC, id DESC LIMIT 1`,
    [target],
  );
  return rows.length ? toStored(rows[0]) : null;
}

/** Keeps the row (a check that used it still names it) but no longer offers it as the latest pinned. */
export async function unpin(pool: Pool, id: string): Promise<StoredBaseline | null> {
  if (!isId(id)) return null;
  const { rows } = await pool.query<BaselineRow>(`UPDATE ${STORE_SCHEMA}.baselines SET pinned = false WHERE id = $1 RETURNING ${COLUMNS}`, [
    id,
  ]);
  return rows.length ? toStored(rows[0]) : null;
}

// A check against a live baseline (--baseline-url) records what it measured beside that baseline: the
// candidate's turns, or one short block (the median of its pairs), not a window a later check can be
// compared with.
export const NOT_INTERLEAVED = "coalesce(result->'baseline'->>'kind', '') <> 'interleaved'";

/** The measured summaries of the target's last `n` passing checks (not interleaved: see NOT_INTERLEAVED), newest first. */
export async function recentPassingChecks(pool: Pool, target: string, n: number): Promise<LoadTestSummary[]> {
  const { rows } = await pool.query<{ measured: LoadTestSummary }>(
    `SELECT result->'measured' AS measured FROM ${STORE_SCHEMA}.checks
     WHERE target = $1 AND verdict = 'pass' AND ${NOT_INTERLEAVED} ORDER BY finished_at DESC LIMIT $2`,
    [target, Math.max(0, Math.floor(n))],
  );
  return rows.map((r) => r.measured);
}
