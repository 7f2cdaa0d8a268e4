// The before/after of a validation: throughput and p95 effects with their intervals from the two
// windows' per-second series (batch means: one run a side), and how far both windows can be
// trusted (host saturation, drift within the window, a warm-up that reached its cap). Pure.
import { batchMeansEffect } from './effect';
import { describeVerdict, judgeEffect, JOINT_LEVEL, type Verdict } from './verdict';
import { driftOf, type Drift } from './stability';
import { saturationReasons, type HostReading } from './saturation';
import { combineConfidence, confidenceOf, type Confidence } from './confidence';

/** The part of a load test's summary the verdict reads. */
export interface MeasuredWindow {
  perSecond?: { rps: number[]; p95Ms: number[] };
  host?: HostReading | null;
  warmup?: { steady: boolean }; // a steady warm-up's outcome (absent: a fixed warm-up)
}

export interface BeforeAfter {
  throughput: Verdict;
  p95: Verdict;
  confidence: Confidence;
}

/** Fewer measured seconds than this a side: no interval (five batches of two seconds at least). */
export const MIN_SECONDS = 10;

/** The drift of a window's per-second throughput; null below MIN_SECONDS measured seconds. */
export function windowDrift(w: MeasuredWindow): Drift | null {
  const rps = w.perSecond?.rps ?? [];
  return rps.length >= MIN_SECONDS ? driftOf(rps) : null;
}

export function windowConfidence(label: string, w: MeasuredWindow): Confidence {
  return confidenceOf({
    label,
    saturation: w.host ? saturationReasons(w.host) : [],
    drift: windowDrift(w),
    warmupCapped: w.warmup?.steady === false,
  });
}

export function beforeAfter(before: MeasuredWindow, after: MeasuredWindow, regressionThresholdPct?: number): BeforeAfter | null {
  const b = before.perSecond;
  const a = after.perSecond;
  if (!b || !a) return null;
  const enough = b.rps.length >= MIN_SECONDS && a.rps.length >= MIN_SECONDS;
  const opts = { regressionThresholdPct };
  return {
    throughput: judgeEffect(enough ? batchMeansEffect(b.rps, a.rps, undefined, JOINT_LEVEL) : null, 'higher-is-better', opts),
    p95: judgeEffect(enough ? batchMeansEffect(b.p95Ms, a.p95Ms, undefined, JOINT_LEVEL) : null, 'lower-is-better', opts),
    confidence: combineConfidence([windowConfidence('baseline', before), windowConfidence('after', after)]),
  };
}

/** The before/after in a few lines (the Web UI's details, logs): both verdicts, then any trust flags. */
export function beforeAfterLines(b: BeforeAfter): string[] {
  const lines = [`throughput ${describeVerdict(b.throughput)}`, `p95 latency ${describeVerdict(b.p95)}`];
  if (b.confidence.level === 'low') lines.push(`LOW CONFIDENCE: ${b.confidence.reasons.join('; ')}`);
  return lines;
}
