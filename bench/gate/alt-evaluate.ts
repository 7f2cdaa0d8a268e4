// The alternating design's pure part: one window (both shops taking turns) into a gate trial, judged
// as the check judges it (the whole mix's p95 ratio over the paired seconds and each endpoint's).
import { alternatingPairs, type IntervalFigures } from '../../common/gate/alternating';
import { comparisonVerdict, interleavedComparison } from '../../common/gate/check-verdict';
import { DEFAULT_MAX_P95_RATIO } from '../../common/gate/ratio';
import type { Condition } from './schedule';
import type { Trial } from './tally';

/** One window: the baseline shop and the candidate shop taking turns. */
export interface AltWindowRecord {
  set: number;
  condition: Condition;
  busy: boolean;
  intervals: { baseline: IntervalFigures[]; candidate: IntervalFigures[] };
  share: { baseline: number; candidate: number }; // of the window each had its turn
  baselineP95Ms: number; // the whole window's p95 a side
  candidateP95Ms: number;
  requests: number; // both sides
  addedPct: number | null; // the cost the candidate shop says it added, in % of the baseline's time per request (null: none planted)
}

export function alternatingTrial(w: AltWindowRecord, sliceMs: number, maxRatio = DEFAULT_MAX_P95_RATIO): Trial {
  const c = interleavedComparison(alternatingPairs(w), maxRatio, true, { sliceMs });
  const flagged = (c.endpoints ?? []).filter((e) => e.verdict !== 'pass').map((e) => e.endpoint);
  return {
    set: w.set,
    condition: w.condition,
    busy: w.busy,
    ratio: c.p95Ratio,
    low: c.p95RatioLow,
    high: c.p95RatioHigh,
    verdict: comparisonVerdict(c),
    mixVerdict: c.verdict,
    ...(flagged.length ? { endpointsFlagged: flagged } : {}),
  };
}
