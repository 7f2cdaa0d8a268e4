// The relative change from A (without the change) to B (with it), with its 95% confidence
// interval, from whichever design the measurement used. Pure.
//
// Changes are estimated on the log scale (the ratio B/A), so +100% and -50% are the same distance
// and the interval of a ratio stays positive; the figures are converted back to percent.
//   interleaved: pairs measured back to back (A, B, A, B, ...), a paired t interval of log(B/A);
//                slow drift of the machine cancels within each pair.
//   blocks:      repeated A blocks and B blocks (e.g. before/after of a change costly to redo),
//                Welch's interval of the difference of mean logs.
//   batch-means: one A run and one B run, each cut into contiguous batches of seconds whose means
//                are taken as the samples; seconds next to each other are correlated, batches much
//                less, so this is the honest interval one run per side can give (wide when it drifts).
import { pairedInterval, welchInterval, type DifferenceInterval, type IntervalLevel } from './stats';
import { round } from '../round';

export type EffectMethod = 'interleaved' | 'blocks' | 'batch-means';

export interface Effect {
  method: EffectMethod;
  n: number; // pairs (interleaved) or samples per side (the smaller side)
  changePct: number; // (B / A - 1) x 100, the estimate
  lowPct: number; // interval of changePct at `level`
  highPct: number;
  // 0.975 when this metric is judged together with another (joint 95%: Bonferroni); absent: 0.95.
  level?: IntervalLevel;
}

export const DEFAULT_BATCHES = 5;

function toPct(logRatio: number): number {
  return round((Math.exp(logRatio) - 1) * 100, 2);
}

export function fromInterval(method: EffectMethod, n: number, i: DifferenceInterval | null, level: IntervalLevel = 0.95): Effect | null {
  if (!i || !Number.isFinite(i.low) || !Number.isFinite(i.high)) return null;
  const e: Effect = { method, n, changePct: toPct(i.difference), lowPct: toPct(i.low), highPct: toPct(i.high) };
  return level === 0.95 ? e : { ...e, level };
}

const positive = (xs: readonly number[]): boolean => xs.every((x) => Number.isFinite(x) && x > 0);

/** Pairs measured back to back; null below two pairs or with a non-positive value. */
export function interleavedEffect(pairs: readonly { a: number; b: number }[], level: IntervalLevel = 0.95): Effect | null {
  if (!positive(pairs.flatMap((p) => [p.a, p.b]))) return null;
  return fromInterval(
    'interleaved',
    pairs.length,
    pairedInterval(
      pairs.map((p) => Math.log(p.b / p.a)),
      level,
    ),
    level,
  );
}

/** Repeated blocks per side; null below two a side or with a non-positive value. */
export function blockEffect(
  a: readonly number[],
  b: readonly number[],
  method: EffectMethod = 'blocks',
  level: IntervalLevel = 0.95,
): Effect | null {
  if (!positive(a) || !positive(b)) return null;
  return fromInterval(method, Math.min(a.length, b.length), welchInterval(a.map(Math.log), b.map(Math.log), level), level);
}

/** Means of `batches` contiguous, equal batches of a series (a remainder goes to the last ones). */
export function batchMeans(series: readonly number[], batches = DEFAULT_BATCHES): number[] {
  const k = Math.min(batches, series.length);
  const out: number[] = [];
  let start = 0;
  for (let i = 0; i < k; i++) {
    const end = Math.round(((i + 1) * series.length) / k);
    const part = series.slice(start, end);
    out.push(part.reduce((s, x) => s + x, 0) / part.length);
    start = end;
  }
  return out;
}

/** One run per side, per-second values: batch means on each side, then as blocks. */
export function batchMeansEffect(
  a: readonly number[],
  b: readonly number[],
  batches = DEFAULT_BATCHES,
  level: IntervalLevel = 0.95,
): Effect | null {
  return blockEffect(batchMeans(a, batches), batchMeans(b, batches), 'batch-means', level);
}
