// The OpenTelemetry Collector config the observability skill writes, checked against the Collector
// components' published config schemas (test/helpers/otelcol-config.ts): valid with and without a trace
// backend, and each kind of mistake the Collector would refuse at start-up is caught by the check.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { otelCollectorConfig } from '../../common/observability/otel-collector';
import { validateCollectorConfig } from '../helpers/otelcol-config';

const made = (tracesEndpoint: string | null) =>
  otelCollectorConfig({ service: 'shop', prometheusUrl: 'http://prometheus:9090/', tracesEndpoint });

test('the Collector config passes the published schemas: OTLP in, memory limiter and batch, metrics to Prometheus, traces to the backend', () => {
  for (const endpoint of ['tempo:4317', null]) {
    const { config, notes } = made(endpoint);
    assert.deepEqual(validateCollectorConfig(config), { errors: [], unresolved: [] }, `tracesEndpoint ${endpoint}`);
    assert.deepEqual(config.service.pipelines.metrics.exporters, ['otlp_http/prometheus']);
    assert.deepEqual(config.service.pipelines.traces.processors, ['memory_limiter', 'batch'], 'the memory limiter first');
    assert.deepEqual(config.exporters['otlp_http/prometheus'], { metrics_endpoint: 'http://prometheus:9090/api/v1/otlp/v1/metrics' });
    assert.deepEqual(config.service.pipelines.traces.exporters, [endpoint ? 'otlp_grpc/traces' : 'debug']);
    assert.match(notes.join('\n'), endpoint ? /traces go to tempo:4317/ : /no trace backend is named/);
  }
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a mutant may poke anywhere in the config
type Loose = Record<string, any>;

test('each mistake the Collector refuses at start-up fails the check, naming where', () => {
  const mutants: [string, (c: Loose) => void, RegExp][] = [
    ['a misspelt key', (c) => (c.exporters['otlp_grpc/traces'].endpont = 'x:1'), /exporters\.otlp_grpc\/traces: unknown key "endpont"/],
    [
      'a nested misspelt key',
      (c) => (c.receivers.otlp.protocols.grpc.endpiont = ':1'),
      /receivers\.otlp\.protocols\.grpc: unknown key "endpiont"/,
    ],
    ['a number as text', (c) => (c.processors.memory_limiter.limit_percentage = '80'), /limit_percentage: must be integer/],
    ['a duration without unit syntax', (c) => (c.processors.batch.timeout = '5 sec'), /batch\.timeout: "5 sec" is not a duration/],
    ['an unknown component type', (c) => (c.exporters['prometheusremote/x'] = {}), /no exporter of type "prometheusremote"/],
    [
      'a pipeline naming an undefined exporter',
      (c) => c.service.pipelines.metrics.exporters.push('otlp/metrics'),
      /"otlp\/metrics" is not defined under exporters/,
    ],
    ['a pipeline without receivers', (c) => (c.service.pipelines.traces.receivers = []), /traces\.receivers: at least one is required/],
    ['a signal that does not exist', (c) => (c.service.pipelines['spans'] = c.service.pipelines.traces), /"spans" is not a signal/],
    [
      'an exporter by its old name, but misconfigured',
      (c) => (c.exporters['otlphttp/old'] = { endpoint: 7 }),
      /otlphttp\/old\.endpoint: must be string/,
    ],
    ['a component in no pipeline', (c) => (c.processors['batch/unused'] = {}), /processors\.batch\/unused: defined but in no pipeline/],
  ];
  for (const [what, mutate, expected] of mutants) {
    const config = structuredClone(made('tempo:4317').config) as Loose;
    mutate(config);
    const { errors } = validateCollectorConfig(config);
    assert.ok(
      errors.some((e) => expected.test(e)),
      `${what}: ${errors.join('; ') || 'no error'}`,
    );
  }
});
