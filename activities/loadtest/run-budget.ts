// A run's load budget at run time, on the load generator: the profile's limits within the operator's,
// a test no longer than a whole run may be, and the requests the run has left (what its earlier
// tests sent, from their results in the store). A test stops when the run's requests are spent.
import { ApplicationFailure } from '@temporalio/common';
import type { Pool } from 'pg';
import { effectiveLimits } from '../../common/run-budget';
import type { LoadTestRequest } from '../../common/types';
import { worstCaseWarmupSeconds } from '../../common/warmup';
import type { ActivityDeps } from '../deps';
import { STORE_SCHEMA } from '../store/schema';

export interface RunBudget {
  maxRunRequests: number;
  /** Requests the run's earlier load tests sent (warm-ups and unanswered ones included). */
  usedBefore: number;
  /** Requests this test (or shard) may send. */
  allowed: number;
}

/** Requests sent by the run's finished load tests (each shard once; merged results are not counted again) and attribution passes. */
export async function requestsSentByRun(store: Pool, runId: string): Promise<number> {
  const { rows } = await store.query(
    `SELECT coalesce(sum(coalesce((data->'result'->>'requests')::bigint, 0)
                       + coalesce((data->'result'->>'warmupRequests')::bigint, 0)
                       + coalesce((data->'result'->>'unfinished')::bigint, 0)), 0) AS sent
       FROM ${STORE_SCHEMA}.artifacts
      WHERE run_id = $1 AND kind = 'loadtest' AND NOT (data ? 'shardIds')`,
    [runId],
  );
  // The per-endpoint attribution passes send requests too (activities/profiling/endpoint-attribution.ts).
  const passes = await store.query(
    `SELECT coalesce(sum(coalesce((data->>'requestsSent')::bigint, 0)), 0) AS sent
       FROM ${STORE_SCHEMA}.artifacts WHERE run_id = $1 AND kind = 'endpoint-attribution'`,
    [runId],
  );
  return Number(rows[0].sent) + Number(passes.rows[0].sent);
}

const refuse = (message: string, type: string): never => {
  throw ApplicationFailure.nonRetryable(message, type);
};

/** What this test may send; refuses (non-retryable) a test beyond the run's limits. */
export async function loadTestBudget(deps: Pick<ActivityDeps, 'store' | 'policy'>, req: LoadTestRequest): Promise<RunBudget> {
  const { limits, issues } = effectiveLimits(deps.policy, req.target);
  if (issues.length)
    refuse(`target ${req.target.name}: ${issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`, 'OperatorPolicy');
  // A steady warm-up may last until its cap: the worst case counts.
  const seconds = worstCaseWarmupSeconds(req) + req.durationSeconds;
  if (seconds > limits.maxRunSeconds) {
    refuse(
      `the ${req.phase} load test of target ${req.target.name} would last ${seconds} s, more than a whole run may ` +
        `(${limits.maxRunSeconds} s: PERF_MAX_RUN_SECONDS on the worker, or the profile's limits.maxRunSeconds); shorten it`,
      'RunBudgetSpent',
    );
  }
  const usedBefore = await requestsSentByRun(deps.store, req.runId);
  const left = limits.maxRunRequests - usedBefore;
  if (left < 1) {
    refuse(
      `run ${req.runId} of target ${req.target.name} has sent ${usedBefore} requests, its whole budget ` +
        `(${limits.maxRunRequests}: PERF_MAX_RUN_REQUESTS on the worker, or the profile's limits.maxRunRequests); ` +
        `the ${req.phase} load test sends nothing`,
      'RunBudgetSpent',
    );
  }
  // Shards of one test run side by side: each takes its share of what is left.
  const allowed = Math.max(1, Math.floor(left / Math.max(1, req.target.load.shards ?? 1)));
  return { maxRunRequests: limits.maxRunRequests, usedBefore, allowed };
}
