// Step 1: profile the target under its real traffic, then inventory the bottlenecks.
import { isCancellation, patched, proxyActivities, setCurrentDetails } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { inventoryBottlenecks } from '../common/bottlenecks';
import { keepIfPaired, type NotMeasured } from '../common/load-window';
import type { ProfilingInput, ProfilingResult } from '../common/stages';
import { measureBaseline } from './baseline-round';
import { loadTestOptions } from './timeouts';
import { loadTest } from './load-test';
import { attributeEndpoints } from './attribution';
import { baselineMeasurement, baselineMeasurementLine } from '../common/verdict/baseline-measurement';

function shortActivities(summary: string) {
  return proxyActivities<Activities>({ startToCloseTimeout: '2 minutes', retry: { maximumAttempts: 3 }, summary });
}

function windowActivities(seconds: number, summary: string) {
  return proxyActivities<Activities>({ ...loadTestOptions(seconds), summary });
}

export async function profilingWorkflow(input: ProfilingInput): Promise<ProfilingResult> {
  // Histories recorded before the load window was measured per attempt take the earlier path.
  return patched('profiling-load-window') ? profileInLoadWindow(input) : profileBeforeLoadWindow(input);
}

/** Samples are kept only when they cover the load attempt that was measured; the others are reported as not measured. */
async function profileInLoadWindow({ runId, target }: ProfilingInput): Promise<ProfilingResult> {
  const round = await measureBaseline(runId, target);
  const { baseline, dbBefore, cacheBefore } = round;
  setCurrentDetails(`**baseline measured**\n\n${baselineMeasurementLine(baselineMeasurement(baseline))}`);
  const notMeasured: NotMeasured[] = [];
  const process = keepIfPaired('process', round.process, baseline.window, notMeasured);
  const cpu = keepIfPaired('cpu', round.cpu, baseline.window, notMeasured);
  const dbActivity = keepIfPaired('database-activity', round.dbActivity, baseline.window, notMeasured);
  const activityNotMeasured = notMeasured.find((m) => m.what === 'database-activity')?.reason;

  const windowRequests = baseline.requests + baseline.warmupRequests;
  const totalRequestLatencyMs = baseline.latencyMs.mean * windowRequests;
  const [database, cache, network] = await Promise.all([
    dbBefore
      ? shortActivities('pg_stat_statements after the load: the window').profileDatabase({
          runId,
          target,
          beforeSnapshotId: dbBefore.snapshotId,
          windowRequests,
          totalRequestLatencyMs,
          ...(dbActivity?.artifactId ? { activityArtifactId: dbActivity.artifactId } : {}),
          ...(activityNotMeasured ? { activityNotMeasured } : {}),
        })
      : null,
    cacheBefore ? shortActivities('Redis INFO and SLOWLOG after the load: the window').profileCache({ target, before: cacheBefore }) : null,
    shortActivities('connect, TTFB and transfer of each endpoint, 3 fresh connections').measureNetwork({ target }),
  ]);

  // After the window's figures are read, so its own requests never count in them.
  const attribution = await attributeEndpoints(runId, target, 'baseline');
  const bottlenecks = inventoryBottlenecks({ baseline, database, cache, process, network, cpu }, target.targets);
  return {
    baseline,
    database,
    cache,
    process,
    network,
    cpu,
    bottlenecks,
    ...(notMeasured.length ? { notMeasured } : {}),
    ...(attribution ? { attribution } : {}),
  };
}

async function profileBeforeLoadWindow({ runId, target }: ProfilingInput): Promise<ProfilingResult> {
  const { load } = target;
  const windowSeconds = load.warmupSeconds + load.durationSeconds;
  const dbBefore = target.database
    ? await shortActivities('pg_stat_statements and table counters before the load').captureDatabaseSnapshot({ runId, target })
    : null;
  const cacheBefore = target.redis
    ? await shortActivities('Redis INFO and SLOWLOG before the load').captureCacheSnapshot({ target })
    : null;
  // Histories recorded before the sampler was an activity of its own have no such activity.
  const sampleDb = patched('database-activity-sampler') && dbBefore?.snapshotId;

  // The CPU profile covers the measured window (after warm-up); null when the target names no inspector.
  const [baseline, process, cpu, dbActivity] = await Promise.all([
    loadTest({
      runId,
      phase: 'baseline',
      target,
      concurrency: load.concurrency,
      durationSeconds: load.durationSeconds,
      warmupSeconds: load.warmupSeconds,
    }),
    windowActivities(windowSeconds, `process and host metrics for ${windowSeconds} s`).sampleProcessMetrics({
      target,
      durationSeconds: windowSeconds,
    }),
    target.process?.inspectorUrl
      ? windowActivities(windowSeconds, `CPU profile through the inspector for ${load.durationSeconds} s`).profileCpu({
          runId,
          target,
          durationSeconds: load.durationSeconds,
          startAfterSeconds: load.warmupSeconds,
        })
      : null,
    sampleDb
      ? windowActivities(windowSeconds, `pg_stat_activity every 500 ms for ${windowSeconds} s`)
          .sampleDatabaseActivity({ runId, target, durationSeconds: windowSeconds })
          // Side evidence: without it profileDatabase takes one sample after the load and says so.
          .catch((err) => {
            if (isCancellation(err)) throw err;
            return null;
          })
      : null,
  ]);

  // The snapshots bracket warm-up and measurement alike; warm-up latency is taken to be the measured mean.
  const windowRequests = baseline.requests + baseline.warmupRequests;
  const totalRequestLatencyMs = baseline.latencyMs.mean * windowRequests;
  const [database, cache, network] = await Promise.all([
    dbBefore
      ? shortActivities('pg_stat_statements after the load: the window').profileDatabase({
          runId,
          target,
          beforeSnapshotId: dbBefore.snapshotId,
          windowRequests,
          totalRequestLatencyMs,
          ...(dbActivity ? { activityArtifactId: dbActivity.artifactId } : {}),
        })
      : null,
    cacheBefore ? shortActivities('Redis INFO and SLOWLOG after the load: the window').profileCache({ target, before: cacheBefore }) : null,
    shortActivities('connect, TTFB and transfer of each endpoint, 3 fresh connections').measureNetwork({ target }),
  ]);

  const bottlenecks = inventoryBottlenecks({ baseline, database, cache, process, network, cpu }, target.targets);
  return { baseline, database, cache, process, network, cpu, bottlenecks };
}
