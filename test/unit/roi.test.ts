// The cost-performance summary: the spec's ROI example, and no invented number without its inputs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTargetProfile, ProfileError } from '../../common/profile';
import { NO_SAVINGS_NOTE, optimizationSummary, type RoiInput } from '../../common/rules/roi';
import { OptimizationSummarySchema } from '../../common/contract-roi';

const improvement = {
  latency_p95_reduction_percent: 71,
  latency_p99_reduction_percent: 74,
  throughput_increase_percent: 140,
  error_rate_reduction_percent: 80,
};
const input = (over: Partial<RoiInput> = {}): RoiInput => ({
  improvement,
  keptEffortDays: 5,
  costs: { currency: 'USD', engineeringPerDay: 1000, businessValuePerMonth: 10_000 },
  targetsMet: true,
  monthlySavings: 2000,
  ...over,
});

test("the spec's example: $5k once, $2k a month saved and $10k a month of value -> 2.4x a month, 28.8x a year", () => {
  const s = OptimizationSummarySchema.parse(optimizationSummary(input()));
  assert.equal(s.cost.one_time, 5000);
  assert.equal(s.roi_per_month, 2.4);
  assert.equal(s.roi, 28.8);
  assert.equal(s.roi_period, 'year');
  assert.equal(s.roi_reason, null);
  assert.equal(s.targets_met, true);
  assert.deepEqual(s.total_improvement, improvement);
});

test('savings not computed yet: counted as 0 with a note, the ROI from the business value alone', () => {
  const s = optimizationSummary(input({ monthlySavings: null }));
  assert.equal(s.cost.monthly_savings, 0);
  assert.equal(s.cost.savings_note, NO_SAVINGS_NOTE);
  assert.equal(s.roi, 24); // 12 x 10k / 5k
});

test('without a business value, an engineering cost or a one-time cost: roi null, and the reason names the field', () => {
  const noValue = optimizationSummary(input({ costs: { currency: 'USD', engineeringPerDay: 1000 } }));
  assert.equal(noValue.roi, null);
  assert.equal(noValue.roi_per_month, null);
  assert.match(noValue.roi_reason!, /costs\.businessValuePerMonth/);
  const noRate = optimizationSummary(input({ costs: { currency: 'EUR', businessValuePerMonth: 10_000 } }));
  assert.equal(noRate.roi, null);
  assert.equal(noRate.cost.one_time, null);
  assert.match(noRate.roi_reason!, /costs\.engineeringPerDay/);
  assert.equal(noRate.cost.currency, 'EUR');
  const nothingKept = optimizationSummary(input({ keptEffortDays: 0 }));
  assert.equal(nothingKept.roi, null);
  assert.equal(nothingKept.cost.one_time, 0);
  assert.match(nothingKept.roi_reason!, /no change was applied and kept/);
  const noCosts = optimizationSummary(input({ costs: undefined }));
  assert.equal(noCosts.roi, null);
  assert.equal(noCosts.business_value_per_month, null);
});

const profile = (costs: unknown) => ({
  name: 'shop',
  http: { baseUrl: 'http://127.0.0.1:3100', endpoints: [{ name: 'list', path: '/products' }] },
  targets: { p95Ms: 20, p99Ms: 50, throughputRps: 500 },
  costs,
});

test('profile costs: optional, all three amounts read, unknown keys and negative amounts refused naming the field', () => {
  assert.equal(parseTargetProfile(profile(undefined)).costs, undefined);
  const c = parseTargetProfile(profile({ engineeringPerDay: 800, infrastructurePerMonth: 4000, businessValuePerMonth: 10_000 })).costs;
  assert.deepEqual(c, { currency: 'USD', engineeringPerDay: 800, infrastructurePerMonth: 4000, businessValuePerMonth: 10_000 });
  assert.throws(
    () => parseTargetProfile(profile({ businessValuePerMont: 1 })),
    (e: Error) =>
      e instanceof ProfileError && /costs: unknown key "businessValuePerMont": did you mean "businessValuePerMonth"\?/.test(e.message),
  );
  assert.throws(
    () => parseTargetProfile(profile({ engineeringPerDay: -5 })),
    (e: Error) => e instanceof ProfileError && /costs\.engineeringPerDay: must be 0 or more/.test(e.message),
  );
  assert.throws(
    () => parseTargetProfile(profile({ currency: 'dollars' })),
    (e: Error) => e instanceof ProfileError && /costs\.currency: use a three-letter currency code/.test(e.message),
  );
});

test('from a run record: the effort of the changes kept (not the undone one), the validated improvement, the ROI', async () => {
  const { runOptimizationSummary } = await import('../../common/contract-roi');
  const { compareRuns } = await import('../../common/compare');
  const { rankFindings } = await import('../../common/plan');
  const { minimalBaseline } = await import('../helpers/skill-request');
  const target = parseTargetProfile(profile({ engineeringPerDay: 1000, businessValuePerMonth: 500 }));
  const finding = (id: string, effortDays: number) => ({
    id,
    layer: 'caching' as const,
    rootCause: 'uncached_endpoint' as const,
    title: id,
    evidence: [],
    estimatedLatencyReductionMs: 5,
    effortDays,
    risk: 'low' as const,
    rollback: '-',
    source: 'test',
    action: { type: 'feature_toggle' as const, toggle: id, value: true },
  });
  const baseline = minimalBaseline({ throughputRps: 100 });
  const items = rankFindings([finding('kept', 0.5), finding('undone', 2), finding('never', 3)], baseline, target, ['caching']);
  const change = (itemId: string) => ({
    itemId,
    action: items[0].action,
    appliedAt: 'x',
    undo: { type: 'none' as const, why: '-' },
    details: '',
  });
  const s = runOptimizationSummary({
    input: { target, tier: 'auto', autoApprove: true, approvalTimeoutMs: 1000, onApprovalTimeout: 'end', requestedBy: 'test' },
    scope: ['caching'],
    timestamp: '2026-11-30T10:00:00-05:00',
    workflowId: 'perf-shop',
    runId: 'r',
    profiling: { baseline, database: null, cache: null, process: null, network: null, cpu: null, bottlenecks: [] },
    plan: { tier: 'T2', focus: [], items },
    decision: { kind: 'approved', itemIds: ['kept', 'undone'], by: 'test', auto: true },
    optimization: {
      applied: [change('kept'), change('undone')],
      failed: null,
      rolledBack: [{ itemId: 'undone', reason: 'test', ok: true, details: '' }],
    },
    validation: {
      after: baseline,
      comparison: compareRuns(
        { p95Ms: 40, p99Ms: 80, throughputRps: 200, errorRatePct: 0 },
        { p95Ms: 10, p99Ms: 20, throughputRps: 300, errorRatePct: 0 },
        target.targets,
      ),
      regressed: false,
      targetsMet: false,
      completed: ['after'],
      peak: null,
      stress: null,
      soak: null,
    },
    outcome: 'improved',
    escalationWorkflowId: null,
  });
  assert.equal(s.cost.effort_days, 0.5, 'only the change kept');
  assert.equal(s.cost.one_time, 500);
  assert.equal(s.roi, 12); // 12 x (0 + 500) / 500
  assert.equal(s.cost.savings_note, NO_SAVINGS_NOTE);
  assert.equal(s.total_improvement.latency_p95_reduction_percent, 75);
  assert.equal(s.total_improvement.throughput_increase_percent, 50);
  assert.equal(s.targets_met, false);
});
