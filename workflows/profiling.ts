// Step 1: profile the target under its real traffic, then inventory the bottlenecks.
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { inventoryBottlenecks } from '../common/bottlenecks';
import type { ProfilingInput, ProfilingResult } from '../common/stages';
import { loadTestOptions } from './timeouts';
import { loadTest } from './load-test';

const { captureDatabaseSnapshot, profileDatabase, captureCacheSnapshot, profileCache, measureNetwork } = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { maximumAttempts: 3 },
});

export async function profilingWorkflow({ runId, target }: ProfilingInput): Promise<ProfilingResult> {
  const { sampleProcessMetrics, profileCpu } = proxyActivities<Activities>(
    loadTestOptions(target.load.warmupSeconds + target.load.durationSeconds),
  );

  const dbBefore = target.database ? await captureDatabaseSnapshot({ runId, target }) : null;
  const cacheBefore = target.redis ? await captureCacheSnapshot({ target }) : null;

  // The CPU profile covers the measured window (after warm-up); null when the target names no inspector.
  const [baseline, process, cpu] = await Promise.all([
    loadTest({
      runId,
      phase: 'baseline',
      target,
      concurrency: target.load.concurrency,
      durationSeconds: target.load.durationSeconds,
      warmupSeconds: target.load.warmupSeconds,
    }),
    sampleProcessMetrics({ target, durationSeconds: target.load.warmupSeconds + target.load.durationSeconds }),
    target.process?.inspectorUrl
      ? profileCpu({ runId, target, durationSeconds: target.load.durationSeconds, startAfterSeconds: target.load.warmupSeconds })
      : null,
  ]);

  // The snapshots bracket warm-up and measurement alike; warm-up latency is taken to be the measured mean.
  const windowRequests = baseline.requests + baseline.warmupRequests;
  const totalRequestLatencyMs = baseline.latencyMs.mean * windowRequests;
  const [database, cache, network] = await Promise.all([
    dbBefore ? profileDatabase({ runId, target, beforeSnapshotId: dbBefore.snapshotId, windowRequests, totalRequestLatencyMs }) : null,
    cacheBefore ? profileCache({ target, before: cacheBefore }) : null,
    measureNetwork({ target }),
  ]);

  const bottlenecks = inventoryBottlenecks({ baseline, database, cache, process, network, cpu }, target.targets);
  return { baseline, database, cache, process, network, cpu, bottlenecks };
}
