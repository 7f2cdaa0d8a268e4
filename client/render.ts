// Text rendering for the terminal: plan, before/after table, status.
import type { OutputContract } from '../common/output-contract';
import type { RunStatus } from '../common/run';
import { describeAction } from '../common/contract';

/** One decimal is what a before/after table can honestly show. */
const fmt = (n: number) => String(Math.round(n * 10) / 10);

const LABELS: Record<string, string> = { p95Ms: 'p95 latency (ms)', p99Ms: 'p99 latency (ms)', throughputRps: 'throughput (req/s)', errorRatePct: 'error rate (%)' };

export function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r, n) => {
    const line = r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
    return n === 0 ? `${line}\n${widths.map((w) => '-'.repeat(w)).join('  ')}` : line;
  }).join('\n');
}

export function beforeAfterTable(result: OutputContract): string {
  const rows = result.validation_results.improvement_summary.comparison;
  if (rows.length === 0) {
    const b = result.baseline_metrics;
    return table([
      ['metric', 'target', 'baseline'],
      ['p95 latency (ms)', fmt(result.performance_targets.p95_ms), fmt(b.p95_ms)],
      ['p99 latency (ms)', fmt(result.performance_targets.p99_ms), fmt(b.p99_ms)],
      ['throughput (req/s)', fmt(result.performance_targets.throughput_rps), fmt(b.throughput_rps)],
      ['error rate (%)', fmt(result.performance_targets.error_rate_pct), fmt(b.error_rate_pct)],
    ]);
  }
  return table([
    ['metric', 'target', 'before', 'after', 'change', 'target met'],
    ...rows.map((r) => [
      LABELS[r.metric],
      fmt(r.target),
      fmt(r.before),
      fmt(r.after),
      `${r.changePct > 0 ? '+' : ''}${r.changePct}%${r.regressed ? ' REGRESSED' : ''}`,
      r.metAfter ? 'yes' : 'no',
    ]),
  ]);
}

export function planTable(status: RunStatus): string {
  if (!status.plan) return '(no plan yet)';
  if (status.plan.items.length === 0) return '(the plan is empty: nothing to optimize in scope)';
  return table([
    ['id', 'layer', 'impact', 'est. gain', 'kind', 'action'],
    ...status.plan.items.map((i) => [i.id, i.layer, String(i.impactScore), `${i.estimatedGainPct}%`, i.automatic ? 'auto' : 'manual', describeAction(i.action).slice(0, 90)]),
  ]);
}

export function summary(result: OutputContract): string {
  const s = result.validation_results;
  const lines = [
    `target ${result.target_system.name} (${result.target_system.base_url}), tier ${result.baseline_metrics.tier}, outcome: ${s.improvement_summary.outcome}`,
    '',
    beforeAfterTable(result),
    '',
    `load tests: ${s.load_testing_completed.join(', ')}; targets met: ${s.targets_met ? 'yes' : 'no'}`,
    'optimizations:',
    ...result.optimizations_implemented.map((o) => `  [${o.status}] ${o.id}: ${o.title} (est. ${o.estimated_gain_pct}%)`),
    'next steps:',
    ...result.next_steps.map((n) => `  - ${n}`),
  ];
  return lines.join('\n');
}
