// One word on how far a measured window can be trusted, with the reasons: the flags that the
// report and the Web UI print next to the figures. Pure.
import type { Drift } from './stability';

export interface ConfidenceInput {
  label: string; // "baseline", "after", ...
  saturation: readonly string[]; // saturationReasons() of the window
  drift: Drift | null; // of the per-second throughput over the measured seconds
  warmupCapped?: boolean; // the warm-up hit its cap before the series was steady
}

export interface Confidence {
  level: 'ok' | 'low';
  reasons: string[];
}

export function confidenceOf(input: ConfidenceInput): Confidence {
  const reasons = input.saturation.map((r) => `${input.label}: ${r}`);
  if (input.drift?.drifting) {
    const d = input.drift;
    reasons.push(
      `${input.label}: throughput drifted ${d.changePct >= 0 ? '+' : ''}${d.changePct}% within the window (${d.firstMean} -> ${d.lastMean} req/s)`,
    );
  }
  if (input.warmupCapped) reasons.push(`${input.label}: still not steady when the warm-up reached its cap`);
  return { level: reasons.length > 0 ? 'low' : 'ok', reasons };
}

/** Several windows' confidences as one (low if any is). */
export function combineConfidence(parts: readonly Confidence[]): Confidence {
  const reasons = parts.flatMap((p) => p.reasons);
  return { level: reasons.length > 0 ? 'low' : 'ok', reasons };
}
