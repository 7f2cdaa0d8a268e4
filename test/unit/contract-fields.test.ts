// The contract's fields in the specification's shape, at their boundaries: the item type per kind of
// change, the status per state, the 0-100 impact scores (with the tier rules' share and priority when a
// plan has them), the references per run, and why monitoring and regression prevention are false.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildOutputContract, type RunRecord } from '../../common/contract';
import { bottleneckSharePct, contractBottlenecks, optimizationType, statusOf } from '../../common/contract-items';
import { MONITORING_NOT_CONFIGURED } from '../../common/contract-next-steps';
import { referencesFor } from '../../common/contract-sources';
import { ITEM_STATES, OutputContractSchema } from '../../common/output-contract';
import { parseTargetProfile } from '../../common/profile';
import { REFERENCES } from '../../common/references';
import { summary } from '../../client/render';
import { renderHtmlReport } from '../../client/report-html';
import type { ActionSpec, Bottleneck, LoadTestSummary, PlanItem } from '../../common/types';

const target = parseTargetProfile({
  name: 'shop',
  http: { baseUrl: 'http://127.0.0.1:3100', endpoints: [{ name: 'list', path: '/products' }] },
  database: { urlEnv: 'SHOP_DATABASE_URL' },
  targets: { p95Ms: 20, p99Ms: 50, throughputRps: 500 },
  actions: { featureToggles: [{ name: 'batchLoading', fixes: 'n_plus_one' }], createIndexes: true },
});

const baseline: LoadTestSummary = {
  id: '1',
  phase: 'baseline',
  concurrency: 8,
  durationSeconds: 10,
  requests: 1000,
  errors: 0,
  errorRatePct: 0,
  throughputRps: 100,
  latencyMs: { p50: 15, p90: 30, p95: 40, p99: 80, max: 120, mean: 20 },
  endpoints: [{ name: 'list', requests: 1000, errors: 0, latencyMs: { p50: 15, p90: 30, p95: 40, p99: 80, max: 120, mean: 20 } }],
  errorKinds: {},
  warmupRequests: 0,
};

const index: ActionSpec = { type: 'create_index', schema: 'public', table: 'products', columns: [{ name: 'category_id' }], indexName: 'i' };
const toggle: ActionSpec = { type: 'feature_toggle', toggle: 'batchLoading', value: true };
const manual: ActionSpec = { type: 'manual', steps: ['do it'] };

function item(id: string, over: Partial<PlanItem>): PlanItem {
  return {
    id,
    layer: 'database',
    rootCause: 'missing_index',
    title: id,
    evidence: [],
    estimatedLatencyReductionMs: 5,
    effortDays: 0.5,
    risk: 'low',
    action: index,
    rollback: '-',
    source: 'test',
    impactScore: 1000,
    estimatedGainPct: 25,
    automatic: true,
    ...over,
  };
}

function record(items: PlanItem[], over: Partial<RunRecord> = {}): RunRecord {
  return {
    input: { target, tier: 'auto', autoApprove: true, approvalTimeoutMs: 1000, onApprovalTimeout: 'end', requestedBy: 'test' },
    scope: ['database', 'application', 'caching'],
    timestamp: '2026-11-30T10:00:00-05:00',
    workflowId: 'perf-shop',
    runId: 'r1',
    profiling: { baseline, database: null, cache: null, process: null, network: null, cpu: null, bottlenecks: [] },
    plan: { tier: 'T2', focus: ['database'], items },
    decision: { kind: 'approved', itemIds: items.filter((i) => i.automatic).map((i) => i.id), by: 'test', auto: true },
    optimization: { applied: [], failed: null, rolledBack: [] },
    validation: null,
    outcome: 'no_change',
    escalationWorkflowId: null,
    ...over,
  };
}

test('type per kind of change: an index action is index whatever its root cause; the extensions cover the rest', () => {
  assert.equal(optimizationType({ action: index, rootCause: 'seq_scan_large_table', layer: 'database' }), 'index');
  assert.equal(optimizationType({ action: { ...index, type: 'create_index' }, rootCause: 'n_plus_one', layer: 'database' }), 'index');
  assert.equal(optimizationType({ action: toggle, rootCause: 'n_plus_one', layer: 'application' }), 'code');
  assert.equal(
    optimizationType({ action: manual, rootCause: 'monitoring_gap', layer: 'caching' }),
    'monitoring',
    'a missing Redis exporter is monitoring',
  );
  assert.equal(optimizationType({ action: toggle, rootCause: 'uncached_endpoint', layer: 'caching' }), 'cache');
  assert.equal(optimizationType({ action: manual, rootCause: 'hot_function', layer: 'caching' }), 'cache');
  assert.equal(optimizationType({ action: manual, rootCause: 'hot_function', layer: 'application' }), 'code');
  assert.equal(optimizationType({ action: manual, rootCause: 'partitioning', layer: 'database' }), 'infrastructure');
  assert.equal(optimizationType({ action: manual, rootCause: 'network_latency', layer: 'network' }), 'edge');
  assert.equal(optimizationType({ action: manual, rootCause: 'stale_statistics', layer: 'database' }), 'config');
  assert.equal(optimizationType({ action: manual, rootCause: 'missing_extension', layer: 'database' }), 'monitoring');
});

test('status per state: only an applied and kept change is completed; undone and failed are never completed', () => {
  const expected = {
    applied: 'completed',
    rolled_back: 'rolled_back',
    failed: 'failed',
    skipped: 'planned',
    not_approved: 'planned',
    manual: 'planned',
    rejected: 'planned',
  } as const;
  assert.deepEqual(Object.fromEntries(ITEM_STATES.map((s) => [s, statusOf(s)])), expected);
});

test("a bottleneck's impact score is its share of the total request time, 0 to 100", () => {
  // 20 ms mean x 100 req/s = 2000 ms of request time per second.
  assert.equal(bottleneckSharePct(2000, 20, 100), 100);
  assert.equal(bottleneckSharePct(500, 20, 100), 25);
  assert.equal(bottleneckSharePct(0, 20, 100), 0);
  assert.equal(bottleneckSharePct(11_241.2, 20, 100), 100, 'clamped: overlapping bottlenecks can claim more than the whole');
  assert.equal(bottleneckSharePct(500, 0, 100), 0, 'no traffic: no share');
  // Recorded before the inventory named component and metric: inventoried again from the same figures.
  const old: Bottleneck = {
    layer: 'application',
    description: 'endpoint list: p95 40 ms over the 20 ms target',
    impactScore: 2000,
    evidence: [],
  };
  const [b] = contractBottlenecks(record([], { profiling: { ...record([]).profiling, bottlenecks: [old] } }));
  assert.deepEqual(
    [b.component, b.metric, b.current_value, b.target_value, b.impact_score],
    ['endpoint list', 'latency', 'p95 40 ms', 'p95 <= 20 ms', 100],
  );
});

test("an item's impact score and priority: the tier rules' share and priority when the plan has them, else the estimated gain and medium", () => {
  const items = [
    item('a', { impactSharePct: 62.5, priority: 'high' }),
    item('b', { estimatedGainPct: 12 }),
    item('c', { impactSharePct: 140, priority: 'low' }),
  ];
  const applied = { itemId: 'a', action: index, appliedAt: 'x', undo: { type: 'none' as const, why: 'test' }, details: '' };
  const r = record(items, { optimization: { applied: [applied], failed: null, rolledBack: [] } });
  const c = OutputContractSchema.parse(buildOutputContract(r));
  assert.deepEqual(
    c.optimizations_implemented.map((o) => [o.id, o.impact_score, o.impact_score_raw, o.priority]),
    [
      ['a', 62.5, 1000, 'high'],
      ['b', 12, 1000, 'medium'],
      ['c', 100, 1000, 'low'],
    ],
  );
  assert.deepEqual(
    c.optimizations_implemented.map((o) => [o.type, o.estimated_impact, o.effort_days, o.state, o.status]),
    [
      ['index', '25% of mean latency', 0.5, 'applied', 'completed'],
      ['index', '12% of mean latency', 0.5, 'not_approved', 'planned'],
      ['index', '25% of mean latency', 0.5, 'not_approved', 'planned'],
    ],
  );
});

test('sources_consulted: the documents the run relied on, each a URL with the date it was last checked', () => {
  const none = referencesFor(record([]));
  assert.deepEqual(none, ['temporal-message-passing', 'temporal-versioning'], 'the orchestration always relies on Temporal');
  const drop: ActionSpec = {
    type: 'drop_index',
    schema: 'public',
    table: 'products',
    indexName: 'old',
    definition: 'CREATE INDEX old ON p (x)',
  };
  const db = { ...record([]).profiling, database: { extensions: { pgStatStatements: true, hypopg: true } } } as RunRecord['profiling'];
  const ids = referencesFor(record([item('i', {}), item('d', { action: drop })], { profiling: db }));
  for (const id of ['pg-stat-statements', 'pg-explain', 'hypopg', 'pg-create-index', 'pg-drop-index'] as const)
    assert.ok(ids.includes(id), id);
  assert.ok(!ids.includes('py-spy'), 'no profiler ran');
  const c = buildOutputContract(record([item('i', {})]));
  assert.ok(
    c.sources_consulted.includes(`${REFERENCES['pg-create-index'].url} (accessed ${REFERENCES['pg-create-index'].checked})`),
    c.sources_consulted.join('\n'),
  );
  for (const r of Object.values(REFERENCES)) assert.match(r.checked, /^\d{4}-\d{2}-\d{2}$/, r.id);
});

test('monitoring_configured and regression_prevention are false, the reason in next_steps, the recommendations beside them', () => {
  const c = OutputContractSchema.parse(buildOutputContract(record([])));
  assert.equal(c.monitoring_configured, false);
  assert.equal(c.regression_prevention, false);
  assert.ok(c.next_steps.includes(MONITORING_NOT_CONFIGURED), c.next_steps.join('\n'));
  // A profile with Prometheus and its rule directory: why there was nothing to install is not "add them".
  const observed = { ...target, observability: { prometheusUrl: 'http://127.0.0.1:9090', rulesDir: '/tmp/rules' } };
  const withProm = buildOutputContract(record([], { input: { ...record([]).input, target: observed } }));
  assert.ok(!withProm.next_steps.includes(MONITORING_NOT_CONFIGURED));
  assert.ok(
    withProm.next_steps.some((x) => /the analysis made no alert-rules item to install/.test(x)),
    withProm.next_steps.join('\n'),
  );
  const why = c.next_steps.find((s) => s.startsWith('regression prevention not configured'));
  assert.match(why ?? '', /no pinned baseline .*--pin-baseline.*; no check against it .*--watch-every/);
  assert.ok(c.monitoring_recommendations.length >= 4, JSON.stringify(c.monitoring_recommendations));
  assert.equal(c.regression_prevention_plan.baseline_load_test_id, '1');
  assert.equal(c.regression_prevention_plan.in_place, undefined);
  assert.equal(c.validation_results.load_testing_completed, false);
  assert.equal(c.validation_results.improvement_summary.latency_p95_reduction_percent, null, 'nothing validated: no invented number');
});

test('regression_prevention is true only with a pinned baseline and a watch or a CI file in place', () => {
  const state = (pinnedBaselineId: string | null, watchScheduleId: string | null, ciFile: string | null) =>
    OutputContractSchema.parse(buildOutputContract({ ...record([]), regressionPrevention: { pinnedBaselineId, watchScheduleId, ciFile } }));
  assert.equal(state('4', 'perf-watch-shop', null).regression_prevention, true);
  assert.equal(state('4', null, '.github/workflows/perf-check.yml').regression_prevention, true);
  const onlyBaseline = state('4', null, null);
  assert.equal(onlyBaseline.regression_prevention, false);
  assert.match(onlyBaseline.next_steps.join('\n'), /regression prevention not configured: no check against it/);
  assert.doesNotMatch(onlyBaseline.next_steps.join('\n'), /no pinned baseline/);
  assert.equal(state(null, 'perf-watch-shop', null).regression_prevention, false);
  assert.deepEqual(state('4', 'perf-watch-shop', null).regression_prevention_plan.in_place, {
    pinned_baseline_id: '4',
    watch_schedule_id: 'perf-watch-shop',
    ci_file: null,
  });
  assert.ok(!state('4', 'perf-watch-shop', null).next_steps.some((s) => s.startsWith('regression prevention not configured')));
});

test("baseline_metrics.observability: the service's Prometheus beside the load test, rendered in the summary and the HTML report", () => {
  const figures = {
    prometheusUrl: 'http://127.0.0.1:9090',
    job: 'shop',
    histogram: 'shop_http_request_duration_seconds',
    windowSeconds: 10,
    ratesCompared: true,
    loadP95Ms: 40,
    prometheusP95Ms: 47.5,
    loadP99Ms: 80,
    prometheusP99Ms: null,
    loadRps: 100,
    prometheusRps: 98.2,
    loadErrorPct: 0,
    prometheusErrorPct: 0,
    profilerCpuPct: 80.5,
    prometheusCpuPct: 41.2,
    profilerRssMb: 503,
    prometheusRssMb: null,
    alertRulesArtifactId: '7',
    dashboardArtifactId: '8',
    otelCollectorArtifactId: '9',
  };
  const skills = [{ skill: 'observability-stack-configurator', evidence: { artifactId: 'a1', figures }, skipped: null }];
  const c = buildOutputContract(record([], { skills }));
  assert.deepEqual(c.baseline_metrics.observability, {
    prometheus_url: 'http://127.0.0.1:9090',
    job: 'shop',
    latency_histogram: 'shop_http_request_duration_seconds',
    window_s: 10,
    rates_compared: true,
    figures: [
      { metric: 'latency_p95_ms', load_test: 40, prometheus: 47.5 },
      { metric: 'latency_p99_ms', load_test: 80, prometheus: null },
      { metric: 'throughput_rps', load_test: 100, prometheus: 98.2 },
      { metric: 'error_rate_percent', load_test: 0, prometheus: 0 },
      { metric: 'process_cpu_pct', load_test: 80.5, prometheus: 41.2 },
      { metric: 'process_rss_mb', load_test: 503, prometheus: null },
    ],
  });
  assert.equal(OutputContractSchema.safeParse(c).success, true);
  const text = summary(c);
  assert.match(
    text,
    /baseline from the service's Prometheus \(http:\/\/127\.0\.0\.1:9090, job shop, shop_http_request_duration_seconds\) over 10 s:/,
  );
  assert.match(text, /p95 ms\s+40\s+47\.5/);
  assert.match(text, /p99 ms\s+80\s+-/);
  assert.match(text, /CPU % of a core \(\/proc\)\s+80\.5\s+41\.2/);
  assert.match(renderHtmlReport(c), /<td>req\/s<\/td><td>100<\/td><td>98\.2<\/td>/);
  assert.deepEqual(c.monitoring_files, [
    { kind: 'alert-rules', artifact_id: '7', file_name: 'alert-rules.yml' },
    { kind: 'grafana-dashboard', artifact_id: '8', file_name: 'grafana-dashboard.json' },
    { kind: 'otel-collector-config', artifact_id: '9', file_name: 'otel-collector.yaml' },
  ]);
  assert.match(renderHtmlReport(c), /<a href="perf-shop-r1\.otel-collector\.yaml">OpenTelemetry Collector config/);
  assert.match(
    renderHtmlReport(c),
    /<a href="perf-shop-r1\.grafana-dashboard\.json">Grafana dashboard/,
    'the report links the files written beside it',
  );
  const skipped = buildOutputContract(record([], { skills: [{ ...skills[0], skipped: 'no Prometheus' }] }));
  assert.equal(skipped.baseline_metrics.observability, undefined, 'a skipped skill read nothing');
  assert.doesNotMatch(summary(skipped), /service's Prometheus/);
});

test('monitoring_configured is true only when the installed alert rules are healthy and proven by promtool on the measured cases', () => {
  const monitoring = {
    file: '/etc/prometheus/rules/perf-orchestrator-shop.yml',
    slos: ['latency-p95', 'errors'],
    healthy: true,
    healthNote: null,
    testsOk: true,
    cases: [
      { name: 'baseline', ok: true, firing: ['latency-p95 page 1h/5m'] },
      { name: 'after', ok: true, firing: [] },
    ],
  };
  const c = buildOutputContract(record([], { monitoring }));
  assert.equal(c.monitoring_configured, true);
  const byMetric = Object.fromEntries(c.monitoring_recommendations.map((m) => [m.metric, m]));
  assert.equal(byMetric['http p95 latency'].status, 'configured');
  assert.equal(byMetric['http p95 latency'].source, `Prometheus rules ${monitoring.file}`);
  assert.equal(byMetric['http error rate'].status, 'configured');
  assert.equal(byMetric['http p99 latency'].status, 'recommended', 'no p99 SLO among the rules');
  assert.deepEqual(c.monitoring_rules?.cases[0], { name: 'baseline', ok: true, firing: ['latency-p95 page 1h/5m'] });
  assert.ok(!c.next_steps.includes(MONITORING_NOT_CONFIGURED));
  assert.ok(
    c.next_steps.some((s) => /^monitoring configured: .*perf-orchestrator-shop\.yml .*baseline: 1 alert\(s\) fire; after: silent$/.test(s)),
    c.next_steps.join('\n'),
  );
  assert.equal(OutputContractSchema.safeParse(c).success, true);

  const failing = buildOutputContract(
    record([], { monitoring: { ...monitoring, testsOk: false, cases: [{ name: 'after', ok: false, firing: [] }] } }),
  );
  assert.equal(failing.monitoring_configured, false);
  assert.ok(failing.monitoring_recommendations.every((m) => m.status === 'recommended'));
  assert.ok(
    failing.next_steps.some((s) => /installed but its promtool tests failed.*promtool test FAILED/.test(s)),
    failing.next_steps.join('\n'),
  );
  const unasserted = buildOutputContract(
    record([], { monitoring: { ...monitoring, cases: [{ name: 'baseline', ok: true, firing: null }] } }),
  );
  assert.equal(unasserted.monitoring_configured, false, 'a passing test file whose every case was too close to call proves nothing');
  const notInstalled = buildOutputContract(
    record([], {
      optimization: {
        applied: [],
        failed: null,
        rolledBack: [],
        monitoringFailed: { itemId: 'observability-alert-rules', error: '403 lifecycle' },
      },
    }),
  );
  assert.equal(notInstalled.monitoring_configured, false);
  assert.ok(
    notInstalled.next_steps.includes(
      'monitoring not configured: the alert rules (observability-alert-rules) were not installed: 403 lifecycle',
    ),
  );
  const sick = buildOutputContract(
    record([], { monitoring: { ...monitoring, healthy: false, healthNote: 'rules evaluated with errors: x' } }),
  );
  assert.equal(sick.monitoring_configured, false);
  assert.match(sick.next_steps.join('\n'), /not healthy \(rules evaluated with errors: x\)/);
});
