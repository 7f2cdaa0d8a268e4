// Host metrics from /proc (Linux), with the `os` module as a fallback elsewhere: CPU, memory, load,
// and disk and network throughput (/proc/diskstats, /proc/net/dev; none outside Linux).
import { readdir, readFile } from 'node:fs/promises';
import * as os from 'node:os';
import type { HostIoRates } from '../../common/types';

export interface CpuTimes {
  idle: number; // idle + iowait
  total: number;
}

/** Aggregate CPU times of the host (jiffies on Linux, ms from `os.cpus()` elsewhere). */
export async function readHostCpu(): Promise<CpuTimes> {
  try {
    return parseProcStat(await readFile('/proc/stat', 'utf8'));
  } catch {
    let idle = 0;
    let total = 0;
    for (const c of os.cpus()) {
      idle += c.times.idle;
      total += c.times.user + c.times.nice + c.times.sys + c.times.idle + c.times.irq;
    }
    return { idle, total };
  }
}

/** Parses the `cpu ` line of /proc/stat (user nice system idle iowait irq softirq steal ...). */
export function parseProcStat(text: string): CpuTimes {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) throw new Error('no aggregate cpu line in /proc/stat');
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  // guest and guest_nice (fields 9, 10) are already included in user and nice.
  const fields = v.slice(0, 8);
  const total = fields.reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0);
  const idle = (v[3] ?? 0) + (v[4] ?? 0);
  return { idle, total };
}

/** Host CPU busy % (all cores together, 0-100) between two readings. */
export function hostCpuPct(a: CpuTimes, b: CpuTimes): number {
  const total = b.total - a.total;
  if (total <= 0) return 0;
  const busy = total - (b.idle - a.idle);
  return Math.min(100, Math.max(0, (busy / total) * 100));
}

/** Used memory % = (MemTotal - MemAvailable) / MemTotal. */
export async function readMemUsedPct(): Promise<number> {
  try {
    return parseMeminfo(await readFile('/proc/meminfo', 'utf8'));
  } catch {
    const total = os.totalmem();
    return total > 0 ? ((total - os.freemem()) / total) * 100 : 0;
  }
}

export function parseMeminfo(text: string): number {
  const kb = (key: string): number | undefined => {
    const m = new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(text);
    return m ? Number(m[1]) : undefined;
  };
  const total = kb('MemTotal');
  if (!total) throw new Error('no MemTotal in /proc/meminfo');
  // MemAvailable exists since Linux 3.14; older kernels: free + buffers + cached.
  const available = kb('MemAvailable') ?? (kb('MemFree') ?? 0) + (kb('Buffers') ?? 0) + (kb('Cached') ?? 0);
  return Math.min(100, Math.max(0, ((total - available) / total) * 100));
}

/** 1, 5 and 15 minute load averages. */
export async function readLoadAvg(): Promise<[number, number, number]> {
  try {
    const [a, b, c] = (await readFile('/proc/loadavg', 'utf8')).trim().split(/\s+/).map(Number);
    return [a, b, c];
  } catch {
    const [a, b, c] = os.loadavg();
    return [a, b, c];
  }
}

/** Cumulative host I/O counters (bytes) at one moment. */
export interface HostIoCounters {
  diskReadBytes: number;
  diskWriteBytes: number;
  netRxBytes: number;
  netTxBytes: number;
  loopbackBytes: number;
}

const VIRTUAL_BLOCK = /^(loop|ram|zram|dm-|md|nbd|sr|fd)/;

/**
 * Whether a /proc/diskstats name is a whole physical disk, when /sys/block cannot be listed:
 * partitions (sda1, vda2, nvme0n1p1, mmcblk0p1) and virtual devices would count bytes twice.
 */
export function isWholeDiskName(name: string): boolean {
  if (VIRTUAL_BLOCK.test(name)) return false;
  if (/^(nvme\d+n\d+|mmcblk\d+)p\d+$/.test(name)) return false;
  if (/^(s|h|v|xv)d[a-z]+\d+$/.test(name)) return false;
  return true;
}

/**
 * Bytes read and written by the disks that `include` accepts, from /proc/diskstats
 * (major minor name reads merged sectors_read ms writes merged sectors_written ...; sectors are 512 bytes).
 */
export function parseDiskstats(
  text: string,
  include: (name: string) => boolean = isWholeDiskName,
): { readBytes: number; writeBytes: number } {
  let readBytes = 0;
  let writeBytes = 0;
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10 || !include(f[2])) continue;
    const read = Number(f[5]);
    const written = Number(f[9]);
    if (Number.isFinite(read)) readBytes += read * 512;
    if (Number.isFinite(written)) writeBytes += written * 512;
  }
  return { readBytes, writeBytes };
}

/** Received and sent bytes of every interface but loopback, and loopback's received bytes, from /proc/net/dev. */
export function parseNetDev(text: string): { rxBytes: number; txBytes: number; loopbackBytes: number } {
  let rxBytes = 0;
  let txBytes = 0;
  let loopbackBytes = 0;
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    const f = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/)
      .map(Number);
    // 8 receive fields (bytes first), then 8 transmit fields (bytes first); the header lines have no numbers.
    if (f.length < 16 || !Number.isFinite(f[0]) || !Number.isFinite(f[8])) continue;
    if (name === 'lo') loopbackBytes += f[0];
    else {
      rxBytes += f[0];
      txBytes += f[8];
    }
  }
  return { rxBytes, txBytes, loopbackBytes };
}

/** The host's disk and network counters, or null where /proc/diskstats or /proc/net/dev is missing (not Linux). */
export async function readHostIo(): Promise<HostIoCounters | null> {
  let disk: { readBytes: number; writeBytes: number };
  let net: { rxBytes: number; txBytes: number; loopbackBytes: number };
  try {
    const text = await readFile('/proc/diskstats', 'utf8');
    let include = isWholeDiskName;
    try {
      // /sys/block lists whole disks only (partitions are below them): the exact set, when readable.
      const disks = new Set((await readdir('/sys/block')).filter((n) => !VIRTUAL_BLOCK.test(n)));
      include = (name) => disks.has(name);
    } catch {
      // keep the name heuristic
    }
    disk = parseDiskstats(text, include);
    net = parseNetDev(await readFile('/proc/net/dev', 'utf8'));
  } catch {
    return null;
  }
  return {
    diskReadBytes: disk.readBytes,
    diskWriteBytes: disk.writeBytes,
    netRxBytes: net.rxBytes,
    netTxBytes: net.txBytes,
    loopbackBytes: net.loopbackBytes,
  };
}

/** Rates between two readings `seconds` apart (counters that went backwards, e.g. a removed interface, give 0). */
export function hostIoRates(a: HostIoCounters, b: HostIoCounters, seconds: number): HostIoRates {
  const rate = (x: number, y: number): number => (seconds > 0 ? Math.round(Math.max(0, y - x) / seconds) : 0);
  return {
    diskReadBytesPerSec: rate(a.diskReadBytes, b.diskReadBytes),
    diskWriteBytesPerSec: rate(a.diskWriteBytes, b.diskWriteBytes),
    netRxBytesPerSec: rate(a.netRxBytes, b.netRxBytes),
    netTxBytesPerSec: rate(a.netTxBytes, b.netTxBytes),
    loopbackBytesPerSec: rate(a.loopbackBytes, b.loopbackBytes),
  };
}
