// The load-test activity: runs the closed model, heartbeats progress every second, stops on
// cancellation (rethrowing it after a last heartbeat with partial results), saves the full result
// (histograms, error kinds, progress series) in the store and returns a small summary.
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { LoadTestRequest, LoadTestSummary } from '../../common/types';
import type { ActivityDeps } from '../deps';
import { saveArtifact } from '../store/artifacts';
import { runClosedLoad, type ClosedLoadResult, type LoadProgress } from './closed-model';

/** The stored artifact of kind 'loadtest'. */
export interface LoadTestArtifact {
  runId: string;
  phase: LoadTestRequest['phase'];
  target: { name: string; baseUrl: string };
  model: 'closed';
  requestTimeoutMs: number;
  result: ClosedLoadResult;
}

export function toSummary(id: string, req: LoadTestRequest, r: ClosedLoadResult): LoadTestSummary {
  return {
    id,
    phase: req.phase,
    concurrency: req.concurrency,
    durationSeconds: req.durationSeconds,
    requests: r.requests,
    errors: r.errors,
    errorRatePct: r.errorRatePct,
    throughputRps: r.throughputRps,
    latencyMs: r.latencyMs,
    endpoints: r.endpoints,
    errorKinds: r.errorKinds,
    warmupRequests: r.warmupRequests,
  };
}

function currentContext(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined;
  }
}

export function createLoadTestActivities(deps: ActivityDeps) {
  return {
    async runLoadTest(req: LoadTestRequest): Promise<LoadTestSummary> {
      const ctx = currentContext();
      const heartbeat = (details: unknown): void => ctx?.heartbeat(details);
      let last: LoadProgress | undefined;
      const result = await runClosedLoad({
        target: req.target,
        concurrency: req.concurrency,
        durationSeconds: req.durationSeconds,
        warmupSeconds: req.warmupSeconds,
        signal: ctx?.cancellationSignal,
        onProgress: (p) => {
          last = p;
          heartbeat(p);
        },
      });
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
        model: 'closed',
        requestTimeoutMs: req.target.load.requestTimeoutMs,
        result,
      };
      const id = await saveArtifact(deps.store, req.runId, 'loadtest', artifact);
      return toSummary(id, req, result);
    },
  };
}
