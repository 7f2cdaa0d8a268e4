// The output contract's baseline_metrics.observability: the baseline's window as the service's own
// Prometheus recorded it, beside the load test, from the observability skill's figures. Pure.
import type { EXPORTER_METRICS, OutputContract } from './output-contract';
import type { RunRecord } from './contract-record';

type ObservabilityBaseline = NonNullable<OutputContract['baseline_metrics']['observability']>;

const SKILL = 'observability-stack-configurator';

const ROWS: [ObservabilityBaseline['figures'][number]['metric'], string, string][] = [
  ['latency_p95_ms', 'loadP95Ms', 'prometheusP95Ms'],
  ['latency_p99_ms', 'loadP99Ms', 'prometheusP99Ms'],
  ['throughput_rps', 'loadRps', 'prometheusRps'],
  ['error_rate_percent', 'loadErrorPct', 'prometheusErrorPct'],
  ['process_cpu_pct', 'profilerCpuPct', 'prometheusCpuPct'],
  ['process_rss_mb', 'profilerRssMb', 'prometheusRssMb'],
];

const numberOrNull = (v: unknown): number | null => (typeof v === 'number' ? v : null);

// metric, the profiler's figure (key or null), the exporter's (key): the keys of the skill's figures.
const EXPORTER_ROWS: [(typeof EXPORTER_METRICS)[number], string | null, string][] = [
  ['db_time_ms_per_second', 'profilerDbTimeMsPerSecond', 'exporterDbTimeMsPerSecond'],
  ['db_time_ms_per_request', 'profilerDbTimeMsPerRequest', 'exporterDbTimeMsPerRequest'],
  ['db_statements_per_second', null, 'exporterStatementsPerSecond'],
  ['db_buffer_hit_ratio_pct', null, 'exporterPgBufferHitPct'],
  ['db_connections_max', null, 'exporterPgBackendsMax'],
  ['cache_hit_ratio_pct', 'profilerCacheHitPct', 'exporterCacheHitPct'],
  ['cache_commands_per_second', 'profilerCacheOpsPerSecond', 'exporterCacheOpsPerSecond'],
  ['cache_clients_max', null, 'exporterRedisClientsMax'],
  ['cache_memory_mb', null, 'exporterRedisMemoryMb'],
];

function exportersOf(f: Record<string, unknown>): Pick<ObservabilityBaseline, 'exporters'> {
  const postgres = typeof f.pgExporter === 'string' ? f.pgExporter : null;
  const redis = typeof f.redisExporter === 'string' ? f.redisExporter : null;
  if (!postgres && !redis) return {};
  const rows = EXPORTER_ROWS.filter(([metric]) => (metric.startsWith('db_') ? postgres : redis));
  return {
    exporters: {
      postgres,
      redis,
      figures: rows.map(([metric, p, x]) => ({ metric, profiler: p ? numberOrNull(f[p]) : null, exporter: numberOrNull(f[x]) })),
    },
  };
}

export function observabilityBaseline(r: RunRecord): { observability: ObservabilityBaseline } | Record<string, never> {
  const ran = r.skills?.find((s) => s.skill === SKILL && !s.skipped);
  if (!ran) return {};
  const f = ran.evidence.figures;
  return {
    observability: {
      prometheus_url: String(f.prometheusUrl ?? ''),
      job: typeof f.job === 'string' ? f.job : null,
      latency_histogram: typeof f.histogram === 'string' ? f.histogram : null,
      window_s: numberOrNull(f.windowSeconds),
      rates_compared: f.ratesCompared === true,
      figures: ROWS.map(([metric, load, prom]) => ({ metric, load_test: numberOrNull(f[load]), prometheus: numberOrNull(f[prom]) })),
      ...exportersOf(f),
    },
  };
}

export const MONITORING_FILE_NAMES = {
  'alert-rules': 'alert-rules.yml',
  'grafana-dashboard': 'grafana-dashboard.json',
  'otel-collector-config': 'otel-collector.yaml',
} as const;

/** The files the skill stored: the report writes each beside it as <report>.<file_name>. */
export function monitoringFiles(
  r: RunRecord,
): { monitoring_files: NonNullable<OutputContract['monitoring_files']> } | Record<string, never> {
  const f = r.skills?.find((s) => s.skill === SKILL && !s.skipped)?.evidence.figures;
  if (!f) return {};
  const files = (
    [
      ['alert-rules', f.alertRulesArtifactId],
      ['grafana-dashboard', f.dashboardArtifactId],
      ['otel-collector-config', f.otelCollectorArtifactId],
    ] as const
  ).flatMap(([kind, id]) => (typeof id === 'string' ? [{ kind, artifact_id: id, file_name: MONITORING_FILE_NAMES[kind] }] : []));
  return files.length ? { monitoring_files: files } : {};
}
