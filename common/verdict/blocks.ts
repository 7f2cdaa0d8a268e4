// Repeated before/after blocks for changes costly to redo (an index on a large table), with drift
// control. Pure.
//
// k short load blocks just before the change, k just after: the effect is Welch's interval of the
// difference of mean logs (blockEffect). A machine that drifts (a cache warming, a neighbour's
// build) would pass for the change, so the trend of log(value) over time is fitted within each side
// (one slope common to both, each side its own level). When its 95% interval excludes zero the
// effect is corrected for it: the step at the change = difference of the side means minus slope x
// the distance between the sides' mean times, with the regression's interval (t, n - 3 df: wider),
// and the figures are marked low confidence. Otherwise the plain Welch interval stands.
// The correction extrapolates the slope across the time between the last before block and the first
// after one; when that stretch is longer than the blocks' own time (both sides' spans), the slope is
// a guess there (a field trial: 70 s unobserved, 30 s observed, a -75%/min trend within the sides
// turned a +245% gain into +2,344%). Then nothing is corrected: the plain interval, low confidence,
// and the reason.
import { blockEffect, fromInterval, type Effect } from './effect';
import { pooledTrend, stepAfterTrend, type IntervalLevel, type TimedSeries } from './stats';
import { judgeEffect, JOINT_LEVEL, type Verdict, type VerdictOptions } from './verdict';
import type { Confidence } from './confidence';
import { round } from '../round';

/** One block of load: which side of the change, when it started (seconds, one clock for all), what it measured. */
export interface TimedBlock {
  side: 'before' | 'after';
  startS: number;
  throughputRps: number;
  p95Ms: number;
  loadTestId?: string;
}

export interface BlockDrift {
  detected: boolean; // the trend's 95% interval excludes zero
  corrected: boolean; // the effect was corrected for it
  // Detected but not corrected: the seconds between the sides and the seconds the blocks cover.
  tooFar?: { unobservedS: number; observedS: number };
  pctPerMinute: number | null; // the trend as a change per minute, null when it cannot be fitted
  lowPctPerMinute: number | null;
  highPctPerMinute: number | null;
}

export interface DriftControlledEffect {
  effect: Effect | null;
  drift: BlockDrift | null; // null: too few blocks or a non-positive value (no effect either)
}

export type BlockMetric = 'throughputRps' | 'p95Ms';

const perMinute = (slopePerSecond: number): number => round((Math.exp(slopePerSecond * 60) - 1) * 100, 2);

const span = (t: readonly number[]): number => Math.max(...t) - Math.min(...t);

function sideSeries(blocks: readonly TimedBlock[], side: TimedBlock['side'], metric: BlockMetric): TimedSeries & { v: number[] } {
  const own = blocks.filter((b) => b.side === side);
  const v = own.map((b) => b[metric]);
  return { t: own.map((b) => b.startS), y: v.map(Math.log), v };
}

/**
 * One metric's before -> after effect from timed blocks, corrected for a drift the blocks show; its
 * interval at `level` (joint 95% with the other metric by default: see verdict.ts).
 */
export function driftControlledEffect(
  blocks: readonly TimedBlock[],
  metric: BlockMetric,
  level: IntervalLevel = JOINT_LEVEL,
): DriftControlledEffect {
  const before = sideSeries(blocks, 'before', metric);
  const after = sideSeries(blocks, 'after', metric);
  const plain = blockEffect(before.v, after.v, 'blocks', level);
  if (!plain) return { effect: null, drift: null };
  const trend = pooledTrend([before, after]);
  if (!trend)
    return {
      effect: plain,
      drift: { detected: false, corrected: false, pctPerMinute: null, lowPctPerMinute: null, highPctPerMinute: null },
    };
  const detected = trend.low > 0 || trend.high < 0;
  const unobservedS = round(Math.min(...after.t) - Math.max(...before.t), 1);
  const observedS = round(span(before.t) + span(after.t), 1);
  const tooFar = detected && unobservedS > observedS;
  const drift: BlockDrift = {
    detected,
    corrected: detected && !tooFar,
    pctPerMinute: perMinute(trend.slope),
    lowPctPerMinute: perMinute(trend.low),
    highPctPerMinute: perMinute(trend.high),
    ...(tooFar ? { tooFar: { unobservedS, observedS } } : {}),
  };
  if (!drift.corrected) return { effect: plain, drift };
  return { effect: fromInterval('blocks', plain.n, stepAfterTrend(before, after, trend, level), level), drift };
}

export interface BlockVerdicts {
  throughput: Verdict;
  p95: Verdict;
  drift: { throughput: BlockDrift | null; p95: BlockDrift | null };
  confidence: Confidence;
}

const signed = (x: number): string => `${x >= 0 ? '+' : ''}${x}`;

/** "throughput drifted -2.1%/min within the blocks (95% CI -3.0 to -1.2): the effect is corrected for it" (or why not). */
export function driftReason(label: string, d: BlockDrift | null): string | null {
  if (!d?.detected) return null;
  const ci = `95% CI ${signed(d.lowPctPerMinute!)} to ${signed(d.highPctPerMinute!)}`;
  const what = `${label} drifted ${signed(d.pctPerMinute!)}%/min within the before/after blocks (${ci})`;
  if (d.corrected) return `${what}: the effect is corrected for it, with a wider interval`;
  const far = d.tooFar!;
  return (
    `${what}, but the sides are ${far.unobservedS} s apart and the blocks cover ${far.observedS} s: too far to take the drift ` +
    'out by extrapolation, so the effect shown still holds it'
  );
}

/** Throughput and p95 verdicts of before/after blocks with drift control, and low confidence when a drift was detected. */
export function blockVerdicts(blocks: readonly TimedBlock[], opts: VerdictOptions = {}): BlockVerdicts {
  const rps = driftControlledEffect(blocks, 'throughputRps');
  const p95 = driftControlledEffect(blocks, 'p95Ms');
  const reasons = [driftReason('throughput', rps.drift), driftReason('p95', p95.drift)].filter((r): r is string => r !== null);
  return {
    throughput: judgeEffect(rps.effect, 'higher-is-better', opts),
    p95: judgeEffect(p95.effect, 'lower-is-better', opts),
    drift: { throughput: rps.drift, p95: p95.drift },
    confidence: { level: reasons.length ? 'low' : 'ok', reasons },
  };
}

/** "drift not detected" / "drift -2.1%/min, corrected" / "..., not corrected (too far apart)" for one metric. */
export function describeBlockDrift(d: BlockDrift | null): string {
  if (!d || d.pctPerMinute === null) return 'drift not estimable';
  if (!d.detected) return 'drift not detected';
  return `drift ${signed(d.pctPerMinute)}%/min, ${d.corrected ? 'corrected' : 'not corrected (the sides too far apart)'}`;
}
