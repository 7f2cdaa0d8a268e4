// Metrics of the target's processes on this host (found by the TCP port they listen on: CPU, RSS,
// open file descriptors) and of the host (CPU, memory, load, disk and network throughput), sampled
// over a window; plus the network timing activity. A target that does not run on this host gives
// pid null and null process metrics, which is not an error. A pre-fork server (gunicorn, uwsgi, Node
// cluster) is its master and workers: CPU, RSS and fds are summed over them (service-processes.ts;
// RSS counts pages the workers share with the master once per process, so it is an upper bound).
import { execFileSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { retrySpan, type PlannedWindow } from '../../common/load-window';
import type { TargetProfile } from '../../common/profile';
import type { NetworkProfile, ProcessProfile } from '../../common/types';
import type { ActivityDeps } from '../deps';
import { hostCpuPct, hostIoRates, readHostCpu, readHostIo, readLoadAvg, readMemUsedPct } from './host';
import { measureNetworkTiming } from './network';
import { prepareOnWorker } from '../loadtest/setup';
import { activityContext, sleep } from '../activity-context';
import { round } from '../../common/round';
import { findServiceProcesses, type ServiceProcesses } from './service-processes';

export { findListeningPid } from './service-processes';

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/** The port to look for: target.process.port, or baseUrl's port when baseUrl is local. */
export function localPortOf(target: TargetProfile): number | null {
  if (target.process?.port) return target.process.port;
  const u = new URL(target.http.baseUrl);
  if (!LOCAL_HOSTS.has(u.hostname.toLowerCase())) return null;
  if (u.port) return Number(u.port);
  return u.protocol === 'https:' ? 443 : 80;
}

let clkTck: number | undefined;
/** Clock ticks per second (getconf CLK_TCK, 100 when it cannot be read). */
export function clockTicksPerSecond(): number {
  if (clkTck === undefined) {
    try {
      const v = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8', timeout: 2000 }).trim());
      clkTck = Number.isFinite(v) && v > 0 ? v : 100;
    } catch {
      clkTck = 100;
    }
  }
  return clkTck;
}

/** utime + stime of a process in clock ticks, null when it is gone. */
export async function readProcessCpuTicks(pid: number): Promise<number | null> {
  try {
    return parsePidStatTicks(await readFile(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return null;
  }
}

export function parsePidStatTicks(stat: string): number {
  // The command name (field 2) is in parentheses and may hold spaces: split after the last ')'.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state); utime and stime are fields 14 and 15.
  return Number(rest[11]) + Number(rest[12]);
}

/** Resident set size in MB (VmRSS), null when the process is gone. */
export async function readRssMb(pid: number): Promise<number | null> {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(await readFile(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** Open file descriptors of a process (entries of /proc/PID/fd), null when it is gone or not ours to read. */
export async function countOpenFds(pid: number): Promise<number | null> {
  try {
    return (await readdir(`/proc/${pid}/fd`)).length;
  } catch {
    return null;
  }
}

function throwCancelled(signal: AbortSignal): never {
  const reason = signal.reason;
  throw reason instanceof Error ? reason : new Error('cancelled');
}

export interface SampleProcessRequest {
  target: TargetProfile;
  durationSeconds: number;
  intervalMs?: number;
  /** The load window the samples belong to: a retry samples only what is left of it. */
  window?: PlannedWindow;
}

export interface MeasureNetworkRequest {
  target: TargetProfile;
  samples?: number; // probes per endpoint, each on a fresh connection (default 3)
}

/** Samples the target process and the host every intervalMs for durationSeconds. */
export async function sampleProcessMetrics(
  req: SampleProcessRequest,
  signal?: AbortSignal,
  heartbeat?: (d: unknown) => void,
): Promise<ProcessProfile> {
  const intervalMs = Math.max(50, req.intervalMs ?? 1000);
  const n = Math.max(1, Math.round((Math.max(0, req.durationSeconds) * 1000) / intervalMs));
  const port = localPortOf(req.target);
  const found = port === null ? null : await findServiceProcesses(port);
  const hz = clockTicksPerSecond();

  const hostStart = await readHostCpu();
  const ioStart = await readHostIo();
  const proc = await startObserving(found);
  const wallStart = proc.prevWall;
  const fromMs = Date.now();
  const mem: number[] = [];
  let samples = 0;
  // Per-sample RSS and CPU (the soak fits the RSS slope to it to flag leaks).
  const series: NonNullable<ProcessProfile['series']> = [];

  for (let k = 0; k < n; k++) {
    await sleep(intervalMs, signal);
    if (signal?.aborted) throwCancelled(signal);
    const now = performance.now();
    const { cpuPct, rssMb, fds } = await sampleProcess(proc, now, hz);
    mem.push(await readMemUsedPct());
    samples++;
    series.push({
      tSec: round((now - wallStart) / 1000, 2),
      rssMb: rssMb === null ? null : round(rssMb, 2),
      cpuPct: cpuPct === null ? null : round(cpuPct, 2),
    });
    heartbeat?.({
      sample: samples,
      of: n,
      pid: proc.pid,
      cpuPct: cpuPct === null ? null : round(cpuPct, 2),
      rssMb: rssMb === null ? null : round(rssMb, 2),
      fds,
    });
  }

  const hostEnd = await readHostCpu();
  const ioEnd = await readHostIo();
  const ioSeconds = (performance.now() - wallStart) / 1000;
  const [load1] = await readLoadAvg();
  const { pid, pids, procWall, ticksUsed, cpuMax, rssMax, fdsMax } = proc;
  const cpuAvg = pid !== null && procWall > 0 ? (ticksUsed / hz / procWall) * 100 : null;
  return {
    pid,
    ...(pids.length > 1 ? { pids } : {}),
    cpuPctAvg: cpuAvg === null ? null : round(cpuAvg, 2),
    cpuPctMax: cpuMax === null ? null : round(cpuMax, 2),
    rssMbMax: rssMax === null ? null : round(rssMax, 2),
    openFdsMax: fdsMax,
    hostCpuPctAvg: round(hostCpuPct(hostStart, hostEnd), 2),
    hostMemUsedPct: round(mem.reduce((a, b) => a + b, 0) / Math.max(1, mem.length), 2),
    loadAvg1: round(load1, 2),
    hostIo: ioStart && ioEnd ? hostIoRates(ioStart, ioEnd, ioSeconds) : null,
    samples,
    series,
    window: { fromMs, toMs: Date.now() },
  };
}

/** A retry after the load window: nothing sampled, and why. */
export function notMeasuredProcess(reason: string): ProcessProfile {
  return {
    pid: null,
    cpuPctAvg: null,
    cpuPctMax: null,
    rssMbMax: null,
    openFdsMax: null,
    hostCpuPctAvg: 0,
    hostMemUsedPct: 0,
    loadAvg1: 0,
    hostIo: null,
    samples: 0,
    notMeasured: reason,
  };
}

/** The target's processes over the window: the last readings and the running totals and maxima. */
interface ProcessObservation {
  pid: number | null; // the root (master), null when none was found
  pids: number[]; // every process summed (those found at the start)
  prevTicks: Map<number, number>; // processes still alive, and their CPU ticks at the last reading
  prevWall: number;
  ticksUsed: number;
  procWall: number; // seconds over which the processes were observed
  cpuMax: number | null;
  rssMax: number | null;
  fdsMax: number | null;
}

/** First reading of the processes (pid null when there is none, or all are gone); prevWall is the window's start. */
async function startObserving(found: ServiceProcesses | null): Promise<ProcessObservation> {
  const prevTicks = new Map<number, number>();
  for (const p of found?.pids ?? []) {
    const t = await readProcessCpuTicks(p);
    if (t !== null) prevTicks.set(p, t);
  }
  const pids = [...prevTicks.keys()];
  const pid = pids.length === 0 ? null : prevTicks.has(found!.root) ? found!.root : pids[0];
  const prevWall = performance.now();
  const { rssMb, fds } = await readMemoryAndFds(pids);
  return { pid, pids, prevTicks, prevWall, ticksUsed: 0, procWall: 0, cpuMax: null, rssMax: rssMb, fdsMax: fds };
}

/** Summed RSS (MB) and open fds of the processes that are still there (null when none is). */
async function readMemoryAndFds(pids: number[]): Promise<{ rssMb: number | null; fds: number | null }> {
  let rssMb: number | null = null;
  let fds: number | null = null;
  for (const p of pids) {
    const r = await readRssMb(p);
    if (r !== null) rssMb = (rssMb ?? 0) + r;
    const f = await countOpenFds(p);
    if (f !== null) fds = (fds ?? 0) + f;
  }
  return { rssMb, fds };
}

/** One sample of the processes' CPU share since the previous one, RSS and open files (nulls once all have exited). */
async function sampleProcess(
  p: ProcessObservation,
  now: number,
  hz: number,
): Promise<{ cpuPct: number | null; rssMb: number | null; fds: number | null }> {
  let cpuPct: number | null = null;
  let rssMb: number | null = null;
  let fds: number | null = null;
  if (p.prevTicks.size > 0) {
    let used = 0;
    for (const [pid, prev] of [...p.prevTicks]) {
      const ticks = await readProcessCpuTicks(pid);
      if (ticks === null)
        p.prevTicks.delete(pid); // exited: keep what was measured
      else {
        used += ticks - prev;
        p.prevTicks.set(pid, ticks);
      }
    }
    if (p.prevTicks.size > 0) {
      const dt = (now - p.prevWall) / 1000;
      cpuPct = dt > 0 ? (used / hz / dt) * 100 : 0;
      p.ticksUsed += used;
      p.procWall += dt;
      p.cpuMax = Math.max(p.cpuMax ?? 0, cpuPct);
      ({ rssMb, fds } = await readMemoryAndFds([...p.prevTicks.keys()]));
      if (rssMb !== null) p.rssMax = Math.max(p.rssMax ?? 0, rssMb);
      if (fds !== null) p.fdsMax = Math.max(p.fdsMax ?? 0, fds);
    }
  }
  p.prevWall = now;
  return { cpuPct, rssMb, fds };
}

export function createProcessActivities(deps: ActivityDeps) {
  return {
    async sampleProcessMetrics(req: SampleProcessRequest): Promise<ProcessProfile> {
      const ctx = activityContext();
      const now = Date.now();
      const span = retrySpan(ctx?.info.attempt ?? 1, now, req.window, { fromMs: now, durationMs: req.durationSeconds * 1000 });
      if (!span.sample) return notMeasuredProcess(span.reason);
      const durationSeconds = span.durationMs / 1000;
      return sampleProcessMetrics({ ...req, durationSeconds }, ctx?.cancellationSignal, ctx ? (d) => ctx.heartbeat(d) : undefined);
    },
    async measureNetwork(req: MeasureNetworkRequest): Promise<NetworkProfile> {
      const ctx = activityContext();
      const context = await prepareOnWorker(deps, req.target, { sessions: 1, signal: ctx?.cancellationSignal });
      return measureNetworkTiming(req.target, req.samples ?? 3, {
        context,
        signal: ctx?.cancellationSignal,
        onSample: ctx ? (i, s) => ctx.heartbeat({ sample: i + 1, ...s }) : undefined,
        policy: deps.policy,
      });
    },
  };
}
