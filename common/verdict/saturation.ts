// Was the host too busy for its figures to mean what they say? Pure: the caller reads /proc.
// A host whose runnable tasks exceed its cores makes every process wait for a core, the load
// generator included: latencies then measure the queue for the CPU, not the service.
import { round } from '../round';

export interface HostReading {
  cores: number;
  loadAvg1: number; // over the window (the highest reading, or the one at its end)
  hostCpuPct: number; // busy share of all cores over the window
  loadGeneratorCpuPct?: number | null; // the worker's own process, % of one core
  cpuPressurePct?: number | null; // Linux PSI: share of the window some runnable task waited for a core
}

export interface SaturationLimits {
  loadPerCore?: number; // default 1: more runnable tasks than cores
  hostCpuPct?: number; // default 90
  loadGeneratorCpuPct?: number; // default 85: the generator (single-threaded) near a full core
  cpuPressurePct?: number; // default 50
}

/** Why the host was saturated, one sentence per reason; empty when it was not. */
export function saturationReasons(h: HostReading, limits: SaturationLimits = {}): string[] {
  const reasons: string[] = [];
  const perCore = limits.loadPerCore ?? 1;
  if (h.cores > 0 && h.loadAvg1 > h.cores * perCore) {
    reasons.push(`load average ${round(h.loadAvg1, 1)} on ${h.cores} cores: processes waited for a CPU`);
  }
  if (h.hostCpuPct >= (limits.hostCpuPct ?? 90)) reasons.push(`host CPU ${round(h.hostCpuPct, 1)}% busy`);
  const gen = h.loadGeneratorCpuPct;
  if (gen !== null && gen !== undefined && gen >= (limits.loadGeneratorCpuPct ?? 85)) {
    reasons.push(`the load generator used ${round(gen, 1)}% of a core: it may have limited the load it sent`);
  }
  const psi = h.cpuPressurePct;
  if (psi !== null && psi !== undefined && psi >= (limits.cpuPressurePct ?? 50)) {
    reasons.push(`tasks waited for a CPU ${round(psi, 1)}% of the window (CPU pressure)`);
  }
  return reasons;
}
