// Where a baseline comes from: a finished orchestration run (its after window, or its baseline
// window when nothing stayed applied) or a gate check (what it measured), each with the full stored
// load-test result (histograms), ready for pinBaseline.
import type { Pool } from 'pg';
import type { CheckResult } from '../../../common/gate/types';
import type { OutputContract } from '../../../common/output-contract';
import type { LoadTestArtifact } from '../../loadtest/activity';
import { toSummary } from '../../loadtest/summary';
import { STORE_SCHEMA } from '../schema';
import { NOT_INTERLEAVED, type PinRequest } from './baselines';

/** A baseline's source is missing or unfit: the message says which and what to do. */
export class BaselineSourceError extends Error {}

export interface SourceRequest {
  target: string;
  workflowId?: string;
  runId?: string;
}

/** What pinBaseline needs but the note and the author, and a sentence saying which window it is. */
export type BaselineCandidate = Omit<PinRequest, 'note' | 'createdBy'> & { why: string };

// Outcomes after which the after window no longer describes the target: its changes were undone.
const UNDONE = new Set(['regressed_rolled_back', 'apply_failed_rolled_back', 'rolled_back_on_request']);

interface IdRow {
  workflow_id: string;
  run_id: string;
  target: string;
}

/** The row of `table` the request names: by its ids, else the target's latest one that passes `latestFilter`. */
async function findRow<T extends IdRow>(pool: Pool, table: 'runs' | 'checks', req: SourceRequest, latestFilter: string): Promise<T | null> {
  const byIds = req.workflowId !== undefined;
  const { rows } = await pool.query<T>(
    byIds
      ? `SELECT * FROM ${STORE_SCHEMA}.${table}
         WHERE workflow_id = $1 AND ($2::text IS NULL OR run_id = $2) ORDER BY finished_at DESC NULLS LAST LIMIT 1`
      : `SELECT * FROM ${STORE_SCHEMA}.${table} WHERE target = $1 AND ${latestFilter} ORDER BY finished_at DESC LIMIT 1`,
    byIds ? [req.workflowId, req.runId ?? null] : [req.target],
  );
  const row = rows[0] ?? null;
  if (row && row.target !== req.target) {
    throw new BaselineSourceError(
      `${row.workflow_id}/${row.run_id} is a ${table.slice(0, -1)} of target "${row.target}", not "${req.target}"`,
    );
  }
  return row;
}

async function storedResult(pool: Pool, id: string, what: string): Promise<LoadTestArtifact> {
  const { rows } = await pool.query(`SELECT data FROM ${STORE_SCHEMA}.artifacts WHERE id = $1 AND kind = 'loadtest'`, [id]);
  if (rows.length === 0) throw new BaselineSourceError(`${what}: its load test's full result (artifact ${id}) is no longer in the store`);
  return rows[0].data as LoadTestArtifact;
}

const named = (req: SourceRequest) => (req.workflowId ? `${req.workflowId}${req.runId ? `/${req.runId}` : ''}` : null);

/** A finished run's after window (its baseline window when no after window ran or its changes were undone). */
export async function baselineFromRun(pool: Pool, req: SourceRequest): Promise<BaselineCandidate> {
  const row = await findRow<IdRow & { status: string; result: OutputContract | null }>(pool, 'runs', req, 'result IS NOT NULL');
  const ref = row ? `${row.workflow_id}/${row.run_id}` : '';
  if (!row) {
    throw new BaselineSourceError(
      named(req)
        ? `no run ${named(req)} in the store`
        : `no finished run of target "${req.target}" in the store (a run is there once its result is recorded; see perf-orch status)`,
    );
  }
  if (!row.result) throw new BaselineSourceError(`run ${ref} has not finished (status ${row.status}): pin it once it has a result`);
  if (!row.result.regression_prevention_plan) {
    throw new BaselineSourceError(`run ${ref} was recorded in an earlier shape of the output contract: pin a newer run or a check`);
  }
  const plan = row.result.regression_prevention_plan;
  const outcome = row.result.validation_results.improvement_summary.outcome;
  const useAfter = plan.after_load_test_id !== null && !UNDONE.has(outcome);
  const id = useAfter ? plan.after_load_test_id! : row.result.baseline_metrics.load_test_id;
  const why = useAfter
    ? `the after window of run ${ref} (outcome ${outcome})`
    : `the baseline window of run ${ref}: ${plan.after_load_test_id === null ? 'no after window ran' : `its changes were undone (${outcome})`}`;
  const artifact = await storedResult(pool, id, `run ${ref}`);
  const spent = artifact.runBudget?.spent ?? false;
  const summary = toSummary(id, { phase: artifact.phase, durationSeconds: artifact.result.durationSeconds }, artifact.result, spent);
  return { target: req.target, source: `run:${ref}`, summary, histograms: artifact, why };
}

/** What a check measured; the latest passing check of the target (not interleaved) when no ids are given. */
export async function baselineFromCheck(pool: Pool, req: SourceRequest): Promise<BaselineCandidate> {
  const row = await findRow<IdRow & { verdict: string; result: CheckResult }>(
    pool,
    'checks',
    req,
    `verdict = 'pass' AND ${NOT_INTERLEAVED}`,
  );
  if (!row) {
    throw new BaselineSourceError(
      named(req)
        ? `no check ${named(req)} in the store`
        : `no passing check of target "${req.target}" with a measured window in the store (interleaved checks do not count; name one with --from-check WFID)`,
    );
  }
  const ref = `${row.workflow_id}/${row.run_id}`;
  if (row.result.baseline?.kind === 'interleaved') {
    throw new BaselineSourceError(
      `check ${ref} compared with a live baseline (--baseline-url): what it recorded was measured beside that baseline ` +
        `(taking turns with it, or one ${row.result.measured.durationSeconds} s block of interleaved pairs), not a window of its own ` +
        'to compare later checks with; pin a check run with --baseline pinned, recent:N or none, or a run',
    );
  }
  const summary = row.result.measured;
  const artifact = await storedResult(pool, summary.id, `check ${ref}`);
  const why = `what check ${ref} measured (verdict ${row.verdict})`;
  return { target: req.target, source: `check:${ref}`, summary, histograms: artifact, why };
}
