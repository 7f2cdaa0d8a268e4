// The CPU profile's "main thread busy" and /proc's "CPU % of a core" measure different things; when
// they disagree by much, the report says why instead of leaving two contradictory figures side by side.
import { round } from './round';

/** Points between the two figures beyond which the report explains the gap. */
export const CPU_FIGURES_GAP_PCT = 25;

export interface ProfiledThread {
  pid: number | null; // the process behind the inspector, as it reports itself
  busyPct: number; // share of the profile's samples not idle (the main thread)
}

export interface ProcCpu {
  pid: number | null; // the process listening on the target's port
  cpuPctAvg: number | null; // user + system time of all its threads, % of one core
  loadAvg1: number;
}

/** Why the two figures disagree, or null when they agree closely enough (or one is missing). */
export function cpuFiguresNote(cpu: ProfiledThread, proc: ProcCpu | null): string | null {
  if (!proc || proc.cpuPctAvg === null) return null;
  const busy = round(cpu.busyPct, 1);
  const used = round(proc.cpuPctAvg, 1);
  if (cpu.pid !== null && proc.pid !== null && cpu.pid !== proc.pid) {
    return (
      `the CPU profile is of pid ${cpu.pid} (the process behind the inspector), the /proc CPU of pid ${proc.pid} ` +
      `(the process listening on the target's port): two processes (a cluster primary and its worker, or a ` +
      `wrapper such as npm or nodemon), so main thread busy ${busy}% and CPU ${used}% of a core do not compare`
    );
  }
  if (busy - used > CPU_FIGURES_GAP_PCT) {
    return (
      `main thread busy ${busy}% (profiler samples not idle) but CPU ${used}% of a core (/proc): the thread mostly ` +
      `waited rather than computed: in a blocking native call (synchronous file, crypto or zlib work) or for a core ` +
      `on a loaded host (load ${round(proc.loadAvg1, 1)})`
    );
  }
  if (used - busy > CPU_FIGURES_GAP_PCT) {
    return (
      `CPU ${used}% of a core (/proc, all threads) but main thread busy ${busy}%: other threads (libuv's pool, ` +
      `worker threads, the garbage collector's helpers) did the rest`
    );
  }
  return null;
}
