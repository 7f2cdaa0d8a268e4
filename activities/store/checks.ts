// The checks table: each perf-orch check's verdict and figures, written once at its end.
import type { Pool } from 'pg';
import type { CheckResult } from '../../common/gate/types';
import { STORE_SCHEMA } from './schema';

export async function recordCheck(store: Pool, req: { workflowId: string; runId: string; result: CheckResult }): Promise<void> {
  await store.query(
    `INSERT INTO ${STORE_SCHEMA}.checks (workflow_id, run_id, target, verdict, result, started_at, finished_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (workflow_id, run_id) DO NOTHING`,
    [
      req.workflowId,
      req.runId,
      req.result.target,
      req.result.verdict,
      JSON.stringify(req.result),
      req.result.startedAt,
      req.result.finishedAt,
    ],
  );
}
