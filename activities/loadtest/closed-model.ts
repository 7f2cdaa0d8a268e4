// Closed-model load generator: `concurrency` workers each send requests back to back for
// warmupSeconds + durationSeconds. Only requests that start after the warm-up are counted.
// Bounded in time (deadline), in count (maxRequests) and stops within ~1 s of an AbortSignal.
import { performance } from 'node:perf_hooks';
import { ApplicationFailure } from '@temporalio/common';
import { Pool } from 'undici';
import type { TargetProfile } from '../../common/profile';
import type { EndpointSummary, LatencySummary } from '../../common/types';
import { classifyError, classifyStatus, emptyErrorKinds, type ErrorKind } from './errors';
import { assertAllowedHost } from './guard';
import { createHistogram, encodeHistogram, percentileMs, recordMs, summarize, type Histogram } from './histogram';
import { Scenario, type Rng } from './scenario';

export const DEFAULT_MAX_REQUESTS = 10_000_000;

export interface LoadProgress {
  elapsedSeconds: number; // since the start, warm-up included
  totalSeconds: number; // warmupSeconds + durationSeconds
  requests: number; // counted (post-warm-up) requests so far
  errors: number; // counted errors so far
  currentRps: number; // completions per second over the last interval, warm-up included
  p95Ms: number; // p95 of the responses of the last interval
  warmup: boolean; // true while still warming up
}

export interface ClosedLoadOptions {
  target: TargetProfile;
  concurrency: number;
  durationSeconds: number;
  warmupSeconds: number;
  signal?: AbortSignal;
  onProgress?: (p: LoadProgress) => void;
  /** Hard cap on requests sent (warm-up included). Default 10 million. */
  maxRequests?: number;
  /** Overrides target.load.requestTimeoutMs. */
  requestTimeoutMs?: number;
  /** Progress interval; default 1000 ms. */
  progressIntervalMs?: number;
  rng?: Rng;
  /** Send the load here instead of target.http.baseUrl (e.g. one replica); its host must be allowed. */
  baseUrl?: string;
}

export interface ClosedLoadResult {
  concurrency: number;
  durationSeconds: number;
  warmupSeconds: number;
  requests: number;
  errors: number;
  errorRatePct: number;
  throughputRps: number;
  latencyMs: LatencySummary;
  endpoints: EndpointSummary[];
  errorKinds: Record<string, number>;
  errorKindsByEndpoint: Record<string, Record<string, number>>;
  /** Compressed base64 HDR histograms (microseconds) of the counted responses. */
  histograms: { overall: string; endpoints: Record<string, string> };
  progress: LoadProgress[];
  warmupRequests: number;
  /** Seconds of the measured window actually run (durationSeconds unless stopped early). */
  measuredSeconds: number;
  aborted: boolean; // stopped by the signal
  capped: boolean; // stopped by maxRequests
  startedAt: string;
  finishedAt: string;
}

const round = (x: number, digits: number): number => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

function badInput(message: string): never {
  throw ApplicationFailure.nonRetryable(message, 'BadLoadTestInput');
}

export async function runClosedLoad(opts: ClosedLoadOptions): Promise<ClosedLoadResult> {
  const { target, concurrency, durationSeconds, warmupSeconds, signal, onProgress } = opts;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 10_000) badInput(`concurrency must be an integer in 1..10000, got ${concurrency}`);
  if (!(durationSeconds > 0) || durationSeconds > 24 * 3600) badInput(`durationSeconds must be in (0, 86400], got ${durationSeconds}`);
  if (!(warmupSeconds >= 0) || warmupSeconds > 3600) badInput(`warmupSeconds must be in [0, 3600], got ${warmupSeconds}`);
  const base = assertAllowedHost(target, opts.baseUrl ?? target.http.baseUrl);
  const endpoints = target.http.endpoints;
  if (endpoints.length === 0) badInput(`target ${target.name} has no endpoints to load`);

  const maxRequests = opts.maxRequests ?? DEFAULT_MAX_REQUESTS;
  const timeoutMs = opts.requestTimeoutMs ?? target.load.requestTimeoutMs;
  const intervalMs = opts.progressIntervalMs ?? 1000;
  const scenario = new Scenario(endpoints, base.pathname.replace(/\/+$/, ''), opts.rng);

  // Per-endpoint and overall statistics of counted requests.
  const overall = createHistogram();
  const epHist: Histogram[] = endpoints.map(() => createHistogram());
  const epRequests = endpoints.map(() => 0);
  const epErrors = endpoints.map(() => 0);
  const epKinds = endpoints.map(() => emptyErrorKinds());
  const kinds = emptyErrorKinds();
  let requests = 0;
  let errors = 0;
  let warmupRequests = 0;
  let issued = 0;
  let capped = false;
  // Last-interval statistics (warm-up included) for progress.
  const intervalHist = createHistogram();
  let intervalCompleted = 0;

  const startedAt = new Date();
  const t0 = performance.now();
  const measureStart = t0 + warmupSeconds * 1000;
  const deadline = measureStart + durationSeconds * 1000;
  const totalSeconds = warmupSeconds + durationSeconds;

  // undici: timeouts apply to connecting, to waiting for the response headers, and between body chunks.
  const pool = new Pool(base.origin, {
    connections: concurrency,
    pipelining: 1,
    connectTimeout: timeoutMs,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    keepAliveTimeout: 30_000,
  });

  let stopping = false;
  let stopAt = Number.POSITIVE_INFINITY;
  let aborted = false;
  let destroyed: Promise<void> | undefined;
  let wakeSleepers: Array<() => void> = [];
  const stop = (why: 'deadline' | 'abort' | 'cap'): void => {
    if (stopping) return;
    stopping = true;
    stopAt = performance.now();
    if (why === 'abort') aborted = true;
    if (why === 'cap') capped = true;
    // Destroying the pool ends in-flight requests at once; they are not counted.
    destroyed = pool.destroy().catch(() => undefined);
    for (const w of wakeSleepers) w();
    wakeSleepers = [];
  };
  const deadlineTimer = setTimeout(() => stop('deadline'), Math.max(0, deadline - t0));
  const onAbort = (): void => stop('abort');
  if (signal?.aborted) stop('abort');
  else signal?.addEventListener('abort', onAbort, { once: true });

  const series: LoadProgress[] = [];
  let lastTick = t0;
  const snapshot = (now: number): LoadProgress => {
    const dt = (now - lastTick) / 1000;
    const p: LoadProgress = {
      elapsedSeconds: round(Math.min(totalSeconds, (now - t0) / 1000), 3),
      totalSeconds,
      requests,
      errors,
      currentRps: dt > 0 ? round(intervalCompleted / dt, 1) : 0,
      p95Ms: percentileMs(intervalHist, 95),
      warmup: now < measureStart,
    };
    lastTick = now;
    intervalCompleted = 0;
    intervalHist.reset();
    return p;
  };
  const emit = (p: LoadProgress): void => {
    series.push(p);
    if (onProgress) {
      try {
        onProgress(p);
      } catch {
        // A failing observer must not break the load test.
      }
    }
  };
  const progressTimer = setInterval(() => {
    if (!stopping) emit(snapshot(performance.now()));
  }, intervalMs);

  const pause = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      if (stopping) return resolve();
      const t = setTimeout(done, ms);
      function done(): void {
        clearTimeout(t);
        resolve();
      }
      wakeSleepers.push(done);
    });

  const worker = async (): Promise<void> => {
    while (!stopping) {
      if (issued >= maxRequests) {
        stop('cap');
        break;
      }
      issued++;
      const req = scenario.next();
      const start = performance.now();
      if (start >= deadline) {
        stop('deadline');
        break;
      }
      let status = 0;
      let failure: unknown;
      try {
        const res = await pool.request({
          path: req.path,
          method: req.method,
          headers: req.headers,
          body: req.body,
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
        });
        status = res.statusCode;
        await res.body.dump({ limit: Number.MAX_SAFE_INTEGER });
      } catch (err) {
        failure = err;
      }
      const end = performance.now();
      // Requests cut short by the stop (or finishing after it) are not counted.
      if (stopping && (failure !== undefined || end > stopAt)) break;

      const latencyMs = end - start;
      const i = req.endpointIndex;
      let kind: ErrorKind | null;
      if (failure !== undefined) kind = classifyError(failure);
      else kind = classifyStatus(status, endpoints[i].expectStatus);

      intervalCompleted++;
      if (failure === undefined) recordMs(intervalHist, latencyMs);
      if (start >= measureStart) {
        requests++;
        epRequests[i]++;
        // Latency is that of responses (any status); requests without a response only count as errors.
        if (failure === undefined) {
          recordMs(overall, latencyMs);
          recordMs(epHist[i], latencyMs);
        }
        if (kind !== null) {
          errors++;
          epErrors[i]++;
          kinds[kind]++;
          epKinds[i][kind]++;
        }
      } else {
        warmupRequests++;
      }
      // A target that refuses connections must not turn the workers into a hot loop.
      if (failure !== undefined && !stopping) await pause(10);
    }
  };

  try {
    await Promise.all(Array.from({ length: concurrency }, () => worker()));
  } finally {
    stop('deadline'); // no-op when already stopped; makes sure the pool is destroyed
    clearTimeout(deadlineTimer);
    clearInterval(progressTimer);
    signal?.removeEventListener('abort', onAbort);
    await destroyed;
  }

  const endTime = Math.min(stopAt, deadline);
  if (endTime - lastTick > intervalMs / 5 || series.length === 0) emit(snapshot(endTime));
  const measuredSeconds = aborted || capped ? Math.max(0, Math.min(durationSeconds, (endTime - measureStart) / 1000)) : durationSeconds;

  const histograms = { overall: encodeHistogram(overall), endpoints: {} as Record<string, string> };
  const epSummaries: EndpointSummary[] = endpoints.map((e, i) => {
    histograms.endpoints[e.name] = encodeHistogram(epHist[i]);
    return { name: e.name, requests: epRequests[i], errors: epErrors[i], latencyMs: summarize(epHist[i]) };
  });
  const errorKindsByEndpoint: Record<string, Record<string, number>> = {};
  endpoints.forEach((e, i) => (errorKindsByEndpoint[e.name] = { ...epKinds[i] }));

  const result: ClosedLoadResult = {
    concurrency,
    durationSeconds,
    warmupSeconds,
    requests,
    errors,
    errorRatePct: requests > 0 ? round((errors / requests) * 100, 3) : 0,
    throughputRps: measuredSeconds > 0 ? round(requests / measuredSeconds, 2) : 0,
    latencyMs: summarize(overall),
    endpoints: epSummaries,
    errorKinds: { ...kinds },
    errorKindsByEndpoint,
    histograms,
    progress: series,
    warmupRequests,
    measuredSeconds: round(measuredSeconds, 3),
    aborted,
    capped,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
  };
  for (const h of [overall, intervalHist, ...epHist]) h.destroy();
  return result;
}
