// One load test, run as shards on the perf-loadgen task queue when the profile asks for several.
import { ApplicationFailure, CancellationScope, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { LOADGEN_TASK_QUEUE } from '../common/run';
import { splitLoad } from '../common/shards';
import type { LoadTestRequest, LoadTestSummary } from '../common/types';
import { loadTestOptions } from './timeouts';

const { mergeLoadTests } = proxyActivities<Activities>({ startToCloseTimeout: '2 minutes', retry: { maximumAttempts: 3 } });

export async function loadTest(req: LoadTestRequest): Promise<LoadTestSummary> {
  const { runLoadTest } = proxyActivities<Activities>({ ...loadTestOptions(req.durationSeconds + req.warmupSeconds), taskQueue: LOADGEN_TASK_QUEUE });
  const open = (req.model ?? req.target.load.model) === 'open';
  const parts = splitLoad(req, req.target.load.shards, open);
  if (parts.length === 1) return runLoadTest(parts[0]);
  // A shard that fails after its retries is reported, never dropped: the others stop and the test fails.
  const scope = new CancellationScope();
  const results = await scope.run(() =>
    Promise.all(
      parts.map((p, i) =>
        runLoadTest(p).catch((err: Error & { cause?: Error }) => {
          scope.cancel();
          throw ApplicationFailure.nonRetryable(`load-test shard ${i + 1}/${parts.length} was lost: ${err.cause?.message ?? err.message}`, 'LoadShardLost');
        }),
      ),
    ),
  );
  return mergeLoadTests({ request: req, shardIds: results.map((r) => r.id) });
}

/** A load test on its own, e.g. from the CLI or another workflow. */
export async function loadTestWorkflow(req: LoadTestRequest): Promise<LoadTestSummary> {
  return loadTest(req);
}
