// Did the run improve the service? The point estimate must clear the threshold (as before the
// intervals existed) AND its 95% interval must exclude zero, for throughput or p95. Without intervals
// (too few measured seconds, or a validation recorded before them) the estimate alone decides. Pure.
import type { BeforeAfter } from './before-after';

export interface ImprovementEvidence {
  comparison: readonly { metric: string; changePct: number }[];
  beforeAfter?: BeforeAfter | null;
}

export function improvedBeyond(v: ImprovementEvidence, thresholdPct: number): boolean {
  const verdicts = v.beforeAfter ? [v.beforeAfter.throughput, v.beforeAfter.p95] : [];
  if (verdicts.some((x) => x.verdict !== 'not enough data')) {
    return verdicts.some((x) => x.verdict === 'improved' && (x.improvementPct ?? 0) > thresholdPct);
  }
  return v.comparison.some((c) => c.changePct > thresholdPct);
}
