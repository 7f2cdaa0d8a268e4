// One load test, run as shards on the perf-loadgen task queue when the profile asks for several.
import { TimeoutType } from '@temporalio/common';
import { ApplicationFailure, CancellationScope, TimeoutFailure, isCancellation, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { mergeLoadWindows } from '../common/load-window';
import { LOADGEN_TASK_QUEUE } from '../common/run';
import { splitLoad } from '../common/shards';
import type { LoadTestRequest, LoadTestSummary } from '../common/types';
import { loadTestOptions } from './timeouts';
import { describeWarmup, worstCaseWarmupSeconds } from '../common/warmup';

/** "baseline load test, 16 connections, 10 s" / "stress load test at 1200 req/s (open model, at most 64 connections), 5 s". */
export function describeLoadTest(req: LoadTestRequest): string {
  const open = (req.model ?? req.target.load.model) === 'open';
  const rate = req.rateRps ?? req.target.load.rateRps;
  const how = open
    ? `at ${rate} req/s (open model${req.maxConnections ? `, at most ${req.maxConnections} connections` : ''})`
    : `${req.concurrency} connections`;
  if (req.warmup && req.durationSeconds === 0) return `${req.phase} warm-up until steady, ${how}, at most ${worstCaseWarmupSeconds(req)} s`;
  const warmup = describeWarmup(req);
  return `${req.phase} load test, ${how}, ${req.durationSeconds} s${warmup ? ` ${warmup}` : ''}`;
}

// With no worker serving perf-loadgen, a load test would wait forever: fail it with the fix instead.
const NO_GENERATOR =
  `no load generator picked the test up: start a worker that serves the ${LOADGEN_TASK_QUEUE} task queue ` +
  `(npm run worker, or PERF_WORKER_ROLES=loadgen)`;

/** A lost attempt that the caller may run again (its worker died, or it failed retryably), with every shard anew. */
export const LOAD_ATTEMPT_LOST = 'LoadAttemptLost';

function retryableLoss(err: Error & { cause?: Error }): boolean {
  const cause = err.cause;
  if (cause instanceof ApplicationFailure) return !cause.nonRetryable;
  return cause instanceof TimeoutFailure && cause.timeoutType !== TimeoutType.SCHEDULE_TO_START;
}

/**
 * `singleAttempt`: each shard gets one attempt, and a retryable loss fails with LOAD_ATTEMPT_LOST, so
 * that the caller re-runs the whole test with its own before-snapshots and samplers (a retried
 * activity would measure a window that the caller's snapshots do not bracket).
 */
export async function loadTest(req: LoadTestRequest, opts: { singleAttempt?: boolean } = {}): Promise<LoadTestSummary> {
  const options = loadTestOptions(req.durationSeconds + worstCaseWarmupSeconds(req));
  const { runLoadTest } = proxyActivities<Activities>({
    ...options,
    ...(opts.singleAttempt ? { retry: { ...options.retry, maximumAttempts: 1 } } : {}),
    taskQueue: LOADGEN_TASK_QUEUE,
    scheduleToStartTimeout: '5 minutes',
    summary: describeLoadTest(req),
  });
  const open = (req.model ?? req.target.load.model) === 'open';
  const parts = splitLoad(req, req.target.load.shards, open);
  // A shard that fails after its retries is reported, never dropped: the others stop and the test fails.
  const scope = new CancellationScope();
  const results = await scope.run(() =>
    Promise.all(
      parts.map((p, i) =>
        runLoadTest(p).catch((err: Error & { cause?: Error }) => {
          if (isCancellation(err)) throw err;
          scope.cancel();
          const why =
            err.cause instanceof TimeoutFailure && err.cause.timeoutType === TimeoutType.SCHEDULE_TO_START
              ? NO_GENERATOR
              : (err.cause?.message ?? err.message);
          const which = parts.length > 1 ? `load-test shard ${i + 1}/${parts.length} was lost` : `load test ${req.phase} failed`;
          const type = opts.singleAttempt && retryableLoss(err) ? LOAD_ATTEMPT_LOST : 'LoadShardLost';
          throw ApplicationFailure.nonRetryable(`${which}: ${why}`, type);
        }),
      ),
    ),
  );
  if (results.length === 1) return results[0];
  const { mergeLoadTests } = proxyActivities<Activities>({
    startToCloseTimeout: '2 minutes',
    retry: { maximumAttempts: 3 },
    summary: `merge the ${results.length} shards' histograms`,
  });
  const merged = await mergeLoadTests({ request: req, shardIds: results.map((r) => r.id) });
  const window = mergeLoadWindows(results.map((r) => r.window));
  return window ? { ...merged, window } : merged;
}

/** A load test on its own, e.g. from the CLI or another workflow. */
export async function loadTestWorkflow(req: LoadTestRequest): Promise<LoadTestSummary> {
  return loadTest(req);
}
