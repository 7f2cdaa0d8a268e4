// What a run leaves against regressions, when asked: its last measured window pinned as the target's
// baseline, and the check on a Temporal Schedule (through the worker's client); then what is in
// place for the target, whoever put it there (the contract's regression_prevention reads it).
import { Context } from '@temporalio/activity';
import { ScheduleAlreadyRunning, ScheduleNotFoundError, type Client } from '@temporalio/client';
import { watchScheduleId, watchScheduleOptions } from '../../common/gate/watch-schedule';
import type { Pool } from 'pg';
import type { RegressionPreventionState } from '../../common/contract-record';
import { defaultCheckInput } from '../../common/gate/default-check';
import type { TargetProfile } from '../../common/profile';
import type { LoadTestSummary } from '../../common/types';
import { loadArtifact } from './artifacts';
import { latestCiFile } from './queries/ci-files';
import { latestPinned, pinBaseline } from './queries/baselines';
import { STORE_SCHEMA } from './schema';

export interface RegressionPreventionRequest {
  workflowId: string;
  runId: string;
  target: TargetProfile;
  pinFrom: LoadTestSummary | null; // the window to pin (the after test, else the baseline); null: pin nothing
  watchEveryMs: number | null;
}

/** Pins once per run: a retried activity finds its own pin by source. */
async function pinOnce(store: Pool, req: RegressionPreventionRequest, summary: LoadTestSummary): Promise<void> {
  const source = `run:${req.workflowId}/${req.runId}`;
  const { rowCount } = await store.query(`SELECT 1 FROM ${STORE_SCHEMA}.baselines WHERE source = $1 AND pinned`, [source]);
  if (rowCount) return;
  const histograms = await loadArtifact(store, summary.id).catch(() => null);
  await pinBaseline(store, {
    target: req.target.name,
    source,
    summary,
    histograms,
    note: 'pinned by the run',
    createdBy: 'perf-orchestrator',
  });
}

async function ensureWatch(client: Client, target: TargetProfile, everyMs: number): Promise<void> {
  const input = defaultCheckInput(target, 'perf-orchestrator');
  try {
    await client.schedule.create(watchScheduleOptions(input, everyMs, `perf-orch check of ${target.name}, set up by a run`));
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err; // one already watches it (a retry, or perf-orch watch create)
  }
}

async function activeWatch(client: Client, target: string): Promise<string | null> {
  const id = watchScheduleId(target);
  try {
    const d = await client.schedule.getHandle(id).describe();
    return d.state.paused ? null : id;
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) return null;
    throw err;
  }
}

export function createRegressionPreventionActivities({ store }: { store: Pool }) {
  return {
    async setUpRegressionPrevention(req: RegressionPreventionRequest): Promise<RegressionPreventionState> {
      const client = Context.current().client;
      if (req.pinFrom) await pinOnce(store, req, req.pinFrom);
      if (req.watchEveryMs) await ensureWatch(client, req.target, req.watchEveryMs);
      const pinned = await latestPinned(store, req.target.name);
      return {
        pinnedBaselineId: pinned?.id ?? null,
        watchScheduleId: await activeWatch(client, req.target.name),
        ciFile: await latestCiFile(store, req.target.name),
      };
    },
  };
}
