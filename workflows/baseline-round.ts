// The baseline measured as one round: before-snapshots, the load and its samplers, all of one load
// attempt. A round whose load attempt is lost (its worker died) is discarded whole and measured again,
// so the database and cache windows never count a killed attempt's traffic, and samplers are told the
// round's planned window so that a retried sampler never measures an idle target.
// With a steady warm-up (load.warmup), the target is first loaded until its per-second figures are
// steady (or the cap), then the round runs as with a fixed warm-up: the samplers' planned windows
// stay exact. A baseline that drifted within its measured window is measured once more.
import { ApplicationFailure, CancellationScope, isCancellation, log, patched, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { PlannedWindow } from '../common/load-window';
import type { TargetProfile } from '../common/profile';
import type { CpuProfileSummary, LoadTestSummary, ProcessProfile } from '../common/types';
import { LOAD_ATTEMPT_LOST, loadTest } from './load-test';
import { loadTestOptions } from './timeouts';
import { windowDrift } from '../common/verdict/before-after';

type Snapshots = Awaited<ReturnType<Activities['captureDatabaseSnapshot']>> | null;

export interface BaselineRound {
  dbBefore: Snapshots;
  cacheBefore: Awaited<ReturnType<Activities['captureCacheSnapshot']>> | null;
  baseline: LoadTestSummary;
  process: ProcessProfile;
  cpu: CpuProfileSummary | null;
  dbActivity: Awaited<ReturnType<Activities['sampleDatabaseActivity']>> | null;
}

const MAX_ROUNDS = 2;

function shortActivities(summary: string) {
  return proxyActivities<Activities>({ startToCloseTimeout: '2 minutes', retry: { maximumAttempts: 3 }, summary });
}

function windowActivities(seconds: number, summary: string) {
  return proxyActivities<Activities>({ ...loadTestOptions(seconds), summary });
}

/** The CPU profile of the measured window: Node.js through its inspector, Python with py-spy; null for neither. */
function profileCpu(runId: string, target: TargetProfile, window: PlannedWindow): Promise<CpuProfileSummary | null> | null {
  const { load } = target;
  const windowSeconds = load.warmupSeconds + load.durationSeconds;
  const req = { runId, target, durationSeconds: load.durationSeconds, startAfterSeconds: load.warmupSeconds, window };
  if (target.process?.inspectorUrl) {
    return windowActivities(windowSeconds, `CPU profile through the inspector for ${load.durationSeconds} s`).profileCpu(req);
  }
  // Runs recorded before py-spy could not name it (the schema refused process.pySpy): the marker only in new runs.
  if (target.process?.pySpy && patched('py-spy-profile')) {
    return windowActivities(windowSeconds, `CPU profile with py-spy for ${load.durationSeconds} s`).profilePython(req);
  }
  return null;
}

/** The baseline; measured again (a new round, which replaces the first) when the first one drifted. */
export async function measureBaseline(runId: string, target: TargetProfile): Promise<BaselineRound> {
  const first = await measureOnce(runId, target);
  const drift = windowDrift(first.baseline);
  if (!drift?.drifting || !patched('baseline-remeasure')) return first;
  log.warn('the baseline drifted within its window: measuring it again', { changePct: drift.changePct });
  const second = await measureOnce(runId, target);
  const remeasured = {
    firstId: first.baseline.id,
    firstThroughputRps: first.baseline.throughputRps,
    firstDrift: { changePct: drift.changePct, firstMean: drift.firstMean, lastMean: drift.lastMean },
  };
  return { ...second, baseline: { ...second.baseline, remeasured } };
}

/** The baseline's round; a second one when the first one's load attempt was lost. */
async function measureOnce(runId: string, target: TargetProfile): Promise<BaselineRound> {
  for (let round = 1; ; round++) {
    try {
      return await measureRound(runId, target);
    } catch (err) {
      if (round >= MAX_ROUNDS || !(err instanceof ApplicationFailure && err.type === LOAD_ATTEMPT_LOST)) throw err;
      log.warn('baseline load attempt lost: measuring the baseline again with new before-snapshots', { error: err.message });
    }
  }
}

/** Loads the target until its throughput and p95 are steady (at most load.warmup.maxSeconds); null with a fixed warm-up. */
async function warmUntilSteady(runId: string, target: TargetProfile): Promise<LoadTestSummary | null> {
  const { load } = target;
  // Profiles recorded before load.warmup have none; histories recorded before this step take no marker.
  if (!load.warmup || !patched('steady-warmup')) return null;
  const req = { runId, phase: 'baseline' as const, target, concurrency: load.concurrency, durationSeconds: 0 };
  return loadTest({ ...req, warmupSeconds: load.warmupSeconds, warmup: load.warmup }, { singleAttempt: true });
}

async function measureRound(runId: string, target: TargetProfile): Promise<BaselineRound> {
  const { load } = target;
  const warm = await warmUntilSteady(runId, target);
  const windowSeconds = load.warmupSeconds + load.durationSeconds;
  const dbBefore = target.database
    ? await shortActivities('pg_stat_statements and table counters before the load').captureDatabaseSnapshot({ runId, target })
    : null;
  const cacheBefore = target.redis
    ? await shortActivities('Redis INFO and SLOWLOG before the load').captureCacheSnapshot({ target })
    : null;
  const now = Date.now(); // workflow time: deterministic
  const window: PlannedWindow = { measureFromMs: now + load.warmupSeconds * 1000, endMs: now + windowSeconds * 1000 };
  const scope = new CancellationScope();
  const [baseline, process, cpu, dbActivity] = await scope.run(() =>
    Promise.all([
      loadTest(
        {
          runId,
          phase: 'baseline',
          target,
          concurrency: load.concurrency,
          durationSeconds: load.durationSeconds,
          warmupSeconds: load.warmupSeconds,
        },
        { singleAttempt: true },
      ).catch((err) => {
        scope.cancel(); // the samplers belong to this attempt's window: stop them
        throw err;
      }),
      windowActivities(windowSeconds, `process and host metrics for ${windowSeconds} s`).sampleProcessMetrics({
        target,
        durationSeconds: windowSeconds,
        window,
      }),
      profileCpu(runId, target, window),
      dbBefore?.snapshotId
        ? windowActivities(windowSeconds, `pg_stat_activity every 500 ms for ${windowSeconds} s`)
            .sampleDatabaseActivity({ runId, target, durationSeconds: windowSeconds, window })
            // Side evidence: without it profileDatabase takes one sample after the load and says so.
            .catch((err) => {
              if (isCancellation(err)) throw err;
              return null;
            })
        : null,
    ]),
  );
  // The round's own fixed warm-up follows the steady one: both count.
  const warmup = warm?.warmup ? { seconds: warm.warmup.seconds + load.warmupSeconds, steady: warm.warmup.steady } : undefined;
  return { dbBefore, cacheBefore, baseline: warmup ? { ...baseline, warmup } : baseline, process, cpu, dbActivity };
}
