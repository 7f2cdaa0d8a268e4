// One measured block: the project's own load engine (runLoad, what the load-test activity runs), the
// closed model for a few seconds; its p95, its per-second p95 series and its endpoints' figures.
import type { TargetProfile } from '../../common/profile';
import type { EndpointSummary } from '../../common/types';
import { runLoad } from '../../activities/loadtest/load';

export interface BlockFigures {
  p95Ms: number;
  perSecondP95Ms: number[];
  requests: number;
  errors: number;
  endpoints: EndpointSummary[];
}

export async function runBlock(opts: {
  profile: TargetProfile;
  seconds: number;
  warmupSeconds?: number;
  concurrency: number;
  rateRps?: number; // the open model at this rate (concurrency: the most connections); else the closed model
  signal?: AbortSignal;
}): Promise<BlockFigures> {
  const r = await runLoad({
    target: opts.profile,
    durationSeconds: opts.seconds,
    warmupSeconds: opts.warmupSeconds ?? 0,
    ...(opts.rateRps
      ? { model: 'open', rateRps: opts.rateRps, maxConnections: opts.concurrency }
      : { model: 'closed', concurrency: opts.concurrency }),
    signal: opts.signal,
    progressIntervalMs: 1000,
  });
  const perSecond = r.progress.filter((p) => !p.warmup && p.intervalRequests > 0).map((p) => p.p95Ms);
  return { p95Ms: r.latencyMs.p95, perSecondP95Ms: perSecond, requests: r.requests, errors: r.errors, endpoints: r.endpoints };
}
