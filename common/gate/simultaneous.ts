// The p95 ratio of the simultaneous design: baseline and candidate take load at the same time, side by
// side, so whatever else the host does in a second hits both alike. Pure.
//
// Input: the two per-second p95 series over the same seconds (a_i baseline, b_i candidate; null, 0 or
// NaN where a side served nothing that second: the second is dropped). d_i = log(b_i / a_i); seconds
// next to each other are correlated (a GC pause, a neighbour's burst spans two), so d is cut into
// contiguous batches and the t interval is taken over the batch means (Law & Kelton's batch means).
// Why not a block bootstrap: with 10-20 seconds there are only a handful of blocks, and a bootstrap over
// a handful of blocks is known to undercover; the t interval with batches - 1 degrees of freedom is
// wider but honest, and its one assumption (batches near independent) is the same one a block
// bootstrap makes.
import { batchMeans } from '../verdict/effect';
import { pairedInterval } from '../verdict/stats';
import type { RatioEstimate } from './ratio';

export const SIMULTANEOUS_BATCHES = 5;
/** Fewer paired seconds than this give no interval (two seconds a batch at least). */
export const MIN_PAIRED_SECONDS = 2 * SIMULTANEOUS_BATCHES;

const usable = (x: number | null | undefined): x is number => typeof x === 'number' && Number.isFinite(x) && x > 0;

/** The per-second log ratios log(b_i / a_i), in time order, of the seconds where both sides served. */
export function pairedLogRatios(a: readonly (number | null)[], b: readonly (number | null)[]): number[] {
  if (a.length !== b.length)
    throw new RangeError(`simultaneousP95Ratio: the two series must cover the same seconds (got ${a.length} and ${b.length} seconds)`);
  const out: number[] = [];
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (usable(x) && usable(y)) out.push(Math.log(y / x));
  }
  return out;
}

/** Candidate / baseline p95 with its 95% interval; null below MIN_PAIRED_SECONDS paired seconds. */
export function simultaneousP95Ratio(
  a: readonly (number | null)[],
  b: readonly (number | null)[],
  batches = SIMULTANEOUS_BATCHES,
): RatioEstimate | null {
  const d = pairedLogRatios(a, b);
  if (batches < 2 || d.length < 2 * batches) return null;
  const means = batchMeans(d, batches);
  const i = pairedInterval(means, 0.95);
  if (!i || !Number.isFinite(i.low) || !Number.isFinite(i.high)) return null;
  return {
    ratio: Math.exp(i.difference),
    low: Math.exp(i.low),
    high: Math.exp(i.high),
    method: `simultaneous, ${d.length} paired seconds in ${batches} batches, t on the batch means of log p95 ratio`,
    n: batches,
  };
}
