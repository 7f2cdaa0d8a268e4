// Reading an existing Prometheus (pure parts): the target's scrape job by address, its latency
// histogram and unit among the job's metric names, the status and route labels, the baseline's PromQL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { latencyHistograms, routeLabel, scrapeTargetsOf, statusLabel } from '../../common/observability/detect';
import { baselineQueries } from '../../common/observability/queries';

const target = (job: string, scrapeUrl: string) => ({ job, instance: new URL(scrapeUrl).host, scrapeUrl, health: 'up' });

test('scrapeTargetsOf: the same port on the same host; loopback names are one host', () => {
  const targets = [
    target('shop', 'http://localhost:3100/metrics'),
    target('node', 'http://127.0.0.1:9100/metrics'),
    target('other', 'http://10.0.0.5:3100/metrics'),
    target('tls', 'https://shop.internal/metrics'),
  ];
  assert.deepEqual(
    scrapeTargetsOf(targets, '127.0.0.1', 3100).map((t) => t.job),
    ['shop'],
  );
  assert.deepEqual(
    scrapeTargetsOf(targets, '10.0.0.5', 3100).map((t) => t.job),
    ['other'],
  );
  assert.deepEqual(
    scrapeTargetsOf(targets, 'shop.internal', 443).map((t) => t.job),
    ['tls'],
  );
  assert.deepEqual(scrapeTargetsOf(targets, '127.0.0.1', 3101), []);
});

test('latencyHistograms: server request histograms first, with their unit; client or unit-less ones ranked last or left out', () => {
  const names = [
    'http_client_request_duration_seconds_bucket',
    'http_client_request_duration_seconds_count',
    'shop_http_request_duration_seconds_bucket',
    'shop_http_request_duration_seconds_count',
    'http_server_duration_milliseconds_bucket',
    'http_server_duration_milliseconds_count',
    'db_query_latency_bucket', // no unit: left out
    'db_query_latency_count',
    'orphan_duration_seconds_bucket', // no _count: left out
    'process_cpu_seconds_total',
  ];
  assert.deepEqual(latencyHistograms(names), [
    { base: 'http_server_duration_milliseconds', secondsPerUnit: 0.001 },
    { base: 'shop_http_request_duration_seconds', secondsPerUnit: 1 },
    { base: 'http_client_request_duration_seconds', secondsPerUnit: 1 },
  ]);
  assert.deepEqual(latencyHistograms(['process_cpu_seconds_total']), []);
  assert.equal(statusLabel(['le', 'method', 'route', 'status']), 'status');
  assert.equal(statusLabel(['le', 'code', 'handler']), 'code');
  assert.equal(statusLabel(['le']), null);
  assert.equal(routeLabel(['le', 'code', 'handler']), 'handler');
});

test('django-prometheus: the unit before a qualifier, the view as the route', () => {
  const names = [
    'django_http_requests_latency_including_middlewares_seconds_bucket',
    'django_http_requests_latency_including_middlewares_seconds_count',
    'django_http_requests_latency_seconds_by_view_method_bucket',
    'django_http_requests_latency_seconds_by_view_method_count',
    'django_http_requests_body_total_bytes_bucket', // a size, not a latency
    'django_http_requests_body_total_bytes_count',
    'job_duration_usage_bucket', // "_us" inside a word is no unit
    'job_duration_usage_count',
  ];
  assert.deepEqual(
    latencyHistograms(names).map((h) => [h.base, h.secondsPerUnit]),
    [
      ['django_http_requests_latency_including_middlewares_seconds', 1],
      ['django_http_requests_latency_seconds_by_view_method', 1],
    ],
    'both found (the skill then prefers the one labelled by route)',
  );
  assert.equal(routeLabel(['le', 'method', 'view']), 'view');
});

test('baselineQueries: percentiles in ms from the buckets, rate, 5xx ratio and mix over the window; label values escaped', () => {
  const q = baselineQueries({
    histogram: { base: 'shop_http_request_duration_seconds', secondsPerUnit: 1 },
    job: 'shop "a"',
    status: 'status',
    route: 'route',
    windowSeconds: 30,
  });
  assert.equal(
    q.p95Ms,
    'histogram_quantile(0.95, sum by (le) (rate(shop_http_request_duration_seconds_bucket{job="shop \\"a\\""}[30s]))) * 1000',
  );
  assert.equal(q.rps, 'sum(rate(shop_http_request_duration_seconds_count{job="shop \\"a\\""}[30s]))');
  assert.match(q.errorRatio ?? '', /status=~"5\.\."\}\[30s\]\)\) or vector\(0\)\) \/ sum\(rate/);
  assert.equal(q.rpsByRoute, 'sum by (route) (rate(shop_http_request_duration_seconds_count{job="shop \\"a\\""}[30s]))');
  const noLabels = baselineQueries({
    histogram: { base: 'x_ms', secondsPerUnit: 0.001 },
    job: 'j',
    instance: 'h:1',
    status: null,
    route: null,
    windowSeconds: 5,
  });
  assert.match(noLabels.p99Ms, /\{job="j",instance="h:1"\}\[5s\]\)\)\) \* 1$/);
  assert.equal(noLabels.errorRatio, null);
  assert.throws(
    () => baselineQueries({ histogram: { base: 'x_ms', secondsPerUnit: 0.001 }, job: 'j', status: null, route: null, windowSeconds: 0.5 }),
    /whole number/,
  );
});
