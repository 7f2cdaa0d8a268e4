// The engine's statistics: counts and latencies of the measured (post-warm-up) requests per
// endpoint, the per-interval time series (warm-up included) with its progress callback, and the
// result assembled from them at the end of the run.
import { performance } from 'node:perf_hooks';
import type { EndpointSummary } from '../../common/types';
import { emptyErrorKinds, type ErrorKind } from './errors';
import { EngineConnections, type Conn } from './engine-connections';
import type { EngineOptions, EngineResult, LoadProgress, PartialResult } from './engine-types';
import { createHistogram, encodeHistogram, LatencyCounts, percentileMs, summarize, type Histogram } from './histogram';
import { round } from '../../common/round';
import type { WarmupOutcome } from '../../common/warmup';

/** How the run ended, for the result. */
export interface RunEnd {
  startedAt: Date;
  cpu0: NodeJS.CpuUsage;
  startEpochMs: number;
  /** When it stopped sending (the deadline at the latest). */
  endTime: number;
  aborted: boolean;
  capped: boolean;
  unfinished: number;
}

export abstract class EngineStatistics extends EngineConnections {
  protected readonly nEp: number;

  // measured (post-warm-up) statistics
  protected requests = 0;
  protected errors = 0;
  private warmupRequests = 0;
  protected dropped = 0;
  private readonly epRequests: number[];
  private readonly epErrors: number[];
  private readonly epCounts: LatencyCounts[];
  private readonly epHist: Histogram[];
  private readonly overall: Histogram;
  private readonly kinds = emptyErrorKinds();
  private readonly epKinds: Array<Record<ErrorKind, number>>;
  protected readonly lagCounts = new LatencyCounts();
  private readonly lagHist: Histogram;
  protected plannedMeasured = 0; // open: arrivals due in the measured window

  // interval statistics (warm-up included)
  private readonly intCounts = new LatencyCounts();
  private readonly intHist: Histogram;
  // with endpointIntervals: each endpoint's interval latencies
  private readonly epIntCounts: LatencyCounts[] | null;
  private readonly epIntHist: Histogram | null;
  private intCompleted = 0;
  private intErrors = 0;
  protected intDropped = 0;
  protected intArrivals = 0;
  private readonly series: LoadProgress[] = [];

  protected t0 = 0;
  protected measureStart = 0; // infinite while a steady warm-up lasts
  protected warmupOutcome: WarmupOutcome | undefined;
  protected deadline = 0;
  protected lastTick = 0;

  constructor(opts: EngineOptions) {
    super(opts);
    this.nEp = opts.endpointNames.length;
    this.epRequests = new Array<number>(this.nEp).fill(0);
    this.epErrors = new Array<number>(this.nEp).fill(0);
    this.epCounts = opts.endpointNames.map(() => new LatencyCounts());
    this.epHist = opts.endpointNames.map(() => createHistogram());
    this.epKinds = opts.endpointNames.map(() => emptyErrorKinds());
    this.overall = createHistogram();
    this.intHist = createHistogram();
    this.epIntCounts = opts.endpointIntervals ? opts.endpointNames.map(() => new LatencyCounts()) : null;
    this.epIntHist = opts.endpointIntervals ? createHistogram() : null;
    this.lagHist = createHistogram();
  }

  protected record(c: Conn, now: number, kind: ErrorKind | null, response: boolean): void {
    const latencyMs = now - c.t0;
    this.intCompleted++;
    if (response) {
      this.intCounts.recordMs(latencyMs);
      this.epIntCounts?.[c.ep].recordMs(latencyMs);
    }
    if (kind !== null) this.intErrors++;
    if (c.t0 >= this.measureStart) {
      const i = c.ep;
      this.requests++;
      this.epRequests[i]++;
      // Latency is that of responses (any status); requests without a response only count as errors.
      if (response) this.epCounts[i].recordMs(latencyMs);
      if (kind !== null) {
        this.errors++;
        this.epErrors[i]++;
        this.kinds[kind]++;
        this.epKinds[i][kind]++;
      }
    } else {
      this.warmupRequests++;
    }
  }

  // ---- progress ----------------------------------------------------------------------------

  protected snapshot(now: number): LoadProgress {
    const dt = (now - this.lastTick) / 1000;
    this.intCounts.flushInto(this.intHist);
    for (let i = 0; i < this.nEp; i++) this.epCounts[i].flushInto(this.epHist[i], this.overall);
    const totalSeconds = this.plannedSeconds();
    const h = this.intHist;
    const p: LoadProgress = {
      elapsedSeconds: round(Math.min(totalSeconds, (now - this.t0) / 1000), 3),
      totalSeconds,
      requests: this.requests,
      errors: this.errors,
      currentRps: dt > 0 ? round(this.intCompleted / dt, 1) : 0,
      p95Ms: percentileMs(h, 95),
      warmup: now < this.measureStart,
      p50Ms: percentileMs(h, 50),
      p90Ms: percentileMs(h, 90),
      p99Ms: percentileMs(h, 99),
      maxMs: percentileMs(h, 100),
      intervalRequests: this.intCompleted,
      intervalErrors: this.intErrors,
      dropped: this.dropped,
      intervalDropped: this.intDropped,
      offeredRps: this.o.model === 'open' && dt > 0 ? round(this.intArrivals / dt, 1) : 0,
      bytesIn: this.intBytesIn,
      bytesOut: this.intBytesOut,
      connections: this.openSockets,
    };
    if (this.epIntCounts) p.endpoints = this.endpointIntervals();
    const steady = this.o.steadyWarmup;
    if (steady) {
      const w = this.warmupOutcome;
      p.steadyWarmup = w
        ? { maxSeconds: steady.maxSeconds, endedAfterSeconds: w.seconds, steady: w.steady }
        : { maxSeconds: steady.maxSeconds };
    }
    this.lastTick = now;
    this.intCompleted = 0;
    this.intErrors = 0;
    this.intDropped = 0;
    this.intArrivals = 0;
    this.intBytesIn = 0;
    this.intBytesOut = 0;
    h.reset();
    return p;
  }

  /** Each endpoint's responses in the interval and their p95 (0 without any); clears the interval's counts. */
  private endpointIntervals(): { requests: number; p95Ms: number }[] {
    const h = this.epIntHist!;
    return this.epIntCounts!.map((counts) => {
      const requests = counts.total;
      counts.flushInto(h);
      const p95Ms = requests > 0 ? percentileMs(h, 95) : 0;
      h.reset();
      return { requests, p95Ms };
    });
  }

  /** Warm-up and measured seconds: a steady warm-up counts its cap until it is over. */
  private plannedSeconds(): number {
    const o = this.o;
    if (!o.steadyWarmup) return o.warmupSeconds + o.durationSeconds;
    const warm = this.warmupOutcome?.seconds ?? Math.max(o.warmupSeconds, o.steadyWarmup.maxSeconds);
    return round(warm + o.durationSeconds, 3);
  }

  private partial(now: number): PartialResult {
    const measured = Number.isFinite(this.measureStart) ? Math.max(0, Math.min(now, this.deadline) - this.measureStart) / 1000 : 0;
    return {
      requests: this.requests,
      errors: this.errors,
      dropped: this.dropped,
      errorRatePct: this.requests > 0 ? round((this.errors / this.requests) * 100, 3) : 0,
      throughputRps: measured > 0 ? round(this.requests / measured, 2) : 0,
      latencyMs: summarize(this.overall),
    };
  }

  protected emit(p: LoadProgress): void {
    this.series.push(p);
    const cb = this.o.onProgress;
    if (!cb) return;
    try {
      cb(p, this.partial(performance.now()));
    } catch {
      // A failing observer must not break the load test.
    }
  }

  /** The run's figures once it is over: the last interval's point, the summaries and histograms (which are then freed). */
  protected assembleResult(end: RunEnd): EngineResult {
    const o = this.o;
    const intervalMs = o.progressIntervalMs ?? 1000;
    const endTime = end.endTime;
    if (endTime - this.lastTick > intervalMs / 5 || this.series.length === 0) this.emit(this.snapshot(Math.max(this.lastTick, endTime)));
    for (let i = 0; i < this.nEp; i++) this.epCounts[i].flushInto(this.epHist[i], this.overall);
    this.lagCounts.flushInto(this.lagHist);

    const measuredSeconds = !Number.isFinite(this.measureStart)
      ? 0
      : end.aborted || end.capped
        ? Math.max(0, Math.min(o.durationSeconds, (endTime - this.measureStart) / 1000))
        : o.durationSeconds;
    const histograms = { overall: encodeHistogram(this.overall), endpoints: {} as Record<string, string> };
    const endpoints: EndpointSummary[] = o.endpointNames.map((name, i) => {
      histograms.endpoints[name] = encodeHistogram(this.epHist[i]);
      return { name, requests: this.epRequests[i], errors: this.epErrors[i], latencyMs: summarize(this.epHist[i]) };
    });
    const errorKindsByEndpoint: Record<string, Record<string, number>> = {};
    o.endpointNames.forEach((name, i) => (errorKindsByEndpoint[name] = { ...this.epKinds[i] }));
    const cpu = process.cpuUsage(end.cpu0);
    const result: EngineResult = {
      model: o.model,
      requests: this.requests,
      errors: this.errors,
      errorRatePct: this.requests > 0 ? round((this.errors / this.requests) * 100, 3) : 0,
      throughputRps: measuredSeconds > 0 ? round(this.requests / measuredSeconds, 2) : 0,
      latencyMs: summarize(this.overall),
      endpoints,
      errorKinds: { ...this.kinds },
      errorKindsByEndpoint,
      histograms,
      progress: this.series,
      warmupRequests: this.warmupRequests,
      measuredSeconds: round(measuredSeconds, 3),
      ...(o.steadyWarmup ? { warmup: this.warmupOutcome ?? { seconds: round((endTime - this.t0) / 1000, 3), steady: false } } : {}),
      aborted: end.aborted,
      capped: end.capped,
      dropped: this.dropped,
      offeredRps: o.model === 'open' && measuredSeconds > 0 ? round(this.plannedMeasured / measuredSeconds, 2) : 0,
      unfinished: end.unfinished,
      bytesIn: this.bytesIn,
      bytesOut: this.bytesOut,
      peakConnections: this.peakConnections,
      sendLagMs: o.model === 'open' ? summarize(this.lagHist) : null,
      cpuMs: round((cpu.user + cpu.system) / 1000, 1),
      startedAt: end.startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      startEpochMs: end.startEpochMs,
    };
    for (const h of [this.overall, this.intHist, this.lagHist, ...this.epHist]) h.destroy();
    return result;
  }
}
