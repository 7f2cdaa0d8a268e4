// The verdict on a measured change: the one rule every caller uses (validation, staged
// optimization, the CI gate, the regression rollback). Pure.
//
// `improved` only when the whole 95% interval lies on the better side of zero; `worse` when it
// lies wholly on the worse side; otherwise `no detectable change` (the interval holds zero: the
// data cannot tell). `regressed` (roll back) asks more than `worse`: the interval wholly worse AND
// the estimate worse than the tolerated threshold, so a real but tiny slowdown inside the tolerance
// is reported, not rolled back. Without an interval (too few samples) nothing is claimed.
//
// Throughput and p95 are judged together: a change is called improved (or worse) when either
// metric's interval excludes zero, so each interval is a 97.5% one (Bonferroni) and the chance that
// a change that does nothing gets a word other than "no detectable change" stays at most 5%.
import type { Effect } from './effect';
import type { IntervalLevel } from './stats';

/** Per-metric confidence of intervals judged in pairs (throughput and p95): joint 95%. */
export const JOINT_LEVEL: IntervalLevel = 0.975;

export type Direction = 'higher-is-better' | 'lower-is-better';
export type VerdictWord = 'improved' | 'worse' | 'no detectable change' | 'not enough data';

export interface Verdict {
  verdict: VerdictWord;
  regressed: boolean;
  // The effect in the metric's good direction: positive = better (a 20% lower latency is +20%).
  improvementPct: number | null;
  improvementLowPct: number | null;
  improvementHighPct: number | null;
  method: Effect['method'] | null;
  n: number;
  level?: IntervalLevel; // the interval's own confidence (absent: 95%); 0.975 = part of a joint 95%
}

export interface VerdictOptions {
  regressionThresholdPct?: number; // default 10
}

/** The change as an improvement, as compare.ts counts it: a latency from 100 to 80 ms is +20%. */
function improvementOf(changePct: number, direction: Direction): number {
  return direction === 'higher-is-better' ? changePct : -changePct;
}

export function judgeEffect(effect: Effect | null, direction: Direction, opts: VerdictOptions = {}): Verdict {
  if (!effect) {
    return {
      verdict: 'not enough data',
      regressed: false,
      improvementPct: null,
      improvementLowPct: null,
      improvementHighPct: null,
      method: null,
      n: 0,
    };
  }
  const threshold = opts.regressionThresholdPct ?? 10;
  const est = improvementOf(effect.changePct, direction);
  const ends = [improvementOf(effect.lowPct, direction), improvementOf(effect.highPct, direction)];
  const low = Math.min(...ends);
  const high = Math.max(...ends);
  const verdict: VerdictWord = low > 0 ? 'improved' : high < 0 ? 'worse' : 'no detectable change';
  return {
    verdict,
    regressed: verdict === 'worse' && est < -threshold,
    improvementPct: est,
    improvementLowPct: low,
    improvementHighPct: high,
    method: effect.method,
    n: effect.n,
    ...(effect.level ? { level: effect.level } : {}),
  };
}

/** "+31.2% (95% joint CI +24.0% to +38.9%, interleaved, 4 pairs)" for reports. */
export function describeVerdict(v: Verdict): string {
  if (v.improvementPct === null || v.improvementLowPct === null || v.improvementHighPct === null) return 'not enough data for an interval';
  const s = (x: number): string => `${x >= 0 ? '+' : ''}${x.toFixed(1)}%`;
  const unit = v.method === 'interleaved' ? 'pairs' : v.method === 'batch-means' ? 'batches a side' : 'blocks a side';
  const ci = v.level === JOINT_LEVEL ? '95% joint CI' : '95% CI';
  return `${s(v.improvementPct)} (${ci} ${s(v.improvementLowPct)} to ${s(v.improvementHighPct)}, ${v.method}, ${v.n} ${unit}): ${v.verdict}`;
}
