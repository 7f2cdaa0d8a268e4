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
  process_cpu_pct: 'CPU % of a core (/proc)',
  process_rss_mb: 'RSS MB (/proc)',
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

const EXPORTER_LABEL: Record<NonNullable<Observability['exporters']>['figures'][number]['metric'], string> = {
  db_time_ms_per_second: 'DB time ms/s',
  db_time_ms_per_request: 'DB time ms/request',
  db_statements_per_second: 'statements/s',
  db_buffer_hit_ratio_pct: 'buffer hits %',
  db_connections_max: 'connections (max)',
  cache_hit_ratio_pct: 'cache hits %',
  cache_commands_per_second: 'cache commands/s',
  cache_clients_max: 'cache clients (max)',
  cache_memory_mb: 'cache memory MB',
};

/** The database's and the cache's exporters beside the profiler's snapshots; null when none was read. */
export function exporterRows(o: Observability): { caption: string; rows: string[][] } | null {
  const x = o.exporters;
  if (!x) return null;
  const read = [x.postgres && `postgres: ${x.postgres}`, x.redis && `redis: ${x.redis}`].filter(Boolean).join('; ');
  const cell = (v: number | null): string => (v === null ? '-' : String(v));
  return {
    caption: `the same window from the exporters (${read}) beside the profiler's snapshots:`,
    rows: [['figure', 'profiler', 'exporter'], ...x.figures.map((f) => [EXPORTER_LABEL[f.metric], cell(f.profiler), cell(f.exporter)])],
  };
}

const indented = (rows: string[][]): string[] =>
  table(rows)
    .split('\n')
    .map((l) => `  ${l}`);

export function observabilitySection(result: OutputContract): string[] {
  const o = (result.baseline_metrics as Partial<OutputContract['baseline_metrics']>).observability;
  if (!o) return [];
  const { caption, rows } = observabilityRows(o);
  const exporters = exporterRows(o);
  return [
    caption,
    ...indented(rows),
    ...(exporters ? [exporters.caption, ...indented(exporters.rows)] : []),
    '  (where they disagree, and why: the analysis notes in next steps)',
  ];
}
