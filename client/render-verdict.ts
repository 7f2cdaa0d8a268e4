// The before/after verdict lines of the reports: each metric's effect with its 95% interval and
// method, then whether the figures can be trusted and why not.
import type { OutputContract } from '../common/output-contract';
import { baselineMeasurementLine } from '../common/verdict/baseline-measurement';

type Summary = OutputContract['validation_results']['improvement_summary'];
type ContractVerdict = NonNullable<Summary['before_after']>['throughput'];

const signed = (x: number): string => `${x >= 0 ? '+' : ''}${x.toFixed(1)}%`;

export function verdictText(name: string, v: ContractVerdict): string {
  if (v.improvement_pct === null || v.ci_low_pct === null || v.ci_high_pct === null) {
    return `${name}: not enough measured seconds for an interval`;
  }
  const unit = v.method === 'interleaved' ? 'pairs' : v.method === 'batch-means' ? 'batches a side' : 'blocks a side';
  const interval = `${v.ci_joint ? '95% joint CI' : '95% CI'} ${signed(v.ci_low_pct)} to ${signed(v.ci_high_pct)}`;
  return `${name}: ${signed(v.improvement_pct)} (${interval}; ${v.method}, ${v.n} ${unit}): ${v.verdict}${v.regressed ? ', REGRESSED' : ''}`;
}

/** Empty when the validation recorded no intervals (nothing applied, or recorded before them). */
export function verdictLines(s: Summary, baselineShown = false): string[] {
  const b = s.before_after;
  if (!b) return [];
  const lines = [verdictText('throughput', b.throughput), verdictText('p95 latency', b.p95)];
  // The baseline's own reasons are on its line when it is shown.
  const reasons = b.confidence_reasons.filter((r) => !(baselineShown && r.startsWith('baseline:')));
  if (b.confidence === 'low' && reasons.length > 0) {
    lines.push('LOW CONFIDENCE in these figures:', ...reasons.map((r) => `  - ${r}`));
  }
  return lines;
}

/** How the baseline was measured and whether it can be trusted; null for runs recorded before it. */
export function baselineLine(result: OutputContract): string | null {
  const m = result.baseline_metrics.measurement;
  if (!m) return null;
  return baselineMeasurementLine({
    warmupSeconds: m.warmup_s,
    warmupSteady: m.warmup_steady,
    remeasuredFirstDriftPct: m.remeasured_first_drift_pct,
    confidence: { level: m.confidence, reasons: m.confidence_reasons },
  });
}

/** The baseline's line, then the before/after verdicts: what the reports print under the table. */
export function measurementLines(result: OutputContract): string[] {
  const base = baselineLine(result);
  return [...(base ? [base] : []), ...verdictLines(result.validation_results.improvement_summary, base !== null)];
}
