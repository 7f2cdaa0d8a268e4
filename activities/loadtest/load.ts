// One load test, either model: checks the request, the host guard and the bounds, builds the
// scenario and the arrival schedule, and runs the engine.
import { ApplicationFailure } from '@temporalio/common';
import type { OperatorPolicy } from '../../common/operator-policy';
import type { TargetProfile } from '../../common/profile';
import { connectionsForRate } from '../../common/stress';
import { runEngine, type EngineResult, type LoadModel, type LoadProgress, type PartialResult } from './engine';
import { assertAllowedHost } from '../http/allowed-host';
import { Scenario, type Rng, type TrafficContext } from './scenario';
import { prepareTraffic, sessionsFor, type PrepareOptions } from './setup';
import { expectedArrivals, validateSegments, type RateSegment } from './schedule';
import type { SteadyWarmup } from '../../common/warmup';
import type { TurnGate } from './turns';

export type { LoadModel, LoadProgress, PartialResult };

export const DEFAULT_MAX_REQUESTS = 10_000_000;
export const MAX_CONNECTIONS = 10_000;

export interface LoadOptions {
  target: TargetProfile;
  /** Default: the profile's load.model (closed when it names none). */
  model?: LoadModel;
  /** 0 with `warmup`: warm up only (until steady or the cap), measure nothing. */
  durationSeconds: number;
  /** The fixed warm-up; with `warmup`, the least one. */
  warmupSeconds: number;
  /** Warm up until the per-second throughput and p95 are steady, at most warmup.maxSeconds. */
  warmup?: SteadyWarmup;
  // closed model
  concurrency?: number;
  thinkTimeMs?: number;
  // open model
  rateRps?: number;
  /** Ramp linearly from this rate to rateRps over the measured window (the warm-up runs at it). */
  rampFromRps?: number;
  /** Custom schedule instead of rateRps/rampFromRps (warm-up included: it starts at t = 0). */
  segments?: RateSegment[];
  maxConnections?: number;
  signal?: AbortSignal;
  onProgress?: (p: LoadProgress, partial: PartialResult) => void;
  /** Hard cap on requests sent (warm-up included). Default 10 million. */
  maxRequests?: number;
  /** Overrides target.load.requestTimeoutMs. */
  requestTimeoutMs?: number;
  /** Progress interval; default 1000 ms. */
  progressIntervalMs?: number;
  rng?: Rng;
  /** Send the load here instead of target.http.baseUrl (e.g. one replica); its host must be allowed. */
  baseUrl?: string;
  /** The operator's hosts (default: loopback only). */
  policy?: Pick<OperatorPolicy, 'targetHosts'>;
  /** The {{env:}} values and setup sessions, made beforehand (prepareTraffic); else made here, before the load. */
  context?: TrafficContext;
  /** Reads the {{env:NAME}} variables when the context is made here. */
  resolveEnv?: PrepareOptions['resolveEnv'];
  /** Closed model only: send while this gate is open (two engines taking turns, turns.ts). */
  turn?: TurnGate;
  /** Record each interval's requests and p95 per endpoint (LoadProgress.endpoints). */
  endpointIntervals?: boolean;
}

export interface LoadResult extends EngineResult {
  concurrency: number; // closed: virtual users; open: most connections open at once
  durationSeconds: number;
  warmupSeconds: number;
  thinkTimeMs: number;
  /** Open model: the (final) planned rate; null for the closed model. */
  rateRps: number | null;
  rampFromRps: number | null;
  maxConnections: number | null;
}

function steadyWarmupIssue(w: SteadyWarmup, minSeconds: number): string | null {
  if (w.until !== 'steady') return `warmup.until must be "steady", got ${String(w.until)}`;
  if (!(w.windowSeconds >= 1) || !(w.tolerancePct > 0)) return 'warmup needs windowSeconds >= 1 and tolerancePct > 0';
  if (!(w.maxSeconds >= 2 * w.windowSeconds) || w.maxSeconds > 3600)
    return `warmup.maxSeconds must be in [2 x windowSeconds, 3600], got ${w.maxSeconds}`;
  return minSeconds > w.maxSeconds ? `warmupSeconds (${minSeconds}, the least warm-up) is above warmup.maxSeconds (${w.maxSeconds})` : null;
}

/** Checks the duration and the warm-up; true when the test only warms up (durationSeconds 0 with a steady warm-up). */
function checkTiming({ durationSeconds, warmupSeconds, warmup, segments }: LoadOptions): boolean {
  const warmupOnly = warmup !== undefined && durationSeconds === 0;
  if (!warmupOnly && (!(durationSeconds > 0) || durationSeconds > 24 * 3600))
    badInput(`durationSeconds must be in (0, 86400] (0 only to warm up until steady), got ${durationSeconds}`);
  if (!(warmupSeconds >= 0) || warmupSeconds > 3600) badInput(`warmupSeconds must be in [0, 3600], got ${warmupSeconds}`);
  const warmupIssue = warmup ? steadyWarmupIssue(warmup, warmupSeconds) : null;
  if (warmupIssue) badInput(warmupIssue);
  if (warmup && segments) badInput('a custom arrival schedule (segments) has its own warm-up: drop warmup');
  return warmupOnly;
}

function badInput(message: string): never {
  throw ApplicationFailure.nonRetryable(message, 'BadLoadTestInput');
}

/** The requests to send: the {{env:}} values and setup sessions (made here unless given), compiled. */
async function buildScenario(opts: LoadOptions, base: URL, sessions: number, requestTimeoutMs: number): Promise<Scenario> {
  const { target } = opts;
  const context =
    opts.context ?? (await prepareTraffic(target, { resolveEnv: opts.resolveEnv, base, sessions, requestTimeoutMs, signal: opts.signal }));
  try {
    return new Scenario(target.http.endpoints, base.pathname.replace(/\/+$/, ''), opts.rng, base.host, context);
  } catch (err) {
    return badInput(`target ${target.name}: ${(err as Error).message}`);
  }
}

export async function runLoad(opts: LoadOptions): Promise<LoadResult> {
  const { target, durationSeconds, warmupSeconds, warmup } = opts;
  const model: LoadModel = opts.model ?? target.load.model ?? 'closed';
  if (model !== 'closed' && model !== 'open') badInput(`model must be "closed" or "open", got ${String(model)}`);
  const warmupOnly = checkTiming(opts);
  const base = assertAllowedHost(target, opts.baseUrl ?? target.http.baseUrl, 'load', opts.policy);
  const endpoints = target.http.endpoints;
  if (endpoints.length === 0) badInput(`target ${target.name} has no endpoints to load`);
  const maxRequests = opts.maxRequests ?? DEFAULT_MAX_REQUESTS;
  if (!(maxRequests >= 1)) badInput(`maxRequests must be >= 1, got ${maxRequests}`);
  const thinkTimeMs = opts.thinkTimeMs ?? target.load.thinkTimeMs ?? 0;
  if (!(thinkTimeMs >= 0) || thinkTimeMs > 60_000) badInput(`thinkTimeMs must be in [0, 60000], got ${thinkTimeMs}`);

  let concurrency = opts.concurrency ?? target.load.concurrency;
  let segments: RateSegment[] | undefined;
  let measuredSegments: RateSegment[] | undefined;
  let rateRps: number | null = null;
  let rampFromRps: number | null = null;
  let maxConnections: number | null = null;
  if (opts.turn && model !== 'closed') badInput('taking turns (turn) needs the closed model');
  if (model === 'closed') {
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > MAX_CONNECTIONS)
      badInput(`concurrency must be an integer in 1..${MAX_CONNECTIONS}, got ${concurrency}`);
  } else {
    if (opts.segments) {
      segments = opts.segments;
      rateRps = segments[segments.length - 1]?.toRps ?? null;
    } else {
      const rate = opts.rateRps ?? target.load.rateRps;
      if (rate === undefined || !(rate > 0) || rate > 1_000_000)
        badInput(`the open model needs rateRps in (0, 1000000], got ${rate}; set load.rateRps in the profile or rateRps in the request`);
      const from = opts.rampFromRps ?? (opts.rateRps === undefined ? target.load.rampFromRps : undefined) ?? rate;
      if (!(from >= 0) || from > 1_000_000) badInput(`rampFromRps must be in [0, 1000000], got ${from}`);
      rateRps = rate;
      rampFromRps = from === rate ? null : from;
      segments = [];
      const measured = warmupOnly ? [] : [{ durationSeconds, fromRps: from, toRps: rate }];
      // A steady warm-up runs at the starting rate until it ends (its cap, plus a tick's slack); the
      // engine then starts the measured schedule.
      const warmSeconds = warmup ? Math.max(warmupSeconds, warmup.maxSeconds) + 2 : warmupSeconds;
      if (warmSeconds > 0) segments.push({ durationSeconds: warmSeconds, fromRps: from, toRps: from });
      if (warmup) measuredSegments = measured;
      else segments.push(...measured);
    }
    const err = validateSegments(segments);
    if (err) badInput(err);
    if (expectedArrivals(segments) < 1) badInput('the arrival schedule plans less than one request');
    const peak = Math.max(...[...segments, ...(measuredSegments ?? [])].map((s) => Math.max(s.fromRps, s.toRps)));
    maxConnections = opts.maxConnections ?? connectionsForRate(peak, target.targets.p99Ms, target.load.maxConnections);
    if (!Number.isInteger(maxConnections) || maxConnections < 1 || maxConnections > MAX_CONNECTIONS)
      badInput(`maxConnections must be an integer in 1..${MAX_CONNECTIONS}, got ${maxConnections}`);
  }

  const requestTimeoutMs = opts.requestTimeoutMs ?? target.load.requestTimeoutMs;
  const sessions = sessionsFor(model, concurrency, maxConnections ?? undefined);
  const scenario = await buildScenario(opts, base, sessions, requestTimeoutMs);
  const r = await runEngine({
    model,
    url: base,
    scenario,
    endpointNames: endpoints.map((e) => e.name),
    expectStatus: endpoints.map((e) => e.expectStatus),
    warmupSeconds,
    steadyWarmup: warmup,
    durationSeconds,
    requestTimeoutMs,
    maxRequests,
    signal: opts.signal,
    onProgress: opts.onProgress,
    progressIntervalMs: opts.progressIntervalMs,
    concurrency,
    thinkTimeMs,
    segments,
    measuredSegments,
    maxConnections: maxConnections ?? undefined,
    turn: opts.turn,
    endpointIntervals: opts.endpointIntervals,
  });
  if (model === 'open') concurrency = r.peakConnections;
  return { ...r, concurrency, durationSeconds, warmupSeconds, thinkTimeMs, rateRps, rampFromRps, maxConnections };
}
