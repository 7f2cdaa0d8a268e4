// The before/after verdict lines of the reports: each metric's effect with its 95% interval and
// method, then whether the figures can be trusted and why not.
import type { OutputContract } from '../common/output-contract';

type Summary = OutputContract['validation_results']['improvement_summary'];
type ContractVerdict = NonNullable<Summary['before_after']>['throughput'];

const signed = (x: number): string => `${x >= 0 ? '+' : ''}${x.toFixed(1)}%`;

export function verdictText(name: string, v: ContractVerdict): string {
  if (v.improvement_pct === null || v.ci_low_pct === null || v.ci_high_pct === null) {
    return `${name}: not enough measured seconds for an interval`;
  }
  const unit = v.method === 'interleaved' ? 'pairs' : v.method === 'batch-means' ? 'batches a side' : 'blocks a side';
  const interval = `95% CI ${signed(v.ci_low_pct)} to ${signed(v.ci_high_pct)}`;
  return `${name}: ${signed(v.improvement_pct)} (${interval}; ${v.method}, ${v.n} ${unit}): ${v.verdict}${v.regressed ? ', REGRESSED' : ''}`;
}

/** Empty when the validation recorded no intervals (nothing applied, or recorded before them). */
export function verdictLines(s: Summary): string[] {
  const b = s.before_after;
  if (!b) return [];
  const lines = [verdictText('throughput', b.throughput), verdictText('p95 latency', b.p95)];
  if (b.confidence === 'low') {
    lines.push('LOW CONFIDENCE in these figures:', ...b.confidence_reasons.map((r) => `  - ${r}`));
  }
  return lines;
}
