// The observability skill's pure parts: which monitoring the target lacks, where the two sources'
// figures disagree (and agree), and the traffic before the run as a load profile.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTargetProfile, type TargetProfile } from '../../common/profile';
import {
  analyzeObservability,
  DEFAULT_OBSERVABILITY_OPTIONS,
  type ObservabilityEvidence,
} from '../../activities/skills/observability-stack-configurator';
import { routeShape, trafficMix, trafficReadEndS } from '../../common/observability/traffic';
import { durationSeconds } from '../../activities/prometheus/client';
import { groupsOfFile } from '../../activities/actions/alert-rules';
import { statusCounterCandidates } from '../../common/observability/detect';
import type { WindowReading } from '../../activities/skills/observability-stack-configurator/findings';

function profile(extra: Record<string, unknown> = {}): TargetProfile {
  return parseTargetProfile({
    name: 'shop',
    http: {
      baseUrl: 'http://127.0.0.1:3100',
      endpoints: [
        { name: 'list', path: '/products?category={{int:1:5}}', weight: 5 },
        { name: 'product', path: '/products/{{int:1:99}}', weight: 3 },
        { name: 'catalog', path: '/catalog', weight: 2 },
      ],
    },
    targets: { p95Ms: 50, p99Ms: 100, throughputRps: 100 },
    observability: { prometheusUrl: 'http://127.0.0.1:9090' },
    ...extra,
  });
}

const EDGES = [1, 2.5, 5, 10, 25, 50, 100, 200, 300, 500, 800, 1000];

function windowReading(load: Partial<WindowReading['loadTest']>, prom: Partial<WindowReading['prometheus']>): WindowReading {
  return {
    fromS: 1000,
    toS: 1060,
    rangeSeconds: 60,
    rateComparable: true,
    loadTest: { p95Ms: 40, p99Ms: 90, rps: 200, errorRatePct: 0, ...load },
    prometheus: { p95Ms: 45, p99Ms: 95, rps: 201, errorRatePct: 0, cpuPct: 80, rssMb: 90, ...prom },
    profiler: { cpuPct: 78, rssMb: 91 },
    queries: { p50Ms: '', p95Ms: '', p99Ms: '', rps: '', errorRatio: null, rpsByRoute: null },
  };
}

function evidence(over: Partial<ObservabilityEvidence> = {}): ObservabilityEvidence {
  return {
    prometheusUrl: 'http://127.0.0.1:9090',
    targetAddress: '127.0.0.1:3100',
    scraped: [{ job: 'shop', instance: '127.0.0.1:3100', health: 'up', lastError: '' }],
    exporters: ['node'],
    metrics: {
      job: 'shop',
      scrapeIntervalSeconds: 2,
      histogram: { base: 'shop_http_request_duration_seconds', secondsPerUnit: 1 },
      labels: { status: 'status', route: 'route', method: 'method' },
      buckets: EDGES.map((ms) => ({ le: String(ms / 1000), ms })),
      processCpuMetric: 'shop_process_cpu_seconds_total',
      processRssMetric: 'shop_process_resident_memory_bytes',
    },
    window: windowReading({}, {}),
    traffic: null,
    ...over,
  };
}

const analyze = (e: ObservabilityEvidence, t = profile()) => analyzeObservability(e, DEFAULT_OBSERVABILITY_OPTIONS, t);

test('a target its Prometheus does not scrape: one finding with the scrape job to add, at its address', () => {
  const { findings } = analyze(evidence({ scraped: [], metrics: null, window: null }));
  const f = findings.find((x) => x.id === 'observability-not-scraped');
  assert.ok(f, JSON.stringify(findings.map((x) => x.id)));
  assert.equal(f.rootCause, 'monitoring_gap');
  assert.equal(f.estimatedLatencyReductionMs, 0, 'monitoring makes nothing faster');
  assert.equal(f.action.type, 'manual');
  assert.match(
    f.action.type === 'manual' ? f.action.steps[0] : '',
    /job_name: shop, static_configs: \[\{ targets: \['127\.0\.0\.1:3100'\] \}\]/,
  );
});

test('a scrape target that is down, and one without a latency histogram, are findings of their own', () => {
  const down = analyze(
    evidence({ scraped: [{ job: 'shop', instance: 'x:1', health: 'down', lastError: 'connection refused' }], metrics: null }),
  );
  assert.deepEqual(
    down.findings.filter((f) => f.layer === 'application').map((f) => f.id),
    ['observability-scrape-down'],
  );
  assert.match(down.findings[0].evidence[0], /connection refused/);
  const e = evidence();
  e.metrics!.histogram = null;
  const bare = analyze({ ...e, window: null });
  assert.deepEqual(
    bare.findings.filter((f) => f.layer === 'application').map((f) => f.id),
    ['observability-no-latency-histogram'],
  );
  assert.deepEqual(
    analyze(evidence()).findings.filter((f) => f.layer === 'application'),
    [],
    'a scraped, instrumented target lacks nothing',
  );
});

test('an exporter is missing only for a layer the profile has', () => {
  const plain = analyze(evidence({ exporters: [] })).findings.map((f) => f.id);
  assert.deepEqual(plain, ['observability-no-node-exporter'], 'no database or redis section: only the host');
  const full = analyze(
    evidence({ exporters: ['node', 'redis'] }),
    profile({ database: { urlEnv: 'SHOP_DATABASE_URL' }, redis: { urlEnv: 'SHOP_REDIS_URL' } }),
  );
  assert.deepEqual(
    full.findings.map((f) => [f.id, f.layer]),
    [['observability-no-postgres-exporter', 'database']],
  );
});

test("the sources agree while the load test p95 lies in the bucket of Prometheus's p95; beyond it they disagree, with the meaning", () => {
  const agree = analyze(evidence({ window: windowReading({ p95Ms: 26 }, { p95Ms: 45 }) })).notes;
  assert.equal(agree.length, 1, agree.join('\n'));
  assert.match(agree[0], /agrees with the load test on the baseline: p95 26 ms in its bucket 25-50 ms, 201 req\/s within 10%/);
  const slower = analyze(evidence({ window: windowReading({ p95Ms: 51 }, { p95Ms: 45 }) })).notes;
  assert.equal(slower.length, 1);
  assert.match(slower[0], /^p95Ms: load test 51 ms, the service's Prometheus 45 ms \(its bucket 25-50 ms\): .*outside the handler/);
  const rates = analyze(evidence({ window: windowReading({ rps: 200 }, { rps: 223 }) })).notes;
  assert.match(rates.join('\n'), /^rps: load test 200 req\/s, the service's Prometheus 223 req\/s: .*other traffic/m);
  const fine = analyze(evidence({ window: windowReading({ rps: 200 }, { rps: 219 }) })).notes;
  assert.match(fine.join('\n'), /agrees/, '9.5% apart is within the 10% tolerance');
});

test('rates are left out when the window held too few scrapes', () => {
  const w = windowReading({ rps: 200 }, { rps: null, errorRatePct: null });
  w.rateComparable = false;
  const notes = analyze(evidence({ window: w })).notes;
  assert.equal(notes.length, 1);
  assert.doesNotMatch(notes[0], /req\/s/);
});

test('paths and route patterns take one shape: parameters and templates become *, the query goes', () => {
  assert.equal(routeShape('/products/:id'), '/products/*');
  assert.equal(routeShape('/products/{id}'), '/products/*');
  assert.equal(routeShape('/products/<int:id>'), '/products/*');
  assert.equal(routeShape('/products/{{int:1:99}}'), '/products/*');
  assert.equal(routeShape('/products?category={{int:1:5}}'), '/products');
  assert.equal(routeShape('/shop/p-{{int:1:9}}/reviews/'), '/shop/*/reviews');
  assert.equal(routeShape('/'), '/');
});

test('the traffic before the run: rates by endpoint, shares beside the profile weights, unmatched routes kept', () => {
  const mix = trafficMix(
    [
      { route: '/products', method: 'GET', rps: 6 },
      { route: '/products/:id', method: 'GET', rps: 3 },
      { route: '/products/:id', method: 'DELETE', rps: 0.5 },
      { route: '/catalog', method: 'GET', rps: 1 },
      { route: '/health', method: 'GET', rps: 2 },
    ],
    profile().http.endpoints,
  );
  assert.equal(mix.totalRps, 12.5);
  assert.deepEqual(
    mix.endpoints.map((e) => [e.name, e.rps, e.sharePct, e.profileSharePct]),
    [
      ['list', 6, 60, 50],
      ['product', 3, 30, 30],
      ['catalog', 1, 10, 20],
    ],
  );
  assert.deepEqual(
    mix.unmatched.map((r) => `${r.method} ${r.route}`),
    ['GET /health', 'DELETE /products/:id'],
  );
});

test("a production mix far from the profile's is proposed as weights and an open-model rate; too little traffic is said", () => {
  const t = {
    lookbackHours: 6,
    coveredSeconds: 3600,
    atS: 1,
    routes: [
      { route: '/products/:id', method: 'GET', rps: 8 },
      { route: '/products', method: 'GET', rps: 2 },
    ],
  };
  const notes = analyze(evidence({ traffic: t })).notes.join('\n');
  assert.match(
    notes,
    /production traffic \(1 h of data in the 6 h before the run\): 10 req\/s; by endpoint: list 20% \(profile 50%\), product 80% \(profile 30%\), catalog 0% \(profile 20%\)/,
  );
  assert.match(
    notes,
    /set the weights to list: 20, product: 80 \(catalog had no production traffic\) and load.rateRps to 10 with the open model/,
  );
  const quiet = analyze(evidence({ traffic: { ...t, routes: [{ route: '/products', method: 'GET', rps: 0.01 }] } })).notes.join('\n');
  assert.match(quiet, /saw 0\.01 req\/s .*too little traffic to propose a load profile/);
  assert.doesNotMatch(quiet, /set the weights/);
});

test('Prometheus durations: units summed, anything else refused', () => {
  assert.equal(durationSeconds('15s'), 15);
  assert.equal(durationSeconds('1m30s'), 90);
  assert.equal(durationSeconds('500ms'), 0.5);
  assert.equal(durationSeconds('2h'), 7200);
  assert.equal(durationSeconds('15'), null);
  assert.equal(durationSeconds('1m x'), null);
});

const alertRules = (
  over: Partial<NonNullable<ObservabilityEvidence['alertRules']>> = {},
): NonNullable<ObservabilityEvidence['alertRules']> => ({
  fileName: 'perf-orchestrator-shop.yml',
  artifactId: '42',
  slos: [{ name: 'latency-p95', description: '95% of requests answered in 50 ms or less' }],
  rules: 11,
  groups: ['a', 'b'],
  notes: [],
  check: { ok: true, output: 'SUCCESS' },
  baselineTest: { ok: true, output: 'SUCCESS', firing: ['latency-p95 page 1h/5m'] },
  notInstallable: null,
  ...over,
});

test('the alert rules: installed by the tool with observability.rulesDir, a file to install by hand without; never when promtool refused them', () => {
  const withDir = profile({ observability: { prometheusUrl: 'http://127.0.0.1:9090', rulesDir: '/etc/prometheus/rules' } });
  const [auto] = analyze(evidence({ alertRules: alertRules() }), withDir).findings;
  assert.equal(auto.id, 'observability-alert-rules');
  assert.deepEqual(auto.action, {
    type: 'install_alert_rules',
    fileName: 'perf-orchestrator-shop.yml',
    artifactId: '42',
    slos: ['latency-p95'],
    rules: 11,
  });
  assert.match(auto.evidence.join('\n'), /baseline's measured behaviour passed: latency-p95 page 1h\/5m fire, as its figures say/);
  const [byHand] = analyze(
    evidence({ alertRules: alertRules({ notInstallable: 'the profile names no observability.rulesDir' }) }),
  ).findings;
  assert.equal(byHand.action.type, 'manual');
  const refusedDir = analyze(evidence({ alertRules: alertRules({ notInstallable: '/x is not in PERF_PROMETHEUS_RULES_DIRS' }) }), withDir);
  assert.equal(refusedDir.findings[0].action.type, 'manual', "the worker's operator did not allow the directory");
  assert.match(refusedDir.notes.join('\n'), /the alert rules are a manual item: \/x is not in PERF_PROMETHEUS_RULES_DIRS/);
  const refused = analyze(evidence({ alertRules: alertRules({ check: { ok: false, output: 'bad rule' }, artifactId: null }) }), withDir);
  assert.deepEqual(refused.findings, []);
  assert.match(refused.notes.join('\n'), /did not pass promtool check rules \(a bug to report\): bad rule/);
  const failedTest = analyze(evidence({ alertRules: alertRules({ baselineTest: { ok: false, output: 'FAILED', firing: [] } }) }), withDir);
  assert.deepEqual(failedTest.findings, []);
  const noSlo = analyze(evidence({ window: null, alertRules: alertRules({ slos: [], notes: ['no bucket edge ...'] }) }), withDir);
  assert.deepEqual(noSlo.findings, []);
  assert.deepEqual(noSlo.notes, ['no bucket edge ...']);
});

test("the installed file's groups: by its path, or by its name when Prometheus mounts the directory elsewhere", () => {
  const groups = [
    { name: 'a', file: '/etc/prometheus/rules/perf-orchestrator-shop.yml' },
    { name: 'b', file: '/etc/prometheus/rules/other.yml' },
  ];
  assert.deepEqual(
    groupsOfFile(groups, '/srv/prom-rules/perf-orchestrator-shop.yml').map((g) => g.name),
    ['a'],
    'the worker writes /srv/prom-rules, Prometheus reads /etc/prometheus/rules',
  );
  const both = [...groups, { name: 'c', file: '/srv/prom-rules/perf-orchestrator-shop.yml' }];
  assert.deepEqual(
    groupsOfFile(both, '/srv/prom-rules/perf-orchestrator-shop.yml').map((g) => g.name),
    ['c'],
    'the exact path first',
  );
  assert.deepEqual(groupsOfFile(groups, '/x/none.yml'), []);
});

test("the traffic read ends before the run's first load: the baseline's start, or, measured again, as many lengths earlier and a minute", () => {
  const w = { attempt: 1, startMs: 1_000_000, endMs: 1_012_000 };
  assert.equal(trafficReadEndS(w, 0), 999);
  assert.equal(trafficReadEndS({ ...w, attempt: 3 }, 0), 1000 - 2 * 12 - 60 - 1);
  assert.equal(trafficReadEndS(undefined, 5_000_500), 4999);
});

test("Prometheus's window is said untrustworthy when scrapes failed or the request counter went back", () => {
  const w = (health: WindowReading['health']) => ({ ...windowReading({}, {}), health });
  assert.doesNotMatch(
    analyze(evidence({ window: w({ scrapes: 30, failedScrapes: 0, counterResets: 0 }) })).notes.join('\n'),
    /failed|went back/,
  );
  const failed = analyze(evidence({ window: w({ scrapes: 6, failedScrapes: 6, counterResets: 0 }) })).notes.join('\n');
  assert.match(failed, /6 of 6 scrapes of job shop failed in the window .*here all of them: it has no figures of the window/);
  const reset = analyze(evidence({ window: w({ scrapes: 30, failedScrapes: 0, counterResets: 14 }) })).notes.join('\n');
  assert.match(reset, /went back 14 times in the window: several processes answer \/metrics .*not to be trusted/);
});

test('traffic labelled by handler names, not paths: no mix proposed, the names said', () => {
  const t = {
    lookbackHours: 6,
    coveredSeconds: 3600,
    atS: 1,
    routes: [
      { route: 'dcim-api:device-list', method: 'GET', rps: 0.7 },
      { route: 'ipam-api:ipaddress-list', method: 'GET', rps: 0.4 },
    ],
  };
  const notes = analyze(evidence({ traffic: t })).notes.join('\n');
  assert.match(
    notes,
    /production traffic by handler name, not path \(dcim-api:device-list 0\.7 req\/s, ipam-api:ipaddress-list 0\.4 req\/s\)/,
  );
  assert.doesNotMatch(notes, /list 0%|set the weights/, 'no false 0% shares');
});

test("no status label: the status counter's 5xx ratio is said; no route label: scrapes counted, said once", () => {
  const base = evidence().metrics!;
  const counted = {
    ...base,
    labels: { status: null, route: 'view', method: 'method' },
    statusCounter: { metric: 'responses_total', label: 'status' },
  };
  assert.match(
    analyze(evidence({ metrics: counted })).notes.join('\n'),
    /has no status label: the 5xx ratio \(and the errors SLO\) are read from responses_total/,
  );
  const bare = { ...base, labels: { status: null, route: null, method: null }, statusCounter: null };
  const notes = analyze(evidence({ metrics: bare })).notes;
  assert.equal(notes.filter((n) => /no status label/.test(n)).length, 1);
  assert.equal(notes.filter((n) => /no route label: Prometheus's own scrapes of \/metrics are counted/.test(n)).length, 1);
});

test('status counters: response/request counters, those naming a status first; sizes and exceptions left out', () => {
  assert.deepEqual(
    statusCounterCandidates([
      'django_http_requests_total_by_method_total',
      'django_http_responses_total_by_status_view_method_total',
      'django_http_responses_body_total_bytes_total',
      'django_http_exceptions_total_by_type_total',
      'django_http_requests_latency_seconds_by_view_method_count',
      'process_cpu_seconds_total',
    ]),
    ['django_http_responses_total_by_status_view_method_total', 'django_http_requests_total_by_method_total'],
  );
});

test('a job without process metrics is said: CPU and memory from the profiler only', () => {
  const bare = { ...evidence().metrics!, processCpuMetric: null, processRssMetric: null };
  assert.match(analyze(evidence({ metrics: bare })).notes.join('\n'), /job shop exports no process_cpu_seconds_total .*multiprocess/);
  assert.doesNotMatch(analyze(evidence()).notes.join('\n'), /exports no process_cpu_seconds_total/);
});
