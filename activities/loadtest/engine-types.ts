// The engine's options, progress points and result (engine.ts runs it).
import type * as tls from 'node:tls';
import type { LatencySummary, LoadFigures } from '../../common/types';
import type { RateSegment } from './schedule';
import type { Scenario } from './scenario';
import type { TurnGate } from './turns';
import type { SteadyWarmup, WarmupOutcome } from '../../common/warmup';

export type LoadModel = 'closed' | 'open';

/** One point of the per-second time series (also the heartbeat's progress). */
export interface LoadProgress {
  elapsedSeconds: number; // since the start, warm-up included
  totalSeconds: number; // warmupSeconds + durationSeconds (a steady warm-up: its cap until it is over)
  requests: number; // counted (post-warm-up) requests so far
  errors: number; // counted errors so far
  currentRps: number; // completions per second over the last interval, warm-up included
  p95Ms: number; // p95 of the responses of the last interval
  warmup: boolean; // true while still warming up
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  intervalRequests: number; // completions (responses and failures) in the interval
  intervalErrors: number;
  dropped: number; // counted dropped arrivals so far (open model)
  intervalDropped: number;
  offeredRps: number; // open model: arrivals per second in the interval (sent + dropped); closed: 0
  bytesIn: number; // in the interval
  bytesOut: number;
  connections: number; // open sockets at the end of the interval
  // With endpointIntervals: per endpoint (the profile's order), the interval's completions and their p95.
  endpoints?: { requests: number; p95Ms: number }[];
  steadyWarmup?: { maxSeconds: number; endedAfterSeconds?: number; steady?: boolean }; // with a steady warm-up
}

/** Small running totals for heartbeats. */
export interface PartialResult {
  requests: number;
  errors: number;
  dropped: number;
  errorRatePct: number;
  throughputRps: number;
  latencyMs: LatencySummary;
}

export interface EngineOptions {
  model: LoadModel;
  /** Origin and base path; the caller has checked the host against the profile. */
  url: URL;
  scenario: Scenario;
  endpointNames: string[];
  expectStatus: number[][];
  warmupSeconds: number; // fixed; with steadyWarmup, the least warm-up
  /** Warm up until the throughput and p95 are steady (at most its cap); durationSeconds 0: warm up only. */
  steadyWarmup?: SteadyWarmup;
  durationSeconds: number;
  requestTimeoutMs: number;
  maxRequests: number;
  signal?: AbortSignal;
  onProgress?: (p: LoadProgress, partial: PartialResult) => void;
  progressIntervalMs?: number;
  // closed model
  concurrency?: number;
  thinkTimeMs?: number;
  // open model: the whole schedule, warm-up included (starts at t = 0)
  segments?: RateSegment[];
  /** With steadyWarmup: the schedule of the measured window, started when the warm-up ends. */
  measuredSegments?: RateSegment[];
  maxConnections?: number;
  /** Closed model: send only while this gate is open (two engines taking turns, turns.ts). */
  turn?: TurnGate;
  /** Each interval's requests and p95 per endpoint too (LoadProgress.endpoints). */
  endpointIntervals?: boolean;
  /** TLS options for https targets (servername defaults to the host). */
  tls?: tls.ConnectionOptions;
}

export interface EngineResult extends LoadFigures {
  model: LoadModel;
  errorKindsByEndpoint: Record<string, Record<string, number>>;
  /** Compressed base64 HDR histograms (microseconds) of the counted responses. */
  histograms: { overall: string; endpoints: Record<string, string> };
  progress: LoadProgress[];
  warmupRequests: number;
  /** Seconds of the measured window actually run (durationSeconds unless stopped early). */
  measuredSeconds: number;
  /** With a steady warm-up: how long it lasted, false when it reached its cap first. */
  warmup?: WarmupOutcome;
  aborted: boolean;
  capped: boolean;
  /** Arrivals (open model) that found every connection busy, in the measured window. */
  dropped: number;
  /** Open model: planned arrivals per second over the measured window; closed: 0. */
  offeredRps: number;
  /** Requests still unanswered when the run ended (not counted). */
  unfinished: number;
  bytesIn: number;
  bytesOut: number;
  /** Most connections open at once. */
  peakConnections: number;
  /** Open model: how late requests left compared with their intended time (generator lag). */
  sendLagMs: LatencySummary | null;
  /** CPU time (user + system) of this process during the run, ms: the generator's cost. */
  cpuMs: number;
  startedAt: string;
  finishedAt: string;
  /** performance.timeOrigin + the run's t0 (ms, high resolution): intended times are relative to it. */
  startEpochMs: number;
}
