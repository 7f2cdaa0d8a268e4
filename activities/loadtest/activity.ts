// The load-test activity: runs the open or closed model, heartbeats every second with the progress
// point and running totals, stops on cancellation (rethrowing it after a last heartbeat with the
// partial results), saves the full result (histograms, error kinds, per-second series) in the store
// and returns a small summary.
import { ApplicationFailure } from '@temporalio/common';
import type { LoadWindow } from '../../common/load-window';
import type { LoadTestRequest, LoadTestSummary } from '../../common/types';
import type { ActivityDeps } from '../deps';
import { loadArtifact, saveArtifact } from '../store/artifacts';
import { mergeLoadResults } from './merge';
import { toSummary } from './summary';
import { DEFAULT_MAX_REQUESTS, runLoad, type LoadModel, type LoadProgress, type LoadResult } from './load';
import { loadTestBudget, type RunBudget } from './run-budget';
import { activityContext } from '../activity-context';
import { startHostReading } from './host-reading';
import { prepareOnWorker, sessionsFor } from './setup';
import type { TurnGate } from './turns';

export { perSecondSeries, toSummary } from './summary';

/** The stored artifact of kind 'loadtest'. */
export interface LoadTestArtifact {
  runId: string;
  phase: LoadTestRequest['phase'];
  target: { name: string; baseUrl: string };
  model: LoadModel;
  requestTimeoutMs: number;
  result: LoadResult;
  /** The run's request budget when the test started, and whether the test stopped because it was spent. */
  runBudget?: RunBudget & { spent: boolean };
}

/** What a caller adds to one load test: taking turns with another engine (alternating.ts). */
export interface LoadTestExtras {
  turn?: TurnGate;
  endpointIntervals?: boolean;
  /** Awaited after the setup, right before the load starts (two engines start together). */
  beforeLoad?: () => Promise<void>;
  /** Added to every heartbeat's details (which engine it is). */
  tag?: Record<string, unknown>;
}

/** One load test: setup (log in) first, the load, the host read over the measured window; the full result stored. */
async function runLoadTest(deps: ActivityDeps, req: LoadTestRequest): Promise<LoadTestSummary> {
  return (await runOneLoadTest(deps, req)).summary;
}

export async function runOneLoadTest(
  deps: ActivityDeps,
  req: LoadTestRequest,
  extras: LoadTestExtras = {},
): Promise<{ summary: LoadTestSummary; result: LoadResult }> {
  const ctx = activityContext();
  const heartbeat = (details: unknown): void => ctx?.heartbeat(details);
  let last: LoadProgress | undefined;
  const budget = await loadTestBudget(deps, req);
  const ownCap = req.maxRequests ?? DEFAULT_MAX_REQUESTS;
  // Setup (log in) before the window starts: its requests and time are no part of the load.
  const model = req.model ?? req.target.load.model;
  const context = await prepareOnWorker(deps, req.target, {
    sessions: sessionsFor(model, req.concurrency, req.maxConnections),
    signal: ctx?.cancellationSignal,
    onSession: (done, total) => heartbeat({ setup: { done, total }, phase: req.phase }),
  });
  await extras.beforeLoad?.();
  const startMs = Date.now();
  // A steady warm-up's end is known when it comes: the host is read from the first measured point.
  const hostReading = startHostReading(req.warmup ? null : req.warmupSeconds * 1000);
  const result = await runLoad({
    policy: deps.policy,
    target: req.target,
    model: req.model,
    concurrency: req.concurrency,
    durationSeconds: req.durationSeconds,
    warmupSeconds: req.warmupSeconds,
    warmup: req.warmup,
    rateRps: req.rateRps,
    rampFromRps: req.rampFromRps,
    maxConnections: req.maxConnections,
    thinkTimeMs: req.thinkTimeMs,
    context,
    maxRequests: Math.min(ownCap, budget.allowed),
    signal: ctx?.cancellationSignal,
    turn: extras.turn,
    endpointIntervals: extras.endpointIntervals,
    onProgress: (p, totals) => {
      if (!p.warmup) hostReading.begin();
      last = p;
      heartbeat({ ...p, totals, phase: req.phase, ...(req.rateRps !== undefined ? { rateRps: req.rateRps } : {}), ...extras.tag });
    },
  }).catch(async (err: unknown) => {
    await hostReading.stop();
    throw err;
  });
  const host = await hostReading.stop();
  if (result.aborted) {
    // Last heartbeat carries the partial results, then the cancellation goes on.
    heartbeat({ ...(last ?? {}), partial: toSummary('', req, result) });
    const reason = ctx?.cancellationSignal.reason;
    if (reason instanceof Error) throw reason;
    throw ApplicationFailure.retryable('load test aborted', 'LoadTestAborted');
  }
  const artifact: LoadTestArtifact = {
    runId: req.runId,
    phase: req.phase,
    target: { name: req.target.name, baseUrl: req.target.http.baseUrl },
    model: result.model,
    requestTimeoutMs: req.target.load.requestTimeoutMs,
    result,
    runBudget: { ...budget, spent: result.capped && budget.allowed < ownCap },
  };
  const window: LoadWindow = {
    attempt: ctx?.info.attempt ?? 1,
    startMs,
    measuredFromMs: startMs + (result.warmup?.seconds ?? req.warmupSeconds) * 1000,
    endMs: Date.now(),
  };
  const id = await saveArtifact(deps.store, req.runId, 'loadtest', artifact);
  return { summary: { ...toSummary(id, req, result, artifact.runBudget!.spent), window, host }, result };
}

export function createLoadTestActivities(deps: ActivityDeps) {
  return {
    runLoadTest: (req: LoadTestRequest): Promise<LoadTestSummary> => runLoadTest(deps, req),

    /** Merges the stored results of a distributed test's shards into one result, stored too. */
    async mergeLoadTests(req: { request: LoadTestRequest; shardIds: string[] }): Promise<LoadTestSummary> {
      const shards = await Promise.all(req.shardIds.map((id) => loadArtifact<LoadTestArtifact>(deps.store, id)));
      const result = mergeLoadResults(shards.map((s) => s.result));
      const artifact: LoadTestArtifact & { shardIds: string[] } = { ...shards[0], result, shardIds: req.shardIds };
      const id = await saveArtifact(deps.store, req.request.runId, 'loadtest', artifact);
      return {
        ...toSummary(
          id,
          req.request,
          result,
          shards.some((s) => s.runBudget?.spent),
        ),
        shards: { count: shards.length, ids: req.shardIds, requests: shards.map((s) => s.result.requests) },
      };
    },
  };
}
