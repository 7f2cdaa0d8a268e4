// An OpenTelemetry Collector config for the target (pure): the service's SDK sends traces and
// metrics over OTLP (gRPC 4317, HTTP 4318); a memory limiter and a batch processor protect the
// Collector; metrics go to the same Prometheus the skill read, over its OTLP endpoint, so they land
// beside the scraped histogram; traces go to the profile's trace backend (observability.tracesEndpoint,
// OTLP gRPC), or to the debug exporter when it names none. Core components only: every distribution
// (otelcol, otelcol-contrib, otelcol-k8s) has them. The Collector cannot be installed here, so the file
// is validated against the components' published config schemas in the tests and written, not pushed.

export const OTEL_COLLECTOR_FILE = 'otel-collector.yaml';

export interface CollectorInput {
  service: string;
  /** The Prometheus the skill read (observability.prometheusUrl). */
  prometheusUrl: string;
  /** host:port (or http(s)://host:port) of an OTLP gRPC trace backend; null: none named. */
  tracesEndpoint: string | null;
}

export interface CollectorConfig {
  receivers: Record<string, unknown>;
  processors: Record<string, unknown>;
  exporters: Record<string, unknown>;
  service: { pipelines: Record<'traces' | 'metrics', { receivers: string[]; processors: string[]; exporters: string[] }> };
}

const PROCESSORS = ['memory_limiter', 'batch'];

export function otelCollectorConfig(i: CollectorInput): { config: CollectorConfig; notes: string[] } {
  const traces = i.tracesEndpoint ? 'otlp_grpc/traces' : 'debug';
  const notes = [
    `metrics go to ${i.prometheusUrl}/api/v1/otlp/v1/metrics: start Prometheus with --web.enable-otlp-receiver (3.x) ` +
      'or --enable-feature=otlp-write-receiver (2.47 to 2.55)',
    i.tracesEndpoint
      ? `traces go to ${i.tracesEndpoint} over OTLP gRPC (write http://host:port for a backend without TLS)`
      : 'no trace backend is named (observability.tracesEndpoint): traces go to the debug exporter (the Collector log) until one is',
    'the exporters have their names since Collector v0.144.0: an older Collector calls otlp_grpc otlp and otlp_http otlphttp',
    `the service's OpenTelemetry SDK exports to the Collector: OTEL_EXPORTER_OTLP_ENDPOINT=http://<collector>:4318, OTEL_SERVICE_NAME=${i.service}`,
  ];
  const config: CollectorConfig = {
    receivers: {
      otlp: { protocols: { grpc: { endpoint: '0.0.0.0:4317' }, http: { endpoint: '0.0.0.0:4318' } } },
    },
    processors: {
      // First in every pipeline: refuses data before the Collector runs out of memory.
      memory_limiter: { check_interval: '1s', limit_percentage: 80, spike_limit_percentage: 20 },
      batch: { timeout: '5s', send_batch_size: 8192 },
    },
    exporters: {
      'otlp_http/prometheus': { metrics_endpoint: `${i.prometheusUrl.replace(/\/+$/, '')}/api/v1/otlp/v1/metrics` },
      ...(i.tracesEndpoint ? { 'otlp_grpc/traces': { endpoint: i.tracesEndpoint } } : { debug: {} }), // its default verbosity: basic
    },
    service: {
      pipelines: {
        traces: { receivers: ['otlp'], processors: PROCESSORS, exporters: [traces] },
        metrics: { receivers: ['otlp'], processors: PROCESSORS, exporters: ['otlp_http/prometheus'] },
      },
    },
  };
  return { config, notes };
}
