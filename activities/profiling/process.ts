// Metrics of the target's process on this host (found by the TCP port it listens on: CPU, RSS, open
// file descriptors) and of the host (CPU, memory, load, disk and network throughput), sampled over a
// window; plus the network timing activity. A target that does not run on
// this host gives pid null and null process metrics, which is not an error.
import { execFileSync } from 'node:child_process';
import { readdir, readFile, readlink } from 'node:fs/promises';
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

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/** The port to look for: target.process.port, or baseUrl's port when baseUrl is local. */
export function localPortOf(target: TargetProfile): number | null {
  if (target.process?.port) return target.process.port;
  const u = new URL(target.http.baseUrl);
  if (!LOCAL_HOSTS.has(u.hostname.toLowerCase())) return null;
  if (u.port) return Number(u.port);
  return u.protocol === 'https:' ? 443 : 80;
}

/** Socket inodes in LISTEN state (0A) on `port`, from /proc/net/tcp and /proc/net/tcp6. */
export async function listeningInodes(port: number): Promise<Set<string>> {
  const inodes = new Set<string>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      continue;
    }
    for (const inode of parseListeningInodes(text, port)) inodes.add(inode);
  }
  return inodes;
}

export function parseListeningInodes(procNetTcp: string, port: number): string[] {
  const out: string[] = [];
  const lines = procNetTcp.split('\n');
  for (let i = 1; i < lines.length; i++) {
    const f = lines[i].trim().split(/\s+/);
    // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ...
    if (f.length < 10 || f[3] !== '0A') continue;
    const colon = f[1].lastIndexOf(':');
    if (parseInt(f[1].slice(colon + 1), 16) !== port) continue;
    if (f[9] !== '0') out.push(f[9]);
  }
  return out;
}

/** PID of the process holding a listening socket on `port` (lowest PID if several), else null. */
export async function findListeningPid(port: number): Promise<number | null> {
  const inodes = await listeningInodes(port);
  if (inodes.size === 0) return null;
  const targets = new Set([...inodes].map((i) => `socket:[${i}]`));
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return null;
  }
  const pids = entries
    .filter((e) => /^\d+$/.test(e))
    .map(Number)
    .sort((a, b) => a - b);
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = await readdir(`/proc/${pid}/fd`);
    } catch {
      continue; // gone, or not ours to read
    }
    for (const fd of fds) {
      try {
        if (targets.has(await readlink(`/proc/${pid}/fd/${fd}`))) return pid;
      } catch {
        // fd closed meanwhile
      }
    }
  }
  return null;
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
  const found = port === null ? null : await findListeningPid(port);
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
  const { pid, procWall, ticksUsed, cpuMax, rssMax, fdsMax } = proc;
  const cpuAvg = pid !== null && procWall > 0 ? (ticksUsed / hz / procWall) * 100 : null;
  return {
    pid,
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

/** The target process over the window: the last reading and the running totals and maxima. */
interface ProcessObservation {
  pid: number | null;
  tracking: boolean;
  prevTicks: number | null;
  prevWall: number;
  ticksUsed: number;
  procWall: number; // seconds over which the process was observed
  cpuMax: number | null;
  rssMax: number | null;
  fdsMax: number | null;
}

/** First reading of the process (pid null when there is none, or it is already gone); prevWall is the window's start. */
async function startObserving(found: number | null): Promise<ProcessObservation> {
  let pid = found;
  const prevTicks = pid === null ? null : await readProcessCpuTicks(pid);
  if (prevTicks === null) pid = null;
  const prevWall = performance.now();
  const rssMax = pid === null ? null : await readRssMb(pid);
  const fdsMax = pid === null ? null : await countOpenFds(pid);
  return { pid, tracking: pid !== null, prevTicks, prevWall, ticksUsed: 0, procWall: 0, cpuMax: null, rssMax, fdsMax };
}

/** One sample of the process's CPU share since the previous one, RSS and open files (nulls once it has exited). */
async function sampleProcess(
  p: ProcessObservation,
  now: number,
  hz: number,
): Promise<{ cpuPct: number | null; rssMb: number | null; fds: number | null }> {
  let cpuPct: number | null = null;
  let rssMb: number | null = null;
  let fds: number | null = null;
  if (p.tracking && p.pid !== null) {
    const ticks = await readProcessCpuTicks(p.pid);
    if (ticks === null || p.prevTicks === null) {
      p.tracking = false; // the process exited: keep what was measured
    } else {
      const dt = (now - p.prevWall) / 1000;
      cpuPct = dt > 0 ? ((ticks - p.prevTicks) / hz / dt) * 100 : 0;
      p.ticksUsed += ticks - p.prevTicks;
      p.procWall += dt;
      p.prevTicks = ticks;
      p.cpuMax = Math.max(p.cpuMax ?? 0, cpuPct);
      rssMb = await readRssMb(p.pid);
      if (rssMb !== null) p.rssMax = Math.max(p.rssMax ?? 0, rssMb);
      fds = await countOpenFds(p.pid);
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
