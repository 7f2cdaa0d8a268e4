// The p95 ratio (candidate / baseline) with its 95% interval, from either design the gate measures,
// and the gate's verdict on it (Keptn-style pass / warn / fail). Pure.
//
//   interleaved: short blocks of baseline and candidate back to back (A, B, A, B, ...); a paired t
//                interval of log(p95_B / p95_A). The host's load changes both sides of a pair alike,
//                so this is the design that holds on a busy shared machine.
//   stored:      the candidate's per-second p95 against a baseline measured earlier (a pinned one,
//                or recent passing checks pooled); batch means a side, Welch. The host may have been
//                quieter or busier then: the interval cannot see that, so a saturated window is
//                flagged beside the verdict.
// Rule (issue 14): fail when the interval's lower end exceeds 1.0 AND the estimate exceeds the
// threshold (1.05 by default); warn when only one of the two holds; otherwise pass.
import { batchMeansEffect, interleavedEffect, type Effect } from '../verdict/effect';
import type { GateVerdict } from './types';

export const DEFAULT_MAX_P95_RATIO = 1.05;

export interface RatioEstimate {
  ratio: number;
  low: number;
  high: number;
  method: string; // in words, for reports
  n: number; // pairs, or batches a side
  level?: number; // the interval's confidence when not 95% (several comparisons judged together)
}

const toRatio = (pct: number): number => 1 + pct / 100;

export function ratioOf(effect: Effect | null, method: string): RatioEstimate | null {
  if (!effect) return null;
  const r = { ratio: toRatio(effect.changePct), low: toRatio(effect.lowPct), high: toRatio(effect.highPct), method, n: effect.n };
  return effect.level === undefined || effect.level === 0.95 ? r : { ...r, level: effect.level };
}

/** What a block's p95 is read from. */
export interface BlockFigures {
  requests: number;
  latencyMs: { p95: number };
  durationSeconds: number;
  unfinished?: number;
  model?: 'closed' | 'open';
}

/**
 * A pair's p95s for the ratio. A closed-model block in which no request finished while some were still
 * unanswered held every connection for its whole measured window (a closed model sends only after an
 * answer), so its p95 is at least that window: the candidate gets that lower bound (it can only
 * understate a regression). A baseline block without a finished request gives no pair.
 */
export function pairP95s(baseline: BlockFigures, candidate: BlockFigures): { a: number; b: number } | null {
  if (baseline.requests === 0 || baseline.latencyMs.p95 <= 0) return null;
  if (candidate.requests > 0) return { a: baseline.latencyMs.p95, b: candidate.latencyMs.p95 };
  const stalled = (candidate.unfinished ?? 0) > 0 && candidate.model !== 'open';
  return stalled ? { a: baseline.latencyMs.p95, b: candidate.durationSeconds * 1000 } : null;
}

/** Interleaved blocks: each pair's p95 of the baseline block (a) and the candidate block (b). */
export function interleavedP95Ratio(pairs: readonly { a: number; b: number }[]): RatioEstimate | null {
  return ratioOf(interleavedEffect(pairs, 0.95), `interleaved blocks, ${pairs.length} pairs, paired t on log p95`);
}

/** Per-second p95 series of a stored baseline and of the candidate; null below 10 seconds a side. */
export function storedP95Ratio(baselineP95s: readonly number[], candidateP95s: readonly number[]): RatioEstimate | null {
  if (baselineP95s.length < 10 || candidateP95s.length < 10) return null;
  return ratioOf(batchMeansEffect(baselineP95s, candidateP95s, 5, 0.95), 'batch means of per-second p95, 5 batches a side, Welch');
}

const f = (x: number): string => x.toFixed(3);

export function describeRatio(r: RatioEstimate): string {
  const pct = Math.round((r.level ?? 0.95) * 1000) / 10;
  return `p95 ratio ${f(r.ratio)} (${pct}% CI ${f(r.low)} to ${f(r.high)}; ${r.method})`;
}

/** pass / warn / fail by the rule above, with the reason in words. */
export function gateVerdictOf(r: RatioEstimate | null, maxRatio = DEFAULT_MAX_P95_RATIO): { verdict: GateVerdict; why: string } {
  if (!r)
    return { verdict: 'warn', why: 'not enough data for an interval of the p95 ratio (at least 10 measured seconds a side, or 2 pairs)' };
  const surelyWorse = r.low > 1;
  const overThreshold = r.ratio > maxRatio;
  const text = describeRatio(r);
  if (surelyWorse && overThreshold) return { verdict: 'fail', why: `${text}: slower, beyond the ${f(maxRatio)} threshold` };
  if (surelyWorse) return { verdict: 'warn', why: `${text}: slower for sure, but within the ${f(maxRatio)} threshold` };
  if (overThreshold)
    return { verdict: 'warn', why: `${text}: above the ${f(maxRatio)} threshold, but the interval holds 1 (could be noise)` };
  return { verdict: 'pass', why: `${text}: no regression beyond noise` };
}

/** The worse of verdicts: fail > warn > pass. */
export function worstVerdict(vs: readonly GateVerdict[]): GateVerdict {
  return vs.includes('fail') ? 'fail' : vs.includes('warn') ? 'warn' : 'pass';
}
