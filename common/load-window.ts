// The load window and the samples taken beside it. A load attempt records the window it measured
// (wall-clock epoch ms on its worker); each sampler records the window it covered. A sampler retried
// after its worker died must not sample an idle target once the load is over, and the profiling
// result pairs only samples that lie in the load's measured window: the others are reported as not
// measured, with the reason, instead of as figures of an idle target.

/** What one load attempt measured: warm-up from startMs, measurement from measuredFromMs to endMs. */
export interface LoadWindow {
  attempt: number;
  startMs: number;
  measuredFromMs: number;
  endMs: number;
}

/** The stretch of wall-clock time a sampler covered. */
export interface SampleWindow {
  fromMs: number;
  toMs: number;
}

/** The window the workflow planned for a load round: samplers are told it and never sample past it. */
export interface PlannedWindow {
  /** When measurement (after the warm-up) is planned to begin. */
  measureFromMs: number;
  /** When the load is planned to end. */
  endMs: number;
}

export const NOT_MEASURED_AFTER_WINDOW = 'not measured: the load window ended before this attempt started (worker restarted)';

/** Less than this left of the planned window is not worth sampling. */
export const MIN_SAMPLE_MS = 1000;

/**
 * What an attempt of a sampler may sample: its planned span on a first attempt; on a retry, only what
 * is left of the planned window, or nothing (with the reason) once the window has ended.
 */
export function retrySpan(
  attempt: number,
  nowMs: number,
  planned: PlannedWindow | undefined,
  wanted: { fromMs: number; durationMs: number },
): { sample: true; startAfterMs: number; durationMs: number } | { sample: false; reason: string } {
  const startAfterMs = Math.max(0, wanted.fromMs - nowMs);
  if (attempt <= 1 || !planned) return { sample: true, startAfterMs, durationMs: wanted.durationMs };
  const from = Math.max(nowMs, wanted.fromMs);
  const left = Math.min(wanted.durationMs, planned.endMs - from);
  if (left < MIN_SAMPLE_MS) return { sample: false, reason: NOT_MEASURED_AFTER_WINDOW };
  return { sample: true, startAfterMs: from - nowMs, durationMs: left };
}

/** The window of several shards of one load test: the first start to the last end. */
export function mergeLoadWindows(windows: (LoadWindow | undefined)[]): LoadWindow | undefined {
  const ws = windows.filter((w): w is LoadWindow => !!w);
  if (ws.length === 0 || ws.length < windows.length) return undefined;
  return {
    attempt: Math.max(...ws.map((w) => w.attempt)),
    startMs: Math.min(...ws.map((w) => w.startMs)),
    measuredFromMs: Math.min(...ws.map((w) => w.measuredFromMs)),
    endMs: Math.max(...ws.map((w) => w.endMs)),
  };
}

export type Pairing = { paired: true; overlapMs: number; coveragePct: number } | { paired: false; reason: string };

/** Share of a sample that must lie inside the load (warm-up included) for its figures to describe the load. */
export const MIN_INSIDE_SHARE = 0.5;

const secs = (ms: number): string => `${Math.round(ms / 100) / 10} s`;
const overlap = (a: SampleWindow, from: number, to: number): number => Math.max(0, Math.min(a.toMs, to) - Math.max(a.fromMs, from));

/**
 * Does a sample describe the load? Yes when at least half of it lies inside the load (warm-up
 * included: samplers start with it) and it overlaps the measured window; coveragePct is the share of
 * the measured window it covers. A sample or a load without a window (recorded before windows
 * existed) is taken as it is.
 */
export function pairWithLoad(sample: SampleWindow | undefined, load: LoadWindow | undefined): Pairing {
  if (!sample || !load) return { paired: true, overlapMs: 0, coveragePct: 0 };
  const measured = Math.max(0, load.endMs - load.measuredFromMs);
  const overlapMs = overlap(sample, load.measuredFromMs, load.endMs);
  const length = Math.max(0, sample.toMs - sample.fromMs);
  if (length > 0 && overlapMs > 0 && overlap(sample, load.startMs, load.endMs) >= MIN_INSIDE_SHARE * length) {
    return { paired: true, overlapMs, coveragePct: measured > 0 ? Math.round((overlapMs / measured) * 1000) / 10 : 0 };
  }
  const where =
    sample.fromMs >= load.endMs
      ? `it started ${secs(sample.fromMs - load.endMs)} after the load ended`
      : `only ${secs(overlap(sample, load.startMs, load.endMs))} of its ${secs(length)} lie in the load window`;
  return { paired: false, reason: `not measured: the sample does not cover the load window (${where}; load attempt ${load.attempt})` };
}

export interface NotMeasured {
  what: 'process' | 'cpu' | 'database-activity';
  reason: string;
}

interface Windowed {
  window?: SampleWindow;
  notMeasured?: string;
}

/** The sample when it describes the load, else null and the reason in `missing`. */
export function keepIfPaired<T extends Windowed>(
  what: NotMeasured['what'],
  sample: T | null,
  load: LoadWindow | undefined,
  missing: NotMeasured[],
): T | null {
  if (!sample) return null;
  if (sample.notMeasured) {
    missing.push({ what, reason: sample.notMeasured });
    return null;
  }
  const p = pairWithLoad(sample.window, load);
  if (p.paired) return sample;
  missing.push({ what, reason: p.reason });
  return null;
}
