// The simultaneous design's pure parts: the order of the condition windows in a trial set, the two
// engines' per-second points lined up by second, and one window into a gate trial.
import { gateVerdictOf } from '../../common/gate/ratio';
import { simultaneousP95Ratio } from '../../common/gate/simultaneous';
import { CONDITIONS, type Condition } from './schedule';
import type { Trial } from './tally';

/** One window: baseline shop and candidate shop under load at the same time. */
export interface WindowRecord {
  set: number;
  condition: Condition;
  busy: boolean;
  baseline: (number | null)[]; // per-second p95 of the baseline shop (null: no request that second)
  candidate: (number | null)[];
  baselineP95Ms: number; // the whole window's p95 a side
  candidateP95Ms: number;
  requests: number; // both sides
  addedPct: number | null; // the cost the candidate shop says it added, in % of the baseline's time per request (null: none planted)
}

/** Trial set s's windows: the conditions rotated left by s, so none always runs first or last. */
export function windowOrder(set: number): Condition[] {
  if (!Number.isInteger(set) || set < 0) throw new RangeError(`windowOrder: set must be a non-negative integer (got ${set})`);
  const s = set % CONDITIONS.length;
  return [...CONDITIONS.slice(s), ...CONDITIONS.slice(0, s)];
}

export interface SecondPoint {
  elapsedSeconds: number;
  warmup: boolean;
  intervalRequests: number;
  p95Ms: number;
}

/** Both engines' measured intervals (of `intervalSeconds`) lined up by elapsed time; one a side lacks is null there. */
export function alignSeconds(
  a: readonly SecondPoint[],
  b: readonly SecondPoint[],
  intervalSeconds = 1,
): { a: (number | null)[]; b: (number | null)[] } {
  const byKey = (ps: readonly SecondPoint[]): Map<number, number> =>
    new Map(ps.filter((p) => !p.warmup && p.intervalRequests > 0).map((p) => [Math.round(p.elapsedSeconds / intervalSeconds), p.p95Ms]));
  const ma = byKey(a);
  const mb = byKey(b);
  const keys = [...new Set([...ma.keys(), ...mb.keys()])].sort((x, y) => x - y);
  return { a: keys.map((k) => ma.get(k) ?? null), b: keys.map((k) => mb.get(k) ?? null) };
}

export function simultaneousTrial(w: WindowRecord, maxRatio?: number): Trial {
  const est = simultaneousP95Ratio(w.baseline, w.candidate);
  const verdict = gateVerdictOf(est, maxRatio).verdict;
  return {
    set: w.set,
    condition: w.condition,
    busy: w.busy,
    ratio: est?.ratio ?? null,
    low: est?.low ?? null,
    high: est?.high ?? null,
    verdict,
    mixVerdict: verdict,
  };
}
