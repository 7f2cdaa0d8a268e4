// A window that got faster as it ran: the target was probably still warming up (JIT, connection
// pools, caches) when it was measured. Field test 4: a check started as soon as the app answered
// read 35% slower than the warm app; pinned as a baseline it made every later check look fast, and as
// a candidate it failed against a warm baseline. Nothing said so. Pure.
//
// Read on the per-second p95 as the soak's drift is (common/soak.ts p95Drift: the median of the first
// third against the median of the last, so that one slow second is not a trend), the other way round.
// A host that got quieter reads the same way: the reason says both.
import { p95Drift } from '../soak';

/** The first third's median p95 above the last third's by more than this: warming. */
export const WARMING_DROP_PCT = 20;
/** At least this many measured seconds (three a third). */
export const WARMING_MIN_SECONDS = 9;

export interface Warming {
  firstP95Ms: number; // median per-second p95 over the first third
  lastP95Ms: number; // over the last third
  dropPct: number; // how much faster the last third was, in % of the first
}

/** The window's warming, or null when it did not get faster by more than WARMING_DROP_PCT (or is too short to say). */
export function warmingOf(perSecondP95Ms: readonly number[]): Warming | null {
  const xs = perSecondP95Ms.filter((x) => Number.isFinite(x) && x > 0);
  if (xs.length < WARMING_MIN_SECONDS) return null;
  const d = p95Drift(xs.map((p95Ms) => ({ p95Ms })));
  if (!d || d.firstMs <= 0) return null;
  const dropPct = ((d.firstMs - d.lastMs) / d.firstMs) * 100;
  if (dropPct <= WARMING_DROP_PCT) return null;
  return { firstP95Ms: Math.round(d.firstMs * 100) / 100, lastP95Ms: Math.round(d.lastMs * 100) / 100, dropPct: Math.round(dropPct) };
}

/** The warning in words, for a label ("measured", "baseline 12"); null when the window did not warm. */
export function warmingReason(label: string, perSecondP95Ms: readonly number[] | undefined): string | null {
  const w = warmingOf(perSecondP95Ms ?? []);
  if (!w) return null;
  return (
    `${label}: p95 fell ${w.dropPct}% within the window (${w.firstP95Ms} ms in its first third, ${w.lastP95Ms} ms in its last): ` +
    'the target was probably still warming up (or the host got quieter); a steady warm-up (load.warmup: { until: steady }) measures it warm'
  );
}
