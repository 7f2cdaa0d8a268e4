// The SLO rules and their test series (pure): which SLOs the targets give, the bucket edge a latency
// SLO uses, the burn alerts' expressions, and the expectations computed from raw series.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { burnAlertGroup, recordingGroup, slosFor, sloRuleFile, type SloSource } from '../../common/observability/slo-rules';
import { alertExpectations, SAMPLE_MINUTES, SERIES_SAMPLES, ruleTestFile } from '../../common/observability/rule-tests';

const source = (over: Partial<SloSource> = {}): SloSource => ({
  service: 'api',
  job: 'api',
  histogram: { base: 'http_server_duration_ms', secondsPerUnit: 0.001 },
  statusLabel: 'code',
  routeLabel: null,
  excludeRoutes: ['/metrics'],
  buckets: [10, 25, 100, 250].map((ms) => ({ le: `${ms}.0`, ms })),
  processCpuMetric: null,
  nodeExporter: false,
  ...over,
});

test("a latency SLO uses the target's edge, or the nearest one below it (stricter), or none; errors need a status label", () => {
  const exact = slosFor(source(), { p95Ms: 100, p99Ms: 250, errorRatePct: 0.5 });
  assert.deepEqual(
    exact.slos.map((s) => [s.name, s.objective, s.le]),
    [
      ['latency-p95', 0.95, '100.0'],
      ['latency-p99', 0.99, '250.0'],
      ['errors', 0.995, null],
    ],
  );
  assert.deepEqual(exact.notes, []);
  const between = slosFor(source(), { p95Ms: 99.9, p99Ms: 5, errorRatePct: 1 });
  assert.deepEqual(
    between.slos.map((s) => s.le),
    ['25.0', null],
  );
  assert.match(between.notes.join('\n'), /no edge at 99\.9 ms; 25 ms \(le="25\.0"\) is used, a stricter SLO/);
  assert.match(between.notes.join('\n'), /no bucket edge of http_server_duration_ms is at or under the p99 target 5 ms/);
  const noStatus = slosFor(source({ statusLabel: null }), { p95Ms: 100, p99Ms: 250, errorRatePct: 1 });
  assert.deepEqual(
    noStatus.slos.map((s) => s.name),
    ['latency-p95', 'latency-p99'],
  );
  assert.match(noStatus.notes[0], /no status label, nor a request counter with one: the error ratio cannot be read, no error-rate SLO/);
});

test('recording rules per SLO and window; burn alerts compare both windows with burn x budget', () => {
  const { slos } = slosFor(source({ routeLabel: 'handler' }), { p95Ms: 100, p99Ms: 250, errorRatePct: 1 });
  const rec = recordingGroup(source({ routeLabel: 'handler' }), slos);
  assert.equal(rec.rules.length, 3 * 7);
  assert.equal(
    rec.rules[0].expr,
    '1 - (sum(rate(http_server_duration_ms_bucket{job="api",handler!~"/metrics",le="100.0"}[5m])) / ' +
      'sum(rate(http_server_duration_ms_count{job="api",handler!~"/metrics"}[5m])))',
  );
  assert.equal(
    rec.rules[14].expr,
    '(sum(rate(http_server_duration_ms_count{job="api",handler!~"/metrics",code=~"5.."}[5m])) or vector(0)) / ' +
      'sum(rate(http_server_duration_ms_count{job="api",handler!~"/metrics"}[5m]))',
  );
  const alerts = burnAlertGroup(source(), slos).rules;
  assert.equal(alerts.length, 12);
  assert.equal(
    alerts[0].expr,
    'perf_slo:sli_error:ratio_rate1h{service="api",slo="latency-p95"} > (14.4 * 0.05) and ' +
      'perf_slo:sli_error:ratio_rate5m{service="api",slo="latency-p95"} > (14.4 * 0.05)',
  );
  assert.deepEqual(alerts[11].labels, { severity: 'ticket', slo: 'errors', long: '3d', short: '6h' });
  assert.equal(sloRuleFile(source(), slos).groups.length, 2, 'no saturation group without process or node metrics');
  assert.equal(sloRuleFile(source({ nodeExporter: true }), slos).groups.length, 3);
});

const behaviour = (sharePct: number, errors = 0) => ({
  name: `${sharePct}% fast`,
  requests: [10, 10],
  errors: [errors, 0],
  shareAtOrUnder: { '100.0': sharePct / 100 },
});

test('expectations from the raw series: over the threshold fires, under it does not, at it is too close to call', () => {
  const { slos } = slosFor(source({ statusLabel: null }), { p95Ms: 100, p99Ms: 1, errorRatePct: 1 });
  const fires = (sharePct: number) =>
    alertExpectations({ name: 'x', behaviour: behaviour(sharePct) }, slos)
      ?.filter((a) => a.fires)
      .map((a) => a.long);
  assert.deepEqual(fires(20), ['1h', '6h', '1d', '3d'], '80% slow > 72% (14.4 x 5%)');
  assert.deepEqual(fires(40), ['6h', '1d', '3d'], '60% slow: under 72%, over 30%');
  assert.deepEqual(fires(96), [], '4% slow: under the 5% budget');
  // Exactly the budget (5% slow) at 1x: rounding, here and in Prometheus, would decide.
  assert.equal(alertExpectations({ name: 'close', behaviour: behaviour(95) }, slos), null);
});

test('a case that switches behaviour for its last hours: the short windows see only the new one', () => {
  const { slos } = slosFor(source({ statusLabel: null }), { p95Ms: 100, p99Ms: 1, errorRatePct: 1 });
  const got = alertExpectations({ name: 'fixed', behaviour: behaviour(0), then: { behaviour: behaviour(100), lastMinutes: 120 } }, slos);
  assert.deepEqual(
    got?.filter((a) => a.fires).map((a) => `${a.long}/${a.short}`),
    ['3d/6h'],
  );
  const file = ruleTestFile('/rules.yml', source({ statusLabel: null }), slos, [{ name: 'fixed', behaviour: behaviour(0) }]).file as {
    evaluation_interval: string;
    tests: { interval: string; input_series: { series: string; values: string }[]; alert_rule_test: { eval_time: string }[] }[];
  };
  assert.equal(file.evaluation_interval, `${(SERIES_SAMPLES - 1) * SAMPLE_MINUTES}m`, 'evaluated at the start and at the end only');
  const [t] = file.tests;
  assert.equal(t.alert_rule_test[0].eval_time, `${(SERIES_SAMPLES - 1) * SAMPLE_MINUTES}m`);
  assert.equal(t.input_series[0].series, 'http_server_duration_ms_count{job="api"}');
  const counts = t.input_series[0].values.split(' ').map(Number);
  assert.equal(counts.length, SERIES_SAMPLES);
  assert.equal(counts[1], 10 * 60 * SAMPLE_MINUTES, 'each measured second is one sample interval at the same rate');
});
