// The check a profile asks for when nothing else is said: its gate thresholds, else its SLO targets;
// its gate's ratio and baseline. Pure: the CLI starts from it, and a run's --watch-every schedules it.
import type { TargetProfile } from '../profile';
import { DEFAULT_MAX_P95_RATIO } from './ratio';
import { parseThreshold, targetThresholds } from './thresholds';
import type { CheckInput, Threshold } from './types';

export function profileThresholdTexts(target: TargetProfile): string[] {
  return target.gate?.thresholds ?? targetThresholds(target.targets);
}

export function thresholdsOf(target: TargetProfile, texts: readonly string[]): Threshold[] {
  const names = target.http.endpoints.map((e) => e.name);
  return texts.map((t) => parseThreshold(t, names));
}

/** The scheduled check of a target: its profile's thresholds against its pinned baseline. */
export function defaultCheckInput(target: TargetProfile, requestedBy: string): CheckInput {
  return {
    target,
    thresholds: thresholdsOf(target, profileThresholdTexts(target)),
    baseline: { kind: 'pinned' },
    maxP95Ratio: target.gate?.maxP95Ratio ?? DEFAULT_MAX_P95_RATIO,
    requestedBy,
  };
}
