// How the baseline itself was measured and whether it can be trusted, for runs with nothing to
// compare it with too: its warm-up, a re-measure after a drifting first attempt, and its confidence
// (saturation, drift, a capped warm-up). Pure.
import { windowConfidence, type MeasuredWindow } from './before-after';
import type { Confidence } from './confidence';

export interface BaselineWindow extends MeasuredWindow {
  warmup?: { seconds: number; steady: boolean };
  remeasured?: { firstDrift: { changePct: number } };
}

export interface BaselineMeasurement {
  warmupSeconds: number | null; // a steady warm-up's length; null for a fixed one
  warmupSteady: boolean | null;
  remeasuredFirstDriftPct: number | null; // measured twice: how much the first attempt drifted
  confidence: Confidence;
}

export function baselineMeasurement(w: BaselineWindow): BaselineMeasurement {
  return {
    warmupSeconds: w.warmup?.seconds ?? null,
    warmupSteady: w.warmup?.steady ?? null,
    remeasuredFirstDriftPct: w.remeasured?.firstDrift.changePct ?? null,
    confidence: windowConfidence('baseline', w),
  };
}

/** "baseline: warm-up steady after 6 s; measured again (the first attempt drifted +41%); LOW CONFIDENCE: ..." */
export function baselineMeasurementLine(m: BaselineMeasurement): string {
  const parts: string[] = [];
  if (m.warmupSeconds !== null) {
    parts.push(
      m.warmupSteady
        ? `warm-up steady after ${Math.round(m.warmupSeconds)} s`
        : `warm-up not steady at its ${Math.round(m.warmupSeconds)} s cap`,
    );
  }
  if (m.remeasuredFirstDriftPct !== null) {
    const d = m.remeasuredFirstDriftPct;
    parts.push(`measured again (the first attempt drifted ${d >= 0 ? '+' : ''}${d}%)`);
  }
  parts.push(m.confidence.level === 'low' ? `LOW CONFIDENCE: ${m.confidence.reasons.join('; ')}` : 'no saturation or drift seen');
  return `baseline: ${parts.join('; ')}`;
}
