// The finished runs and the checks of a target, newest `last` of each, for perf-orch trend.
import type { Pool } from 'pg';
import type { TrendCheck, TrendRun } from '../../../common/gate/trend';
import type { CheckResult, GateVerdict } from '../../../common/gate/types';
import type { OutputContract } from '../../../common/output-contract';
import { STORE_SCHEMA } from '../schema';

export async function trendRows(pool: Pool, target: string, last: number): Promise<{ runs: TrendRun[]; checks: TrendCheck[] }> {
  const limit = Math.max(1, Math.floor(last));
  const runs = await pool.query<{ workflow_id: string; run_id: string; started_at: Date; finished_at: Date; result: OutputContract }>(
    `SELECT workflow_id, run_id, started_at, finished_at, result FROM ${STORE_SCHEMA}.runs
     WHERE target = $1 AND result IS NOT NULL AND finished_at IS NOT NULL ORDER BY finished_at DESC LIMIT $2`,
    [target, limit],
  );
  const checks = await pool.query<{ workflow_id: string; run_id: string; finished_at: Date; verdict: GateVerdict; result: CheckResult }>(
    `SELECT workflow_id, run_id, finished_at, verdict, result FROM ${STORE_SCHEMA}.checks WHERE target = $1 ORDER BY finished_at DESC LIMIT $2`,
    [target, limit],
  );
  return {
    // Results recorded before the contract took its present shape have no figures where the trend reads them.
    runs: runs.rows
      .filter((r) => typeof r.result.target_system === 'string' && r.result.baseline_metrics)
      .map((r) => ({
        workflowId: r.workflow_id,
        runId: r.run_id,
        startedAt: r.started_at.toISOString(),
        finishedAt: r.finished_at.toISOString(),
        result: r.result,
      })),
    checks: checks.rows.map((c) => ({
      workflowId: c.workflow_id,
      runId: c.run_id,
      finishedAt: c.finished_at.toISOString(),
      verdict: c.verdict,
      result: c.result,
    })),
  };
}
