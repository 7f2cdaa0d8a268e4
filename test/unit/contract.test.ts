import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildOutputContract, describeAction, type RunRecord } from '../../common/contract';
import { compareRuns } from '../../common/compare';
import { OutputContractSchema } from '../../common/output-contract';
import { applyOrder, defaultApprovalIds, rankFindings } from '../../common/plan';
import { parseTargetProfile } from '../../common/profile';
import type { CpuProfileSummary, Finding, LoadTestSummary, NetworkProfile, ProcessProfile } from '../../common/types';
import { profileSection, rate, summary as renderSummary } from '../../client/render';

const target = parseTargetProfile({
  name: 'shop',
  http: { baseUrl: 'http://127.0.0.1:3100', endpoints: [{ name: 'list', path: '/products' }] },
  database: { urlEnv: 'SHOP_DATABASE_URL' },
  targets: { p95Ms: 20, p99Ms: 50, throughputRps: 500 },
  actions: { featureToggles: [{ name: 'batchLoading', fixes: 'n_plus_one' }], createIndexes: true },
});

function summary(id: string, p95: number, rps: number): LoadTestSummary {
  const latencyMs = { p50: p95 / 2, p90: p95 * 0.9, p95, p99: p95 * 2, max: p95 * 3, mean: p95 / 2 };
  return {
    id,
    phase: 'baseline',
    concurrency: 16,
    durationSeconds: 10,
    requests: rps * 10,
    errors: 0,
    errorRatePct: 0,
    throughputRps: rps,
    latencyMs,
    endpoints: [],
    errorKinds: {},
    warmupRequests: 0,
  };
}

const findings: Finding[] = [
  {
    id: 'idx-public-products-category_id-created_at',
    layer: 'database',
    rootCause: 'missing_index',
    title: 'index products',
    evidence: ['seq scan'],
    estimatedLatencyReductionMs: 10,
    effortDays: 0.5,
    risk: 'low',
    rollback: 'DROP INDEX CONCURRENTLY',
    source: 'db',
    action: {
      type: 'create_index',
      schema: 'public',
      table: 'products',
      columns: [{ name: 'category_id' }, { name: 'created_at', desc: true }],
      indexName: 'perf_products_idx',
    },
  },
  {
    id: 'n1-1',
    layer: 'application',
    rootCause: 'n_plus_one',
    title: 'batch reviews',
    evidence: ['20 calls/request'],
    estimatedLatencyReductionMs: 4,
    effortDays: 0.25,
    risk: 'low',
    rollback: 'toggle back',
    source: 'db',
    action: { type: 'feature_toggle', toggle: 'batchLoading', value: true },
  },
  {
    id: 'manual-1',
    layer: 'caching',
    rootCause: 'cold_cache',
    title: 'warm the cache',
    evidence: [],
    estimatedLatencyReductionMs: 1,
    effortDays: 1,
    risk: 'low',
    rollback: '-',
    source: 'cache',
    action: { type: 'manual', steps: ['warm it'] },
  },
];

test('findings are ranked by impact score, scoped, and manual steps are never automatic', () => {
  const base = summary('1', 40, 200);
  const items = rankFindings(findings, base, target, ['database', 'application', 'caching']);
  assert.deepEqual(
    items.map((i) => i.id),
    ['idx-public-products-category_id-created_at', 'n1-1', 'manual-1'],
  );
  assert.equal(items[0].impactScore, 4000); // 10 ms x 200 rps / 0.5 d
  assert.equal(items[0].estimatedGainPct, 50); // 10 ms of a 20 ms mean
  assert.equal(items[2].automatic, false);
  assert.deepEqual(
    rankFindings(findings, base, target, ['database']).map((i) => i.id),
    ['idx-public-products-category_id-created_at'],
  );
  assert.deepEqual(
    applyOrder(items).map((i) => i.action.type),
    ['feature_toggle', 'create_index', 'manual'],
  );
});

test('index drops are approvable only by id: never in the default approval, applied after new indexes', () => {
  const drop: Finding = {
    id: 'db-unused-index-public-old_idx',
    layer: 'database',
    rootCause: 'unused_index',
    title: 'unused index public.old_idx',
    evidence: [],
    estimatedLatencyReductionMs: 0,
    effortDays: 0.1,
    risk: 'medium',
    rollback: 'CREATE INDEX CONCURRENTLY old_idx ON public.products USING btree (price);',
    source: 'db',
    action: {
      type: 'drop_index',
      schema: 'public',
      table: 'products',
      indexName: 'old_idx',
      definition: 'CREATE INDEX old_idx ON public.products USING btree (price)',
    },
  };
  const items = rankFindings([...findings, drop], summary('1', 40, 200), target, ['database', 'application', 'caching']);
  const dropItem = items.find((i) => i.id === drop.id)!;
  assert.equal(dropItem.automatic, true, 'the tool can apply it...');
  assert.deepEqual(
    defaultApprovalIds({ tier: 'T2', focus: ['database'], items }),
    ['idx-public-products-category_id-created_at', 'n1-1'],
    '...but only when approved by id',
  );
  assert.deepEqual(
    applyOrder(items.filter((i) => i.automatic)).map((i) => i.action.type),
    ['feature_toggle', 'create_index', 'drop_index'],
  );
  const noDdl = parseTargetProfile({ ...target, actions: { ...target.actions, createIndexes: false } });
  assert.equal(
    rankFindings([drop], summary('1', 40, 200), noDdl, ['database'])[0].automatic,
    false,
    'createIndexes: false makes index DDL manual',
  );
});

test('a run record becomes a valid output contract with the item statuses it implies', () => {
  const baseline = summary('1', 40, 200);
  const after = { ...summary('2', 10, 600), phase: 'after' as const };
  const items = rankFindings(findings, baseline, target, ['database', 'application', 'caching']);
  const comparison = compareRuns(
    { p95Ms: 40, p99Ms: 80, throughputRps: 200, errorRatePct: 0 },
    { p95Ms: 10, p99Ms: 20, throughputRps: 600, errorRatePct: 0 },
    target.targets,
  );
  const record: RunRecord = {
    input: { target, tier: 'auto', autoApprove: true, approvalTimeoutMs: 1000, onApprovalTimeout: 'end', requestedBy: 'test' },
    scope: ['database', 'application', 'caching'],
    timestamp: '2026-11-28T21:04:05-05:00',
    workflowId: 'perf-shop',
    runId: 'abcdef0123456789',
    profiling: { baseline, database: null, cache: null, process: null, network: null, cpu: null, bottlenecks: [] },
    plan: { tier: 'T3', focus: ['database'], items },
    decision: { kind: 'approved', itemIds: ['idx-public-products-category_id-created_at', 'n1-1'], by: 'test', auto: true },
    optimization: {
      applied: [
        {
          itemId: 'n1-1',
          action: items[1].action,
          appliedAt: 'x',
          undo: { type: 'set_toggle', toggle: 'batchLoading', value: false },
          details: '',
        },
      ],
      failed: { itemId: 'idx-public-products-category_id-created_at', error: 'lock timeout' },
      rolledBack: [{ itemId: 'n1-1', reason: 'apply failed', ok: true, details: '' }],
    },
    validation: {
      after,
      comparison,
      regressed: false,
      targetsMet: true,
      completed: ['after', 'peak'],
      peak: null,
      stress: null,
      soak: null,
    },
    outcome: 'apply_failed_rolled_back',
    escalationWorkflowId: null,
  };
  const c = OutputContractSchema.parse(buildOutputContract(record));
  assert.deepEqual(
    c.optimizations_implemented.map((o) => [o.state, o.status]),
    [
      ['failed', 'failed'],
      ['rolled_back', 'rolled_back'],
      ['manual', 'planned'],
    ],
  );
  assert.deepEqual(c.validation_results.load_tests_run, ['baseline', 'after', 'peak']);
  assert.equal(c.validation_results.load_testing_completed, true);
  assert.equal(c.validation_results.improvement_summary.latency_p95_reduction_percent, 75);
  assert.equal(c.validation_results.improvement_summary.latency_p99_reduction_percent, 75);
  assert.equal(c.validation_results.improvement_summary.throughput_increase_percent, 200);
  assert.equal(c.validation_results.improvement_summary.error_rate_reduction_percent, 0);
  assert.match(
    c.optimizations_implemented[0].action,
    /^CREATE INDEX CONCURRENTLY "perf_products_idx" ON "public"."products" \("category_id", "created_at" DESC\)$/,
  );
  assert.ok(c.next_steps.some((s) => /lock timeout/.test(s)));
  // What became of the failed build's leftover, and a rollback that failed, are next steps.
  const withLeftover = buildOutputContract({
    ...record,
    optimization: {
      ...record.optimization!,
      rolledBack: [
        { itemId: 'n1-1', reason: 'apply failed', ok: false, details: 'rollback failed: HTTP 500' },
        {
          itemId: 'idx-public-products-category_id-created_at',
          reason: 'apply failed',
          ok: true,
          details: 'INVALID leftover x dropped after 3 attempts',
        },
      ],
    },
  });
  assert.ok(withLeftover.next_steps.includes('idx-public-products-category_id-created_at: INVALID leftover x dropped after 3 attempts'));
  assert.ok(withLeftover.next_steps.includes('rolling back n1-1 failed: rollback failed: HTTP 500'));
  assert.equal(withLeftover.optimizations_implemented[0].status, 'failed', 'the leftover entry does not make the failed item rolled back');
  // Without a CPU profile, process metrics or network probes, the nested profile fields are empty.
  assert.deepEqual(c.baseline_metrics.hot_functions, []);
  assert.equal(c.baseline_metrics.cpu_profile, null);
  assert.equal(c.baseline_metrics.process, null);
  assert.equal(c.baseline_metrics.host, null);
  assert.deepEqual(c.baseline_metrics.http_timing, []);
  assert.match(renderSummary(c), /CPU profile: none \(set process\.inspectorUrl/);
  assert.deepEqual(Object.keys(c), [
    'orchestration_timestamp',
    'target_system',
    'target_system_details',
    'optimization_scope',
    'performance_targets',
    'baseline_metrics',
    'bottlenecks_identified',
    'optimizations_implemented',
    'validation_results',
    'monitoring_configured',
    'monitoring_recommendations',
    'regression_prevention',
    'regression_prevention_plan',
    'optimization_summary',
    'next_steps',
    'sources_consulted',
    'data_sources',
  ]);
  // Every change was undone: nothing kept, no one-time cost, no ROI (and no invented improvement).
  assert.equal(c.optimization_summary?.cost.effort_days, 0);
  assert.equal(c.optimization_summary?.total_improvement.latency_p95_reduction_percent, null);
  assert.equal(c.optimization_summary?.roi, null);
  assert.match(c.optimization_summary?.roi_reason ?? '', /costs\.businessValuePerMonth/);
  assert.match(renderSummary(c), /cost-performance: one-time cost 0 engineer-days; ROI: none \(no business value/);
});

test('the contract rejects a timestamp without offset and unknown fields', () => {
  assert.throws(() => OutputContractSchema.parse({}));
  const shape = OutputContractSchema.shape.orchestration_timestamp;
  assert.equal(shape.safeParse('2026-11-28T21:04:05').success, false);
  assert.equal(shape.safeParse('2026-11-28T21:04:05-05:00').success, true);
});

test('the profiling step (CPU profile, process and host metrics, HTTP timing) is in baseline_metrics and the summary', () => {
  const baseline = summary('1', 40, 200);
  const cpu: CpuProfileSummary = {
    inspectorUrl: 'http://127.0.0.1:9229',
    pid: 4242,
    runtime: 'node v20.20.2',
    artifactId: '17',
    file: '/srv/reports/profiles/shop-1.cpuprofile',
    durationMs: 10_040,
    samples: 9876,
    samplingIntervalUs: 1000,
    thresholdPct: 5,
    busyPct: 43.5,
    gcPct: 2.25,
    functions: [
      { functionName: 'burnCpuHot', url: 'file:///srv/demo/server/app.ts', lineNumber: 42, selfPct: 31.25, totalPct: 40.5, hot: true },
      { functionName: 'parse', url: '', lineNumber: 0, selfPct: 1.5, totalPct: 3, hot: false },
    ],
    eventLoopDelayMs: { p50Ms: 10.1, p99Ms: 48.2, maxMs: 61, meanMs: 12.3 },
    problems: [],
  };
  const process: ProcessProfile = {
    pid: 4242,
    cpuPctAvg: 45.5,
    cpuPctMax: 80,
    rssMbMax: 120.25,
    openFdsMax: 40,
    hostCpuPctAvg: 61.2,
    hostMemUsedPct: 45.1,
    loadAvg1: 1.93,
    hostIo: {
      diskReadBytesPerSec: 0,
      diskWriteBytesPerSec: 1_258_291,
      netRxBytesPerSec: 1024,
      netTxBytesPerSec: 2048,
      loopbackBytesPerSec: 2_411_724,
    },
    samples: 12,
  };
  const network: NetworkProfile = {
    connectMsAvg: 0.4,
    ttfbMsAvg: 30,
    samples: 6,
    endpoints: [
      {
        name: 'list',
        method: 'GET',
        samples: 3,
        errors: 0,
        status: 200,
        connectMsAvg: 0.5,
        ttfbMsAvg: 50.25,
        transferMsAvg: 0.75,
        totalMsAvg: 51,
      },
      {
        name: 'create',
        method: 'POST',
        samples: 2,
        errors: 1,
        status: 201,
        connectMsAvg: 0.3,
        ttfbMsAvg: 9.75,
        transferMsAvg: 0.2,
        totalMsAvg: 10,
        error: 'timeout',
      },
    ],
  };
  const record: RunRecord = {
    input: { target, tier: 'auto', autoApprove: true, approvalTimeoutMs: 1000, onApprovalTimeout: 'end', requestedBy: 'test' },
    scope: ['application'],
    timestamp: '2026-11-28T21:04:05-05:00',
    workflowId: 'perf-shop',
    runId: 'r1',
    profiling: { baseline, database: null, cache: null, process, network, cpu, bottlenecks: [] },
    plan: { tier: 'T1', focus: [], items: [] },
    decision: { kind: 'approved', itemIds: [], by: 'test', auto: true },
    optimization: null,
    validation: null,
    outcome: 'nothing_to_apply',
    escalationWorkflowId: null,
  };
  const c = OutputContractSchema.parse(buildOutputContract(record));
  const b = c.baseline_metrics;
  assert.deepEqual(b.hot_functions[0], {
    function: 'burnCpuHot',
    location: 'file:///srv/demo/server/app.ts:42',
    self_pct: 31.25,
    total_pct: 40.5,
    hot: true,
  });
  assert.equal(b.hot_functions[1].location, '(native)');
  assert.deepEqual(b.cpu_profile, {
    artifact_id: '17',
    file: '/srv/reports/profiles/shop-1.cpuprofile',
    samples: 9876,
    duration_s: 10,
    busy_pct: 43.5,
    gc_pct: 2.25,
    threshold_pct: 5,
    problems: [],
  });
  assert.deepEqual(b.process, {
    pid: 4242,
    cpu_pct_avg: 45.5,
    cpu_pct_max: 80,
    rss_mb_max: 120.25,
    open_fds_max: 40,
    event_loop_delay_ms: { p50: 10.1, p99: 48.2, max: 61, mean: 12.3 },
  });
  assert.equal(b.host!.disk_write_bytes_per_s, 1_258_291);
  assert.equal(b.host!.load_avg_1, 1.93);
  assert.deepEqual(
    b.http_timing.map((e) => [e.endpoint, e.connect_ms, e.ttfb_ms, e.transfer_ms]),
    [
      ['list', 0.5, 50.25, 0.75],
      ['create', 0.3, 9.75, 0.2],
    ],
  );
  assert.ok(c.data_sources.some((s) => /CPU profile through the Node\.js inspector \(9876 samples\)/.test(s)));
  assert.ok(c.sources_consulted.includes('https://nodejs.org/api/inspector.html (accessed 2026-11-30)'), c.sources_consulted.join('\n'));
  // Unknown nested fields are still refused where the contract is strict, and the new ones are required.
  const { hot_functions: _dropped, ...withoutHot } = b;
  assert.equal(OutputContractSchema.safeParse({ ...c, baseline_metrics: withoutHot }).success, false);

  const text = profileSection(c).join('\n');
  assert.match(text, /\* burnCpuHot\s+app\.ts:42\s+31\.3\s+40\.5/);
  assert.match(
    text,
    /CPU profile: 9876 samples over 10 s, main thread busy 43\.5% \(samples not idle\), GC 2\.3%; file \/srv\/reports\/profiles\/shop-1\.cpuprofile, store artifact 17/,
  );
  assert.match(
    text,
    /process: pid 4242, CPU 45\.5% of a core \(\/proc, all threads; max 80%\), RSS max 120\.3 MB, open fds max 40, event-loop delay p99 48\.2 ms \(p50 10\.1, max 61\)/,
  );
  assert.match(
    text,
    /host: CPU 61\.2%, load 1\.9, memory 45\.1% used, disk read 0 B\/s write 1\.2 MB\/s, net rx 1 KB\/s tx 2 KB\/s, loopback 2\.3 MB\/s/,
  );
  assert.match(text, /GET list\s+0\.5\s+50\.3\s+0\.8\s+51\s+3/);
  assert.match(text, /POST create .* 2 \(1 failed\)/);
  assert.match(renderSummary(c), /profile \(baseline load\):/);
  assert.equal(rate(null), 'n/a');
  assert.equal(rate(1536), '1.5 KB/s');
});

test('a py-spy profile: shares of a core over the workers, native code named with its caller, the processes summed', () => {
  const cpu: CpuProfileSummary = {
    profiler: 'py-spy',
    pid: 300,
    pids: [301, 302, 303],
    runtime: 'python3.11',
    artifactId: '18',
    file: '/srv/reports/profiles/blog-1.speedscope.json',
    durationMs: 10_000,
    samples: 2400,
    samplingIntervalUs: 10_000,
    thresholdPct: 5,
    busyPct: 240,
    gcPct: 0,
    functions: [
      { functionName: 'render', url: '/srv/app/views.py', lineNumber: 12, selfPct: 150, totalPct: 200, hot: true },
      {
        functionName: 'send',
        url: '/usr/lib/x86_64-linux-gnu/libc.so.6',
        lineNumber: 0,
        selfPct: 30,
        totalPct: 30,
        hot: false,
        calledFrom: '_SocketWriter.write /usr/lib/python3.11/socketserver.py:830',
      },
    ],
    eventLoopDelayMs: null,
    problems: [],
  };
  const process: ProcessProfile = {
    pid: 300,
    pids: [300, 301, 302, 303],
    cpuPctAvg: 250,
    cpuPctMax: 290,
    rssMbMax: 400,
    openFdsMax: 80,
    hostCpuPctAvg: 90,
    hostMemUsedPct: 40,
    loadAvg1: 3,
    hostIo: null,
    samples: 10,
  };
  const record: RunRecord = {
    input: { target, tier: 'auto', autoApprove: true, approvalTimeoutMs: 1000, onApprovalTimeout: 'end', requestedBy: 'test' },
    scope: ['application'],
    timestamp: '2026-11-28T21:04:05-05:00',
    workflowId: 'perf-shop',
    runId: 'r1',
    profiling: { baseline: summary('1', 40, 200), database: null, cache: null, process, network: null, cpu, bottlenecks: [] },
    plan: { tier: 'T1', focus: [], items: [] },
    decision: { kind: 'approved', itemIds: [], by: 'test', auto: true },
    optimization: null,
    validation: null,
    outcome: 'nothing_to_apply',
    escalationWorkflowId: null,
  };
  const c = OutputContractSchema.parse(buildOutputContract(record));
  const b = c.baseline_metrics;
  assert.equal(b.hot_functions[1].location, '(native, called from _SocketWriter.write /usr/lib/python3.11/socketserver.py:830)');
  assert.equal(b.hot_functions[1].hot, false);
  assert.equal(b.cpu_profile!.profiler, 'py-spy');
  assert.deepEqual(b.cpu_profile!.pids, [301, 302, 303]);
  assert.equal(b.process!.processes, 4);
  assert.ok(c.data_sources.includes('CPU profile with py-spy (2400 samples)'));
  assert.ok(c.sources_consulted.includes('https://github.com/benfred/py-spy (accessed 2026-11-30)'), c.sources_consulted.join('\n'));
  const text = profileSection(c).join('\n');
  assert.match(text, /hot functions \(self \/ total, % of one core over the window, summed over 3 processes;/);
  assert.match(text, /\* render\s+views\.py:12\s+150\s+200/);
  assert.match(text, / {2}send\s+\(native, called from _SocketWriter\.write .*socketserver\.py:830\)\s+30/);
  assert.match(text, /CPU profile: 2400 samples over 10 s, Python threads busy 240% of a core \(py-spy\); file /);
  assert.match(text, /process: pid 300 \(4 processes: master and workers, summed\), CPU 250% of a core/);
});

test('an index action reads as the exact statement, INCLUDE columns too', () => {
  assert.equal(
    describeAction({
      type: 'create_index',
      schema: 'public',
      table: 'orders',
      columns: [{ name: 'customer_id' }, { name: 'created_at', desc: true }],
      indexName: 'i',
      include: ['total'],
    }),
    'CREATE INDEX CONCURRENTLY "i" ON "public"."orders" ("customer_id", "created_at" DESC) INCLUDE ("total")',
  );
});

test("the skills' notes reach the report's next steps, at most 15 of them", () => {
  const baseline = summary('1', 40, 200);
  const record = (notes: string[] | undefined): RunRecord => ({
    input: { target, tier: 'auto', autoApprove: true, approvalTimeoutMs: 1000, onApprovalTimeout: 'end', requestedBy: 'test' },
    scope: ['database'],
    timestamp: '2026-11-28T21:04:05-05:00',
    workflowId: 'perf-shop',
    runId: 'r1',
    profiling: { baseline, database: null, cache: null, process: null, network: null, cpu: null, bottlenecks: [] },
    plan: { tier: 'T1', focus: [], items: [], ...(notes ? { notes } : {}) },
    decision: { kind: 'approved', itemIds: [], by: 'perf-orchestrator', auto: true },
    optimization: null,
    validation: null,
    outcome: 'nothing_to_apply',
    escalationWorkflowId: null,
  });
  const two = buildOutputContract(record(['database-optimization-analyzer: hypopg is not installed', 'cache-analyzer skipped: no redis']));
  assert.deepEqual(two.next_steps.slice(-2), [
    'analysis note: database-optimization-analyzer: hypopg is not installed',
    'analysis note: cache-analyzer skipped: no redis',
  ]);
  const many = buildOutputContract(record(Array.from({ length: 20 }, (_, i) => `note ${i}`)));
  const shown = many.next_steps.filter((n) => n.startsWith('analysis note: '));
  assert.equal(shown.length, 15);
  assert.match(many.next_steps.at(-1)!, /and 5 more analysis notes/);
  // Plans recorded before notes existed have none.
  assert.ok(buildOutputContract(record(undefined)).next_steps.every((n) => !/analysis note/.test(n)));
});

test("a load test the run's request budget cut short is named in the next steps", () => {
  const record = (baseline: ReturnType<typeof summary>): RunRecord => ({
    input: { target, tier: 'auto', autoApprove: true, approvalTimeoutMs: 1000, onApprovalTimeout: 'end', requestedBy: 'test' },
    scope: ['database'],
    timestamp: '2026-11-28T21:04:05-05:00',
    workflowId: 'perf-shop',
    runId: 'r1',
    profiling: { baseline, database: null, cache: null, process: null, network: null, cpu: null, bottlenecks: [] },
    plan: { tier: 'T1', focus: [], items: [] },
    decision: { kind: 'approved', itemIds: [], by: 'perf-orchestrator', auto: true },
    optimization: null,
    validation: null,
    outcome: 'nothing_to_apply',
    escalationWorkflowId: null,
  });
  const cut = buildOutputContract(record({ ...summary('1', 40, 200), runBudgetSpent: true }));
  assert.ok(
    cut.next_steps.some((s) => /^load budget: the baseline load test\(s\) stopped early, .*PERF_MAX_RUN_REQUESTS/.test(s)),
    cut.next_steps.join('\n'),
  );
  assert.ok(buildOutputContract(record(summary('1', 40, 200))).next_steps.every((s) => !/load budget/.test(s)));
});
