// The specification's validation and abort rules at their boundaries: target attainment (met,
// partial at >= 80% of the needed improvement, missed), the abort conditions after profiling, and
// the regression analysis's choice of endpoints.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareRuns } from '../../common/compare';
import { achievedSharePct, attainmentOf } from '../../common/rules/attainment';
import { abortAfterProfiling, costAboveValue } from '../../common/rules/abort';
import { regressionAnalysis, ENDPOINT_WORSE_PCT } from '../../common/rules/regression-analysis';
import { attributionPass, endpointRow } from '../helpers/attribution-fixture';
import { stageCheck, stageGroups } from '../../common/rules/stages';
import type { PlanItem } from '../../common/types';

const targets = { p95Ms: 100, p99Ms: 1000, throughputRps: 10, errorRatePct: 1 };
const m = (p95Ms: number, throughputRps = 50) => ({ p95Ms, p99Ms: 500, throughputRps, errorRatePct: 0 });

test('attainment: 80% of the needed improvement is partial, just under is missed, all met is met', () => {
  // Needed: 300 -> 100 = 200 ms. 80% = 160 ms: after 140 ms.
  assert.equal(attainmentOf(compareRuns(m(300), m(140), targets)).level, 'partial');
  assert.equal(attainmentOf(compareRuns(m(300), m(140.2), targets)).level, 'missed');
  assert.equal(attainmentOf(compareRuns(m(300), m(100), targets)).level, 'met');
  assert.deepEqual(attainmentOf(compareRuns(m(300), m(140), targets)).missed, [{ metric: 'p95Ms', achievedPct: 80 }]);
  // Throughput: needed 5 -> 10; 4 of 5 achieved = 80%.
  assert.equal(attainmentOf(compareRuns(m(50, 5), m(50, 9), targets)).level, 'partial');
  assert.equal(attainmentOf(compareRuns(m(50, 5), m(50, 8.9), targets)).level, 'missed');
});

test('attainment: a metric met before and missed after achieved 0%; a worse one never counts as progress', () => {
  const [p95] = compareRuns(m(90), m(120), targets);
  assert.equal(achievedSharePct(p95), 0);
  assert.equal(attainmentOf(compareRuns(m(300), m(400), targets)).missed[0].achievedPct, 0);
});

const baseline = (requests: number, errors: number, p95 = 50) => ({
  requests,
  errors,
  latencyMs: { p95, p99: 80 } as never,
  throughputRps: 20,
  errorRatePct: requests ? (100 * errors) / requests : 0,
});

test('abort: no answer or every request failed is no baseline, whatever the targets say', () => {
  assert.equal(abortAfterProfiling(baseline(0, 0), { ...targets, whenMetAtBaseline: 'continue' })?.kind, 'no_baseline');
  assert.match(abortAfterProfiling(baseline(40, 40), targets)!.why, /^no baseline: all 40 requests failed/);
  assert.equal(abortAfterProfiling(baseline(40, 39), { ...targets, errorRatePct: 100 })?.kind, 'targets_already_met');
});

test('abort: targets all met at baseline stop the run unless the profile says continue; one missed goes on', () => {
  assert.equal(abortAfterProfiling(baseline(100, 0, 100), targets)?.kind, 'targets_already_met');
  assert.equal(abortAfterProfiling(baseline(100, 0, 100.1), targets), null);
  assert.equal(abortAfterProfiling(baseline(100, 0, 50), { ...targets, whenMetAtBaseline: 'continue' }), null);
});

const endpoint = (name: string, p95: number) => endpointRow(name, { latencyMs: { p50: p95, p95, p99: p95, mean: p95 } });
const pass = attributionPass;

test(`regression analysis: endpoints ${ENDPOINT_WORSE_PCT}% and 1 ms slower are named, worst first; spread or unknown otherwise`, () => {
  const comparison = compareRuns(m(100), m(150), targets);
  const before = pass('baseline', [endpoint('GET a', 10), endpoint('GET b', 10), endpoint('GET c', 2)]);
  const after = pass('after', [endpoint('GET a', 12), endpoint('GET b', 30), endpoint('GET c', 2.9)]);
  const lines = regressionAnalysis(comparison, { before, after }, [{ itemId: 'x' } as never, { itemId: 'y' } as never]);
  assert.match(lines[0], /^regressed: p95Ms 100 -> 150 \(-50%\)/);
  assert.deepEqual(
    lines.filter((l) => l.startsWith('slower endpoint')),
    [
      'slower endpoint: GET b: p95 10 -> 30 ms (+200%), DB ms/request 1 -> 1',
      'slower endpoint: GET a: p95 10 -> 12 ms (+20%), DB ms/request 1 -> 1',
    ],
    'c rose 45% but under 1 ms',
  );
  assert.ok(lines.includes('next: apply them one at a time (approve by id) to find the one that regressed'));
  const spread = regressionAnalysis(comparison, { before, after: pass('after', before.endpoints) }, []);
  assert.match(spread[1], /spread over the mix/);
  assert.match(regressionAnalysis(comparison, undefined, [])[1], /^no per-endpoint passes after the changes/);
});

test('cost above value: the default-approved changes cost more than a year of the business value -> plan only', () => {
  const item = (id: string, effortDays: number) =>
    ({ id, effortDays, automatic: true, impactScore: 1, action: { type: 'feature_toggle' } }) as never;
  const plan = { tier: 'T1', focus: [], items: [item('a', 1), item('b', 0.5)] } as never;
  const costs = (engineeringPerDay?: number, businessValuePerMonth?: number) => ({
    currency: 'USD',
    engineeringPerDay,
    businessValuePerMonth,
  });
  // 1.5 days x 800 = 1200 vs 12 x 100 = 1200: not above.
  assert.equal(costAboveValue(plan, costs(800, 100)), null);
  assert.match(
    costAboveValue(plan, costs(800, 99.99))!,
    /^plan only: its changes cost 1200 USD \(1\.5 engineer-days x 800\) and are worth 1199\.88 USD a year/,
  );
  assert.equal(costAboveValue(plan, costs(800, undefined)), null, 'no value given: never');
  assert.equal(costAboveValue(plan, costs(undefined, 1)), null, 'no cost given: never');
  assert.equal(costAboveValue(plan, undefined), null);
});

test('stages: high, medium, low groups in order, empty ones left out; a plan without priorities is one group', () => {
  const it = (id: string, priority?: 'high' | 'medium' | 'low', type = 'feature_toggle') =>
    ({ id, priority, action: { type } }) as never as PlanItem;
  assert.deepEqual(
    stageGroups([it('a', 'low'), it('b', 'high'), it('c', 'low')]).map((g) => [g.priority, g.items.map((i) => i.id)]),
    [
      ['high', ['b']],
      ['low', ['a', 'c']],
    ],
  );
  assert.deepEqual(
    stageGroups([it('a'), it('b', 'high')]).map((g) => g.priority),
    ['all'],
  );
  assert.deepEqual(stageGroups([]), []);
  // Alert rules are no performance stage: with the first group, whatever their priority.
  const rules = it('r', 'low', 'install_alert_rules');
  assert.deepEqual(
    stageGroups([it('a', 'low'), rules, it('b', 'medium')]).map((g) => [g.priority, g.items.map((i) => i.id)]),
    [
      ['medium', ['b', 'r']],
      ['low', ['a']],
    ],
  );
  assert.deepEqual(
    stageGroups([rules]).map((g) => [g.priority, g.items.map((i) => i.id)]),
    [['low', ['r']]],
  );
  const summary = { id: 'lt-1', latencyMs: { p95: 40, p99: 90 }, throughputRps: 20, errorRatePct: 0 } as never;
  const check = stageCheck({ priority: 'high', items: [it('b', 'high')] }, summary, { ...targets, p95Ms: 40 });
  assert.equal(check.targetsMet, true, 'p95 at the target meets it');
  assert.equal(stageCheck({ priority: 'high', items: [] }, summary, { ...targets, p95Ms: 39.9 }).targetsMet, false);
});
