import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildOutputContract, type RunRecord } from '../../common/contract';
import { compareRuns } from '../../common/compare';
import { OutputContractSchema } from '../../common/output-contract';
import { applyOrder, rankFindings } from '../../common/plan';
import { parseTargetProfile } from '../../common/profile';
import type { Finding, LoadTestSummary } from '../../common/types';

const target = parseTargetProfile({
  name: 'shop',
  http: { baseUrl: 'http://127.0.0.1:3100', endpoints: [{ name: 'list', path: '/products' }] },
  database: { urlEnv: 'SHOP_DATABASE_URL' },
  targets: { p95Ms: 20, p99Ms: 50, throughputRps: 500 },
  actions: { featureToggles: [{ name: 'batchLoading', fixes: 'n_plus_one' }], createIndexes: true },
});

function summary(id: string, p95: number, rps: number): LoadTestSummary {
  const latencyMs = { p50: p95 / 2, p90: p95 * 0.9, p95, p99: p95 * 2, max: p95 * 3, mean: p95 / 2 };
  return { id, phase: 'baseline', concurrency: 16, durationSeconds: 10, requests: rps * 10, errors: 0, errorRatePct: 0, throughputRps: rps, latencyMs, endpoints: [], errorKinds: {}, warmupRequests: 0 };
}

const findings: Finding[] = [
  {
    id: 'idx-public-products-category_id-created_at', layer: 'database', rootCause: 'missing_index', title: 'index products', evidence: ['seq scan'],
    estimatedLatencyReductionMs: 10, effortDays: 0.5, risk: 'low', rollback: 'DROP INDEX CONCURRENTLY', source: 'db',
    action: { type: 'create_index', schema: 'public', table: 'products', columns: [{ name: 'category_id' }, { name: 'created_at', desc: true }], indexName: 'perf_products_idx' },
  },
  {
    id: 'n1-1', layer: 'application', rootCause: 'n_plus_one', title: 'batch reviews', evidence: ['20 calls/request'],
    estimatedLatencyReductionMs: 4, effortDays: 0.25, risk: 'low', rollback: 'toggle back', source: 'db',
    action: { type: 'feature_toggle', toggle: 'batchLoading', value: true },
  },
  {
    id: 'manual-1', layer: 'caching', rootCause: 'cold_cache', title: 'warm the cache', evidence: [], estimatedLatencyReductionMs: 1,
    effortDays: 1, risk: 'low', rollback: '-', source: 'cache', action: { type: 'manual', steps: ['warm it'] },
  },
];

test('findings are ranked by impact score, scoped, and manual steps are never automatic', () => {
  const base = summary('1', 40, 200);
  const items = rankFindings(findings, base, target, ['database', 'application', 'caching']);
  assert.deepEqual(items.map((i) => i.id), ['idx-public-products-category_id-created_at', 'n1-1', 'manual-1']);
  assert.equal(items[0].impactScore, 4000); // 10 ms x 200 rps / 0.5 d
  assert.equal(items[0].estimatedGainPct, 50); // 10 ms of a 20 ms mean
  assert.equal(items[2].automatic, false);
  assert.deepEqual(rankFindings(findings, base, target, ['database']).map((i) => i.id), ['idx-public-products-category_id-created_at']);
  assert.deepEqual(applyOrder(items).map((i) => i.action.type), ['feature_toggle', 'create_index', 'manual']);
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
    profiling: { baseline, database: null, cache: null, process: null, network: null, bottlenecks: [] },
    plan: { tier: 'T3', focus: ['database'], items },
    decision: { kind: 'approved', itemIds: ['idx-public-products-category_id-created_at', 'n1-1'], by: 'test', auto: true },
    optimization: {
      applied: [
        { itemId: 'n1-1', action: items[1].action, appliedAt: 'x', undo: { type: 'set_toggle', toggle: 'batchLoading', value: false }, details: '' },
      ],
      failed: { itemId: 'idx-public-products-category_id-created_at', error: 'lock timeout' },
      rolledBack: [{ itemId: 'n1-1', reason: 'apply failed', ok: true, details: '' }],
    },
    validation: { after, comparison, regressed: false, targetsMet: true, completed: ['after', 'peak'], peak: null, stress: null, soak: null },
    outcome: 'apply_failed_rolled_back',
    escalationWorkflowId: null,
  };
  const c = OutputContractSchema.parse(buildOutputContract(record));
  assert.deepEqual(c.optimizations_implemented.map((o) => o.status), ['failed', 'rolled_back', 'manual']);
  assert.deepEqual(c.validation_results.load_testing_completed, ['baseline', 'after', 'peak']);
  assert.equal(c.validation_results.improvement_summary.p95_improvement_pct, 75);
  assert.match(c.optimizations_implemented[0].action, /^CREATE INDEX CONCURRENTLY "perf_products_idx" ON "public"."products" \("category_id", "created_at" DESC\)$/);
  assert.ok(c.next_steps.some((s) => /lock timeout/.test(s)));
  assert.deepEqual(Object.keys(c), [
    'orchestration_timestamp', 'target_system', 'optimization_scope', 'performance_targets', 'baseline_metrics', 'bottlenecks_identified',
    'optimizations_implemented', 'validation_results', 'monitoring_configured', 'regression_prevention', 'next_steps', 'sources_consulted',
  ]);
});

test('the contract rejects a timestamp without offset and unknown fields', () => {
  assert.throws(() => OutputContractSchema.parse({}));
  const shape = OutputContractSchema.shape.orchestration_timestamp;
  assert.equal(shape.safeParse('2026-11-28T21:04:05').success, false);
  assert.equal(shape.safeParse('2026-11-28T21:04:05-05:00').success, true);
});
