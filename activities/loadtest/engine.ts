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
//
// The work is split by job: engine-connections.ts (sockets: connect, write, read, close),
// engine-stats.ts (counts, latencies, the per-interval series and the result), engine-types.ts
// (options, progress, result); here: the run, the requests of both models and stopping.
import { performance } from 'node:perf_hooks';
import { classifyError, codedError } from './errors';
import { Conn } from './engine-connections';
import { EngineStatistics } from './engine-stats';
import type { EngineOptions, EngineResult } from './engine-types';
import { ArrivalSchedule } from './schedule';
import { SteadyWarmupCheck } from './steady-warmup';
import { round } from '../../common/round';
import type { WireRequest } from './scenario';

export type { EngineOptions, EngineResult, LoadModel, LoadProgress, PartialResult } from './engine-types';

export function runEngine(opts: EngineOptions): Promise<EngineResult> {
  return new LoadRun(opts).run();
}

class LoadRun extends EngineStatistics {
  private readonly allowed: Uint8Array[]; // per endpoint: allowed[status] = 1 when expected
  private readonly idle: Conn[] = [];

  private issued = 0;
  private inflight = 0;
  private stopping = false;
  private aborted = false;
  private capped = false;
  private stopAt = Number.POSITIVE_INFINITY;
  private schedule: ArrivalSchedule | null = null;
  private nextArrival: number | null = null; // absolute (performance.now) time of the next arrival
  private steadyCheck: SteadyWarmupCheck | null = null;
  private scheduleOrigin = 0; // when the arrival schedule started: t0, or the end of a steady warm-up

  private timers: Array<ReturnType<typeof setTimeout>> = [];
  private sweepTimer: ReturnType<typeof setInterval> | undefined;
  private progressTimer: ReturnType<typeof setInterval> | undefined;
  private arrivalTimer: ReturnType<typeof setTimeout> | undefined;
  private drainTimer: ReturnType<typeof setTimeout> | undefined;
  private resolve!: () => void;
  private readonly onAbort = (): void => this.finish(true);

  constructor(opts: EngineOptions) {
    super(opts);
    this.allowed = opts.expectStatus.map((list) => {
      const a = new Uint8Array(600);
      for (const s of list) if (s >= 0 && s < 600) a[s] = 1;
      return a;
    });
  }

  async run(): Promise<EngineResult> {
    const o = this.o;
    const startedAt = new Date();
    const cpu0 = process.cpuUsage();
    const done = new Promise<void>((r) => (this.resolve = r));
    this.t0 = performance.now();
    this.lastTick = this.t0;
    const intervalMs = o.progressIntervalMs ?? 1000;
    if (o.steadyWarmup) {
      // Measuring starts when the warm-up is steady (or capped): see endWarmup.
      this.steadyCheck = new SteadyWarmupCheck(o.steadyWarmup, o.warmupSeconds, intervalMs / 1000);
      this.measureStart = Number.POSITIVE_INFINITY;
      this.deadline = Number.POSITIVE_INFINITY;
    } else {
      this.measureStart = this.t0 + o.warmupSeconds * 1000;
      this.deadline = this.measureStart + o.durationSeconds * 1000;
    }
    const startEpochMs = performance.timeOrigin + this.t0;

    if (o.signal?.aborted) this.finish(true);
    else o.signal?.addEventListener('abort', this.onAbort, { once: true });

    if (!this.finished) {
      if (!o.steadyWarmup) this.timers.push(setTimeout(() => this.stop('deadline'), Math.max(0, this.deadline - this.t0)));
      const sweepMs = Math.max(10, Math.min(100, Math.floor(o.requestTimeoutMs / 4)));
      this.sweepTimer = setInterval(() => this.sweep(), sweepMs);
      this.progressTimer = setInterval(() => this.tick(), intervalMs);
      if (o.model === 'closed') {
        const n = o.concurrency ?? 1;
        for (let i = 0; i < n; i++) this.conns.push(new Conn(i));
        for (const c of this.conns) this.issueClosed(c);
      } else {
        this.schedule = new ArrivalSchedule(o.segments ?? []);
        const first = this.schedule.next();
        this.scheduleOrigin = this.t0;
        this.nextArrival = first === null ? null : this.t0 + first;
        this.plannedMeasured = 0;
        this.arrivals();
      }
    }
    await done;
    return this.assembleResult({
      startedAt,
      cpu0,
      startEpochMs,
      endTime: Math.min(this.stopAt, this.deadline),
      aborted: this.aborted,
      capped: this.capped,
      unfinished: this.inflight,
    });
  }

  // ---- progress and the steady warm-up ----------------------------------------------------

  private tick(): void {
    if (this.stopping) return;
    const now = performance.now();
    const p = this.snapshot(now);
    const over = p.warmup ? this.steadyCheck?.add(p, (now - this.t0) / 1000) : null;
    if (over) this.endWarmup(now, over === 'steady');
    this.emit(p);
  }

  /** Measuring starts now: requests sent from now on are counted; an open model's measured schedule starts. */
  private endWarmup(now: number, steady: boolean): void {
    const o = this.o;
    this.measureStart = now;
    this.deadline = now + o.durationSeconds * 1000;
    this.warmupOutcome = { seconds: round((now - this.t0) / 1000, 3), steady };
    if (o.durationSeconds <= 0) return this.stop('deadline');
    this.timers.push(setTimeout(() => this.stop('deadline'), o.durationSeconds * 1000));
    if (o.model !== 'open' || !o.measuredSegments) return;
    this.schedule = new ArrivalSchedule(o.measuredSegments);
    this.scheduleOrigin = now;
    const first = this.schedule.next();
    this.nextArrival = first === null ? null : now + first;
    if (this.arrivalTimer) clearTimeout(this.arrivalTimer);
    this.arrivals();
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
    const turn = this.o.turn;
    if (turn && !turn.isOpen()) return turn.wait(() => this.issueClosed(c));
    const now = performance.now();
    if (now >= this.deadline) return this.stop('deadline');
    if (this.issued >= this.o.maxRequests) return this.stop('cap');
    this.issue(c, now, now);
  }

  private issue(c: Conn, t0: number, now: number): void {
    this.issued++;
    const w: WireRequest = this.o.scenario.nextWire(c.session);
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

  protected complete(c: Conn): void {
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

  protected fail(c: Conn, err: unknown): void {
    this.dropSocket(c);
    if (!c.busy) return;
    const now = performance.now();
    c.busy = false;
    this.inflight--;
    this.record(c, now, classifyError(err), false);
    this.after(c, true);
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
        c = new Conn(this.conns.length);
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
      t = next === null ? null : this.scheduleOrigin + next;
    }
    this.nextArrival = t;
    if (t === null) {
      // Schedule over before the deadline (e.g. a zero rate at the end): wait for the deadline.
      return;
    }
    this.arrivalTimer = setTimeout(() => this.arrivals(), Math.max(0, t - performance.now()));
  }
}
