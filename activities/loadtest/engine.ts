// The load generator's engine: HTTP/1.1 over raw sockets (node:net, or node:tls for https), one
// request in flight per connection, responses parsed by http1.ts, latencies counted in
// HDR-compatible arrays (histogram.ts). Two models drive it:
//   closed: `concurrency` connections (virtual users), each sends its next request when the previous
//           one is answered (after an optional think time); latency is from send to last byte;
//   open:   requests arrive on a schedule (schedule.ts) whatever the answers' speed; each goes out on
//           an idle connection (a new one while under maxConnections), latency is measured from its
//           *intended* send time, so a stalled target shows in the percentiles (no coordinated
//           omission); an arrival that finds every connection busy is counted as dropped.
// Every run is bounded: a deadline, a request cap, a request timeout (a sweep, not a timer per
// request), and an AbortSignal that stops everything at once. At the deadline no new request is sent
// and the ones in flight get up to min(requestTimeoutMs, 1 s) to finish (they are counted).
import * as net from 'node:net';
import * as tls from 'node:tls';
import { performance } from 'node:perf_hooks';
import type { EndpointSummary, LatencySummary, LoadFigures } from '../../common/types';
import { classifyError, codedError, emptyErrorKinds, type ErrorKind } from './errors';
import { createHistogram, encodeHistogram, LatencyCounts, percentileMs, summarize, type Histogram } from './histogram';
import { ResponseParser } from './http1';
import { ArrivalSchedule, type RateSegment } from './schedule';
import type { Scenario, WireRequest } from './scenario';
import { round } from '../../common/round';

export type LoadModel = 'closed' | 'open';

/** One point of the per-second time series (also the heartbeat's progress). */
export interface LoadProgress {
  elapsedSeconds: number; // since the start, warm-up included
  totalSeconds: number; // warmupSeconds + durationSeconds
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
  warmupSeconds: number;
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
  maxConnections?: number;
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

class Conn {
  sock: net.Socket | null = null;
  connected = false;
  busy = false;
  ep = 0;
  t0 = 0; // latency origin: send time (closed) or intended time (open)
  sentAt = 0; // when the request was issued (request timeout runs from here)
  req: Buffer | null = null;
  err: unknown = undefined;
  readonly parser = new ResponseParser();
}

const SOCKET_CLOSED = (): Error => codedError('LOADGEN_SOCKET_CLOSED', 'the server closed the connection before the response was complete');

export function runEngine(opts: EngineOptions): Promise<EngineResult> {
  return new LoadRun(opts).run();
}

class LoadRun {
  private readonly o: EngineOptions;
  private readonly host: string;
  private readonly port: number;
  private readonly secure: boolean;
  private readonly nEp: number;
  private readonly allowed: Uint8Array[]; // per endpoint: allowed[status] = 1 when expected
  private readonly readBuf = Buffer.allocUnsafe(64 * 1024); // shared by all sockets: reads are consumed synchronously

  private readonly conns: Conn[] = [];
  private readonly idle: Conn[] = [];
  private openSockets = 0;
  private peakConnections = 0;

  // measured (post-warm-up) statistics
  private requests = 0;
  private errors = 0;
  private warmupRequests = 0;
  private dropped = 0;
  private readonly epRequests: number[];
  private readonly epErrors: number[];
  private readonly epCounts: LatencyCounts[];
  private readonly epHist: Histogram[];
  private readonly overall: Histogram;
  private readonly kinds = emptyErrorKinds();
  private readonly epKinds: Array<Record<ErrorKind, number>>;
  private readonly lagCounts = new LatencyCounts();
  private readonly lagHist: Histogram;
  private bytesIn = 0;
  private bytesOut = 0;

  // interval statistics (warm-up included)
  private readonly intCounts = new LatencyCounts();
  private readonly intHist: Histogram;
  private intCompleted = 0;
  private intErrors = 0;
  private intDropped = 0;
  private intArrivals = 0;
  private intBytesIn = 0;
  private intBytesOut = 0;
  private readonly series: LoadProgress[] = [];

  private t0 = 0;
  private measureStart = 0;
  private deadline = 0;
  private issued = 0;
  private inflight = 0;
  private stopping = false;
  private finished = false;
  private aborted = false;
  private capped = false;
  private stopAt = Number.POSITIVE_INFINITY;
  private plannedMeasured = 0; // open: arrivals due in the measured window
  private schedule: ArrivalSchedule | null = null;
  private nextArrival: number | null = null; // absolute (performance.now) time of the next arrival
  private lastTick = 0;

  private timers: Array<ReturnType<typeof setTimeout>> = [];
  private sweepTimer: ReturnType<typeof setInterval> | undefined;
  private progressTimer: ReturnType<typeof setInterval> | undefined;
  private arrivalTimer: ReturnType<typeof setTimeout> | undefined;
  private drainTimer: ReturnType<typeof setTimeout> | undefined;
  private resolve!: () => void;
  private readonly onAbort = (): void => this.finish(true);

  constructor(opts: EngineOptions) {
    this.o = opts;
    const u = opts.url;
    this.secure = u.protocol === 'https:';
    this.host = u.hostname.replace(/^\[(.*)\]$/, '$1');
    this.port = u.port ? Number(u.port) : this.secure ? 443 : 80;
    this.nEp = opts.endpointNames.length;
    this.allowed = opts.expectStatus.map((list) => {
      const a = new Uint8Array(600);
      for (const s of list) if (s >= 0 && s < 600) a[s] = 1;
      return a;
    });
    this.epRequests = new Array<number>(this.nEp).fill(0);
    this.epErrors = new Array<number>(this.nEp).fill(0);
    this.epCounts = opts.endpointNames.map(() => new LatencyCounts());
    this.epHist = opts.endpointNames.map(() => createHistogram());
    this.epKinds = opts.endpointNames.map(() => emptyErrorKinds());
    this.overall = createHistogram();
    this.intHist = createHistogram();
    this.lagHist = createHistogram();
  }

  async run(): Promise<EngineResult> {
    const o = this.o;
    const startedAt = new Date();
    const cpu0 = process.cpuUsage();
    const done = new Promise<void>((r) => (this.resolve = r));
    this.t0 = performance.now();
    this.lastTick = this.t0;
    this.measureStart = this.t0 + o.warmupSeconds * 1000;
    this.deadline = this.measureStart + o.durationSeconds * 1000;
    const startEpochMs = performance.timeOrigin + this.t0;

    if (o.signal?.aborted) this.finish(true);
    else o.signal?.addEventListener('abort', this.onAbort, { once: true });

    if (!this.finished) {
      this.timers.push(setTimeout(() => this.stop('deadline'), Math.max(0, this.deadline - this.t0)));
      const sweepMs = Math.max(10, Math.min(100, Math.floor(o.requestTimeoutMs / 4)));
      this.sweepTimer = setInterval(() => this.sweep(), sweepMs);
      const intervalMs = o.progressIntervalMs ?? 1000;
      this.progressTimer = setInterval(() => {
        if (!this.stopping) this.emit(this.snapshot(performance.now()));
      }, intervalMs);
      if (o.model === 'closed') {
        const n = o.concurrency ?? 1;
        for (let i = 0; i < n; i++) this.conns.push(new Conn());
        for (const c of this.conns) this.issueClosed(c);
      } else {
        this.schedule = new ArrivalSchedule(o.segments ?? []);
        const first = this.schedule.next();
        this.nextArrival = first === null ? null : this.t0 + first;
        this.plannedMeasured = 0;
        this.arrivals();
      }
    }
    await done;

    const intervalMs = o.progressIntervalMs ?? 1000;
    const endTime = Math.min(this.stopAt, this.deadline);
    if (endTime - this.lastTick > intervalMs / 5 || this.series.length === 0) this.emit(this.snapshot(Math.max(this.lastTick, endTime)));
    for (let i = 0; i < this.nEp; i++) this.epCounts[i].flushInto(this.epHist[i], this.overall);
    this.lagCounts.flushInto(this.lagHist);

    const measuredSeconds =
      this.aborted || this.capped ? Math.max(0, Math.min(o.durationSeconds, (endTime - this.measureStart) / 1000)) : o.durationSeconds;
    const histograms = { overall: encodeHistogram(this.overall), endpoints: {} as Record<string, string> };
    const endpoints: EndpointSummary[] = o.endpointNames.map((name, i) => {
      histograms.endpoints[name] = encodeHistogram(this.epHist[i]);
      return { name, requests: this.epRequests[i], errors: this.epErrors[i], latencyMs: summarize(this.epHist[i]) };
    });
    const errorKindsByEndpoint: Record<string, Record<string, number>> = {};
    o.endpointNames.forEach((name, i) => (errorKindsByEndpoint[name] = { ...this.epKinds[i] }));
    const cpu = process.cpuUsage(cpu0);
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
      aborted: this.aborted,
      capped: this.capped,
      dropped: this.dropped,
      offeredRps: o.model === 'open' && measuredSeconds > 0 ? round(this.plannedMeasured / measuredSeconds, 2) : 0,
      unfinished: this.inflight,
      bytesIn: this.bytesIn,
      bytesOut: this.bytesOut,
      peakConnections: this.peakConnections,
      sendLagMs: o.model === 'open' ? summarize(this.lagHist) : null,
      cpuMs: round((cpu.user + cpu.system) / 1000, 1),
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      startEpochMs,
    };
    for (const h of [this.overall, this.intHist, this.lagHist, ...this.epHist]) h.destroy();
    return result;
  }

  // ---- stopping ----------------------------------------------------------------------------

  private stop(why: 'deadline' | 'cap'): void {
    if (this.stopping) return;
    this.stopping = true;
    this.stopAt = performance.now();
    if (why === 'cap') this.capped = true;
    if (this.arrivalTimer) clearTimeout(this.arrivalTimer);
    if (this.inflight === 0) return this.finish(false);
    // Let the requests in flight finish (they are counted), for a bounded time.
    this.drainTimer = setTimeout(() => this.finish(false), Math.min(this.o.requestTimeoutMs, 1000));
  }

  private finish(aborted: boolean): void {
    if (this.finished) return;
    this.finished = true;
    if (!this.stopping) {
      this.stopping = true;
      this.stopAt = performance.now();
    }
    if (aborted) this.aborted = true;
    for (const t of this.timers) clearTimeout(t);
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    if (this.progressTimer) clearInterval(this.progressTimer);
    if (this.arrivalTimer) clearTimeout(this.arrivalTimer);
    if (this.drainTimer) clearTimeout(this.drainTimer);
    this.o.signal?.removeEventListener('abort', this.onAbort);
    // Requests still in flight are not counted; their sockets go now.
    for (const c of this.conns) {
      const s = c.sock;
      c.sock = null;
      c.connected = false;
      s?.destroy();
    }
    this.resolve();
  }

  // ---- requests ----------------------------------------------------------------------------

  private issueClosed(c: Conn): void {
    if (this.stopping) return;
    const now = performance.now();
    if (now >= this.deadline) return this.stop('deadline');
    if (this.issued >= this.o.maxRequests) return this.stop('cap');
    this.issue(c, now, now);
  }

  private issue(c: Conn, t0: number, now: number): void {
    this.issued++;
    const w: WireRequest = this.o.scenario.nextWire();
    c.ep = w.endpointIndex;
    c.t0 = t0;
    c.sentAt = now;
    c.busy = true;
    c.req = w.data;
    c.parser.reset(w.head);
    this.inflight++;
    if (c.sock === null) this.connect(c);
    else if (c.connected) this.write(c);
    // else: connecting; written on connect
  }

  private write(c: Conn): void {
    const data = c.req!;
    this.bytesOut += data.length;
    this.intBytesOut += data.length;
    c.sock!.write(data);
  }

  private connect(c: Conn): void {
    let sock: net.Socket;
    const onData = (buf: Buffer, n: number): void => {
      if (c.sock !== sock || this.finished) return;
      this.onBytes(c, buf, n);
    };
    if (this.secure) {
      sock = tls.connect({
        host: this.host,
        port: this.port,
        servername: net.isIP(this.host) ? undefined : this.host,
        ALPNProtocols: ['http/1.1'],
        ...this.o.tls,
      });
      sock.setNoDelay(true);
      sock.on('data', (d: Buffer) => onData(d, d.length));
      sock.once('secureConnect', () => this.onConnect(c, sock));
    } else {
      sock = net.connect({
        host: this.host,
        port: this.port,
        noDelay: true,
        onread: {
          buffer: this.readBuf,
          callback: (n: number, buf: Uint8Array): boolean => {
            onData(buf as Buffer, n);
            return true;
          },
        },
      });
      sock.once('connect', () => this.onConnect(c, sock));
    }
    c.sock = sock;
    c.connected = false;
    c.err = undefined;
    this.openSockets++;
    if (this.openSockets > this.peakConnections) this.peakConnections = this.openSockets;
    sock.on('error', (err) => {
      if (c.sock === sock && c.err === undefined) c.err = err;
    });
    sock.once('close', () => {
      this.openSockets--;
      this.onClose(c, sock);
    });
  }

  private onConnect(c: Conn, sock: net.Socket): void {
    if (c.sock !== sock || this.finished) return;
    c.connected = true;
    if (c.busy) this.write(c);
  }

  private onBytes(c: Conn, buf: Buffer, n: number): void {
    this.bytesIn += n;
    this.intBytesIn += n;
    if (!c.busy) {
      // Bytes nobody asked for (e.g. a 408 on an idle connection): drop the connection.
      this.dropSocket(c);
      return;
    }
    let complete: boolean;
    try {
      complete = c.parser.feed(buf, 0, n);
    } catch (err) {
      this.fail(c, err);
      return;
    }
    if (complete) this.complete(c);
  }

  private onClose(c: Conn, sock: net.Socket): void {
    if (c.sock !== sock) return;
    c.sock = null;
    c.connected = false;
    if (this.finished || !c.busy) return;
    if (c.parser.onClose()) this.complete(c);
    else this.fail(c, c.err ?? SOCKET_CLOSED());
  }

  private dropSocket(c: Conn): void {
    const s = c.sock;
    if (s === null) return;
    c.sock = null;
    c.connected = false;
    s.destroy();
  }

  private complete(c: Conn): void {
    const now = performance.now();
    const status = c.parser.status;
    c.busy = false;
    this.inflight--;
    if (!c.parser.keepAlive) this.dropSocket(c);
    const ok = status < 600 && this.allowed[c.ep][status] === 1;
    this.record(
      c,
      now,
      ok ? null : status >= 500 && status <= 599 ? 'http_5xx' : status >= 400 && status <= 499 ? 'http_4xx' : 'unexpected_status',
      true,
    );
    this.after(c, false);
  }

  private fail(c: Conn, err: unknown): void {
    this.dropSocket(c);
    if (!c.busy) return;
    const now = performance.now();
    c.busy = false;
    this.inflight--;
    this.record(c, now, classifyError(err), false);
    this.after(c, true);
  }

  private record(c: Conn, now: number, kind: ErrorKind | null, response: boolean): void {
    const latencyMs = now - c.t0;
    this.intCompleted++;
    if (response) this.intCounts.recordMs(latencyMs);
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

  private after(c: Conn, failed: boolean): void {
    if (this.stopping) {
      if (this.inflight === 0 && !this.finished) this.finish(false);
      return;
    }
    if (this.o.model === 'open') {
      this.idle.push(c);
      return;
    }
    const think = this.o.thinkTimeMs ?? 0;
    // A target that refuses connections must not turn the virtual users into a hot loop.
    const wait = failed ? Math.max(10, think) : think;
    if (wait > 0) {
      const t = setTimeout(() => this.issueClosed(c), wait);
      t.unref();
    } else this.issueClosed(c);
  }

  /** Times out requests that have waited longer than requestTimeoutMs. */
  private sweep(): void {
    const now = performance.now();
    const limit = this.o.requestTimeoutMs;
    for (const c of this.conns) {
      if (c.busy && now - c.sentAt > limit) this.fail(c, codedError('LOADGEN_TIMEOUT', `no complete response within ${limit} ms`));
    }
  }

  // ---- open model arrivals -----------------------------------------------------------------

  private arrivals(): void {
    this.arrivalTimer = undefined;
    if (this.stopping) return;
    const now = performance.now();
    const maxConns = this.o.maxConnections ?? 1000;
    let t = this.nextArrival;
    while (t !== null && t <= now) {
      if (t >= this.deadline) return this.stop('deadline');
      if (this.issued >= this.o.maxRequests) return this.stop('cap');
      const measured = t >= this.measureStart;
      this.intArrivals++;
      if (measured) this.plannedMeasured++;
      let c = this.idle.pop();
      if (c === undefined && this.conns.length < maxConns) {
        c = new Conn();
        this.conns.push(c);
      }
      if (c === undefined) {
        this.intDropped++;
        if (measured) this.dropped++;
      } else {
        if (measured) this.lagCounts.recordMs(now - t);
        this.issue(c, t, now);
      }
      const next = this.schedule!.next();
      t = next === null ? null : this.t0 + next;
    }
    this.nextArrival = t;
    if (t === null) {
      // Schedule over before the deadline (e.g. a zero rate at the end): wait for the deadline.
      return;
    }
    this.arrivalTimer = setTimeout(() => this.arrivals(), Math.max(0, t - performance.now()));
  }

  // ---- progress ----------------------------------------------------------------------------

  private snapshot(now: number): LoadProgress {
    const dt = (now - this.lastTick) / 1000;
    this.intCounts.flushInto(this.intHist);
    for (let i = 0; i < this.nEp; i++) this.epCounts[i].flushInto(this.epHist[i], this.overall);
    const totalSeconds = this.o.warmupSeconds + this.o.durationSeconds;
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

  private partial(now: number): PartialResult {
    const measured = Math.max(0, Math.min(now, this.deadline) - this.measureStart) / 1000;
    return {
      requests: this.requests,
      errors: this.errors,
      dropped: this.dropped,
      errorRatePct: this.requests > 0 ? round((this.errors / this.requests) * 100, 3) : 0,
      throughputRps: measured > 0 ? round(this.requests / measured, 2) : 0,
      latencyMs: summarize(this.overall),
    };
  }

  private emit(p: LoadProgress): void {
    this.series.push(p);
    const cb = this.o.onProgress;
    if (!cb) return;
    try {
      cb(p, this.partial(performance.now()));
    } catch {
      // A failing observer must not break the load test.
    }
  }
}
