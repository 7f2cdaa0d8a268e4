// What the host was doing during a load test's measured window, for the saturation flags of
// common/verdict: host CPU busy share, the highest 1-minute load average seen, the CPU pressure
// (Linux PSI: the share of the window in which some runnable task waited for a core) and the
// worker process's own CPU (the load generator, plus whatever else the worker ran meanwhile).
import { readFile } from 'node:fs/promises';
import * as os from 'node:os';
import type { HostReading } from '../../common/verdict';
import { round } from '../../common/round';
import { hostCpuPct, readHostCpu, readLoadAvg, type CpuTimes } from '../profiling/host';

/** The `total=` microseconds of `some` in /proc/pressure/cpu, null where PSI is absent. */
export function parseCpuPressureTotalUs(text: string): number | null {
  const m = /^some .*\btotal=(\d+)/m.exec(text);
  return m ? Number(m[1]) : null;
}

async function readCpuPressureUs(): Promise<number | null> {
  try {
    return parseCpuPressureTotalUs(await readFile('/proc/pressure/cpu', 'utf8'));
  } catch {
    return null;
  }
}

interface Start {
  cpu: CpuTimes;
  pressureUs: number | null;
  usage: NodeJS.CpuUsage;
  atMs: number;
}

async function readStart(): Promise<Start> {
  return { cpu: await readHostCpu(), pressureUs: await readCpuPressureUs(), usage: process.cpuUsage(), atMs: performance.now() };
}

/**
 * Starts reading after `delayMs` (the warm-up), or at begin() (null: a warm-up whose end comes when it
 * comes); stop() returns the reading, null if it never started.
 */
export function startHostReading(delayMs: number | null): { begin(): void; stop(): Promise<HostReading | null> } {
  let start: Promise<Start> | null = null;
  let loadMax = 0;
  const sampleLoad = (): void => {
    readLoadAvg().then(
      ([one]) => void (loadMax = Math.max(loadMax, one)),
      () => undefined,
    );
  };
  const begin = (): void => {
    if (start) return;
    start = readStart();
    sampleLoad();
  };
  const startTimer = delayMs === null ? undefined : setTimeout(begin, delayMs);
  const loadTimer = setInterval(() => start && sampleLoad(), 1000);
  return {
    begin,
    async stop() {
      clearTimeout(startTimer);
      clearInterval(loadTimer);
      if (!start) return null;
      const s = await start;
      const [cpu, pressureUs, [loadNow]] = await Promise.all([readHostCpu(), readCpuPressureUs(), readLoadAvg()]);
      const wallUs = (performance.now() - s.atMs) * 1000;
      const used = process.cpuUsage(s.usage);
      const pressure = pressureUs !== null && s.pressureUs !== null && wallUs > 0 ? ((pressureUs - s.pressureUs) / wallUs) * 100 : null;
      return {
        cores: os.availableParallelism(),
        loadAvg1: round(Math.max(loadMax, loadNow), 2),
        hostCpuPct: round(hostCpuPct(s.cpu, cpu), 1),
        loadGeneratorCpuPct: wallUs > 0 ? round(((used.user + used.system) / wallUs) * 100, 1) : null,
        cpuPressurePct: pressure === null ? null : round(Math.min(100, Math.max(0, pressure)), 1),
      };
    },
  };
}
