// The baseline from the service's own Prometheus beside the load test's figures, for the text summary
// and the HTML report (baseline_metrics.observability). Nothing when the run read no Prometheus.
import type { OutputContract } from '../common/output-contract';
import { table } from './text-table';

type Observability = NonNullable<OutputContract['baseline_metrics']['observability']>;

const LABEL: Record<Observability['figures'][number]['metric'], string> = {
  latency_p95_ms: 'p95 ms',
  latency_p99_ms: 'p99 ms',
  throughput_rps: 'req/s',
  error_rate_percent: 'errors %',
};

/** One line saying what was read, then rows: figure, load test, Prometheus. */
export function observabilityRows(o: Observability): { caption: string; rows: string[][] } {
  const from = o.job ? `job ${o.job}, ${o.latency_histogram ?? 'no latency histogram'}` : 'the target is not among its scrape targets';
  const window = o.window_s === null ? '' : ` over ${o.window_s} s`;
  const rates = o.rates_compared ? '' : ' (rates not compared: too few scrapes in the window)';
  const cell = (v: number | null): string => (v === null ? '-' : String(v));
  return {
    caption: `baseline from the service's Prometheus (${o.prometheus_url}, ${from})${window}${rates}:`,
    rows: [['figure', 'load test', 'Prometheus'], ...o.figures.map((f) => [LABEL[f.metric], cell(f.load_test), cell(f.prometheus)])],
  };
}

export function observabilitySection(result: OutputContract): string[] {
  const o = (result.baseline_metrics as Partial<OutputContract['baseline_metrics']>).observability;
  if (!o) return [];
  const { caption, rows } = observabilityRows(o);
  return [
    caption,
    ...table(rows)
      .split('\n')
      .map((l) => `  ${l}`),
    '  (where they disagree, and why: the analysis notes in next steps)',
  ];
}
