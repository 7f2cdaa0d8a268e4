// Extensions the worker created were left behind and listed nowhere (issue 11): the report names each.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createdExtensionStep } from '../../common/created-extensions';

test('a created extension reads as what, where and how to drop it', () => {
  assert.equal(
    createdExtensionStep({ name: 'pg_stat_statements', database: 'shop', schema: 'public' }),
    'created extension pg_stat_statements in database "shop" (schema public); it stays for later runs: ' +
      'drop it with DROP EXTENSION pg_stat_statements; in that database when no run is under way',
  );
});

test("the run's created extensions are in the report's next steps, before the analysis notes", async () => {
  const { buildOutputContract } = await import('../../common/contract');
  const { parseTargetProfile } = await import('../../common/profile');
  const target = parseTargetProfile({
    name: 'shop',
    http: { baseUrl: 'http://127.0.0.1:3100', endpoints: [{ name: 'list', path: '/products' }] },
    database: { urlEnv: 'SHOP_DATABASE_URL' },
    targets: { p95Ms: 20, p99Ms: 50, throughputRps: 500 },
  });
  const latencyMs = { p50: 10, p90: 18, p95: 20, p99: 40, max: 60, mean: 10 };
  const baseline = {
    id: '1',
    phase: 'baseline' as const,
    concurrency: 16,
    durationSeconds: 10,
    requests: 2000,
    errors: 0,
    errorRatePct: 0,
    throughputRps: 200,
    latencyMs,
    endpoints: [],
    errorKinds: {},
    warmupRequests: 0,
  };
  const database = {
    available: true,
    problems: [],
    extensions: { pgStatStatements: true, hypopg: true },
    createdExtensions: [{ name: 'pg_stat_statements', database: 'shop', schema: 'public' }],
    windowRequests: 2000,
    dbTimeMs: 100,
    dbShareOfLatencyPct: 10,
    topStatements: [],
  };
  const c = buildOutputContract({
    input: { target, tier: 'auto', autoApprove: true, approvalTimeoutMs: 1000, onApprovalTimeout: 'end', requestedBy: 'test' },
    scope: ['database'],
    timestamp: '2026-11-28T21:04:05-05:00',
    workflowId: 'perf-shop',
    runId: 'r1',
    profiling: { baseline, database, cache: null, process: null, network: null, cpu: null, bottlenecks: [] },
    plan: { tier: 'T1', focus: [], items: [], notes: ['database-optimization-analyzer: a note'] },
    decision: { kind: 'approved', itemIds: [], by: 'perf-orchestrator', auto: true },
    optimization: null,
    validation: null,
    outcome: 'nothing_to_apply',
    escalationWorkflowId: null,
  });
  assert.deepEqual(c.next_steps.slice(-2), [
    createdExtensionStep({ name: 'pg_stat_statements', database: 'shop', schema: 'public' }),
    'analysis note: database-optimization-analyzer: a note',
  ]);
});
