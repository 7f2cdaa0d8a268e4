// Is a per-second series steady yet (warm-up until stable), and did it drift within a measured
// window (a baseline that is still warming up, or a neighbour taking the machine)? Pure.
import { mean } from './stats';
import { round } from '../round';

export interface StabilityOptions {
  windowSeconds?: number; // compared windows, default 5
  tolerancePct?: number; // default 10
}

/**
 * Steady at the end of `series`: the last two windows' means differ by no more than the tolerance,
 * and the last window's seconds stay within the tolerance of its mean on average (mean absolute
 * deviation). Needs two whole windows.
 */
export function steadyAtEnd(series: readonly number[], opts: StabilityOptions = {}): boolean {
  const w = opts.windowSeconds ?? 5;
  const tol = (opts.tolerancePct ?? 10) / 100;
  if (series.length < 2 * w) return false;
  const last = series.slice(-w);
  const before = series.slice(-2 * w, -w);
  const m = mean(last);
  const prev = mean(before);
  if (!(m > 0) || !(prev > 0)) return m === 0 && prev === 0;
  const spread = mean(last.map((x) => Math.abs(x - m))) / m;
  return Math.abs(m - prev) / Math.max(m, prev) <= tol && spread <= tol;
}

/**
 * How many seconds a warm-up that checks steadyAtEnd every second would have lasted on this
 * series (it can only know after two steady windows), or null if it never became steady.
 */
export function warmupSecondsNeeded(series: readonly number[], opts: StabilityOptions = {}): number | null {
  const w = opts.windowSeconds ?? 5;
  for (let end = 2 * w; end <= series.length; end++) if (steadyAtEnd(series.slice(0, end), opts)) return end;
  return null;
}

export interface Drift {
  firstMean: number;
  lastMean: number;
  changePct: number; // last third vs first third
  drifting: boolean;
}

/** First third vs last third of a measured window; null below six points. */
export function driftOf(series: readonly number[], tolerancePct = 15): Drift | null {
  if (series.length < 6) return null;
  const third = Math.floor(series.length / 3);
  const firstMean = mean(series.slice(0, third));
  const lastMean = mean(series.slice(-third));
  const base = Math.max(Math.abs(firstMean), Math.abs(lastMean));
  const changePct = firstMean === 0 ? (lastMean === 0 ? 0 : 100) : ((lastMean - firstMean) / Math.abs(firstMean)) * 100;
  return {
    firstMean: round(firstMean, 2),
    lastMean: round(lastMean, 2),
    changePct: round(changePct, 1),
    drifting: base > 0 && Math.abs(lastMean - firstMean) / base > tolerancePct / 100,
  };
}
