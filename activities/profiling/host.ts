// Host metrics from /proc (Linux), with the `os` module as a fallback elsewhere.
import { readFile } from 'node:fs/promises';
import * as os from 'node:os';

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
