// The specification's tier selection, priorities, effort table and top-5 default, at their boundaries.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isQuickFix, specAutoTier, tierFromInventory, type InventoryItem } from '../../common/decisions';
import { defaultApprovalIds, leadWithFocus, rankFindings } from '../../common/plan';
import { parseTargetProfile, type Layer } from '../../common/profile';
import { EFFORT, indexEffortDays, indexEffortKind } from '../../common/rules/effort';
import { TOP_ITEMS, impactSharePct, priorityOf } from '../../common/rules/priority';
import type { Finding, PlanItem } from '../../common/types';
import { minimalBaseline } from '../helpers/skill-request';

const item = (layer: Layer, over: Partial<InventoryItem> = {}): InventoryItem => ({
  layer,
  estimatedLatencyReductionMs: 5,
  effortDays: 0.25,
  automatic: true,
  ...over,
});
const all: Layer[] = ['application', 'database', 'caching', 'infrastructure', 'network'];

test('T1: one bottleneck with a quick fix (automatic, at most a day), and nothing else at fault', () => {
  assert.equal(tierFromInventory([item('database')], []), 'T1');
  assert.equal(tierFromInventory([item('database')], ['database']), 'T1');
  assert.equal(tierFromInventory([item('database', { effortDays: 1 })], []), 'T1', '1 day is still a quick fix');
  // Hygiene items (no estimated gain) are not bottlenecks: they change nothing.
  assert.equal(tierFromInventory([item('database'), item('database', { estimatedLatencyReductionMs: 0 })], []), 'T1');
  // Nothing found and no layer pointed at: nothing to go deeper on.
  assert.equal(tierFromInventory([], []), 'T1');
});

test('T2: one bottleneck without a quick fix, several in at most two layers, or a focus layer with no fix found', () => {
  assert.equal(tierFromInventory([item('database', { effortDays: 1.01 })], []), 'T2');
  assert.equal(tierFromInventory([item('database', { automatic: false })], []), 'T2', 'manual: not a quick fix');
  assert.equal(tierFromInventory([item('database'), item('database')], []), 'T2');
  assert.equal(tierFromInventory([item('database'), item('caching')], []), 'T2');
  assert.equal(tierFromInventory([item('database')], ['caching']), 'T2', 'the rules point at a second layer');
  assert.equal(tierFromInventory([], ['application']), 'T2', 'a bottleneck without a fix');
});

test('T3: three layers or more at fault (bottlenecks and focus layers together)', () => {
  assert.equal(tierFromInventory([item('database'), item('caching'), item('application')], []), 'T3');
  assert.equal(tierFromInventory([item('database')], ['caching', 'network']), 'T3');
  assert.equal(tierFromInventory([item('database'), item('caching', { estimatedLatencyReductionMs: 0 })], ['network']), 'T2');
});

test('T4: targets out of reach by tuning (a gap beyond 5x) or an architectural finding in scope; else the inventory decides', () => {
  const targets = { p95Ms: 100, p99Ms: 200, throughputRps: 10, errorRatePct: 1 };
  const at = (p95: number) => minimalBaseline({ latencyMs: { p50: 1, p90: 1, p95, p99: 1, max: 1, mean: 1 }, throughputRps: 100 });
  const one = [item('database')];
  assert.equal(specAutoTier(at(500), targets, [], one, [], all), 'T1', '5x is not beyond 5x');
  assert.equal(specAutoTier(at(501), targets, [], one, [], all), 'T4');
  assert.equal(specAutoTier(at(300), targets, [], [item('database'), item('caching')], [], all), 'T2', 'no gap rule below 5x');
  const partition = [{ layer: 'database' as const, architectural: true }];
  assert.equal(specAutoTier(at(110), targets, [], one, partition, ['database']), 'T4');
  assert.equal(specAutoTier(at(110), targets, [], one, partition, ['caching']), 'T1', 'out of scope: no T4');
});

test('quick fix: automatic and at most a day', () => {
  assert.equal(isQuickFix({ automatic: true, effortDays: 1 }), true);
  assert.equal(isQuickFix({ automatic: true, effortDays: 1.5 }), false);
  assert.equal(isQuickFix({ automatic: false, effortDays: 0.1 }), false);
});

test('priority on the estimated p95 reduction: high > 50% and < 1 day; low < 20%; medium otherwise', () => {
  assert.equal(priorityOf(50.1, 0.99), 'high');
  assert.equal(priorityOf(50, 0.5), 'medium', '50% is not above 50%');
  assert.equal(priorityOf(80, 1), 'medium', 'a day is not under a day');
  assert.equal(priorityOf(20, 0.1), 'medium', '20% is not under 20%');
  assert.equal(priorityOf(19.9, 0.1), 'low');
  assert.equal(priorityOf(0, 5), 'low');
});

test("impact share: the part of the mix's request time an item addresses, 0-100", () => {
  assert.equal(impactSharePct(10, 40), 25);
  assert.equal(impactSharePct(80, 40), 100, 'capped');
  assert.equal(impactSharePct(-1, 40), 0);
  assert.equal(impactSharePct(10, 0), 0, 'no baseline time: no share');
});

test('the effort table: an index by the size of its table, every row with its reason', () => {
  assert.equal(indexEffortKind(-1), 'index_small_table', 'never analyzed (reltuples -1)');
  assert.equal(indexEffortKind(999_999), 'index_small_table');
  assert.equal(indexEffortKind(1_000_000), 'index_medium_table');
  assert.equal(indexEffortKind(10_000_000), 'index_large_table');
  assert.equal(indexEffortKind(100_000_000), 'index_huge_table');
  assert.ok(indexEffortDays(20_000) < indexEffortDays(100_000_000));
  assert.ok(indexEffortDays(20_000) <= 1 && indexEffortDays(100_000_000) > 1, 'a small index is a quick fix, a 100M-row one is not');
  for (const [kind, row] of Object.entries(EFFORT)) {
    assert.ok(row.days > 0, kind);
    assert.ok(row.why.length > 20, `${kind} says why`);
  }
  assert.ok(EFFORT.feature_toggle.days < 1 && EFFORT.partitioning.days >= 5);
});

const target = parseTargetProfile({
  name: 'shop',
  http: { baseUrl: 'http://127.0.0.1:3100', endpoints: [{ name: 'list', path: '/products' }] },
  database: { urlEnv: 'SHOP_DATABASE_URL' },
  targets: { p95Ms: 20, p99Ms: 50, throughputRps: 500 },
});

function toggleFinding(id: string, reductionMs: number, effortDays = 0.1): Finding {
  return {
    id,
    layer: 'caching',
    rootCause: 'uncached_endpoint',
    title: id,
    evidence: [],
    estimatedLatencyReductionMs: reductionMs,
    effortDays,
    risk: 'low',
    rollback: '-',
    source: 'test',
    action: { type: 'feature_toggle', toggle: id, value: true },
  };
}

test('ranked items carry their priority and impact share; the default approval is the top 5 by impact score', () => {
  const baseline = minimalBaseline({ throughputRps: 100, latencyMs: { p50: 1, p90: 1, p95: 1, p99: 1, max: 1, mean: 40 } });
  const findings = [30, 10, 9, 8, 7, 6, 1].map((ms, i) => toggleFinding(`t${i}`, ms));
  findings.push(toggleFinding('slow', 30, 2));
  const items = rankFindings(findings, baseline, target, ['caching']);
  const byId = Object.fromEntries(items.map((i) => [i.id, i]));
  assert.equal(byId.t0.impactSharePct, 75);
  assert.equal(byId.t0.priority, 'high');
  assert.equal(byId.slow.priority, 'medium', '75% but two days');
  assert.equal(byId.t1.priority, 'medium'); // 25%
  assert.equal(byId.t6.priority, 'low'); // 2.5%
  assert.equal(TOP_ITEMS, 5);
  assert.deepEqual(defaultApprovalIds({ tier: 'T2', focus: [], items }), ['t0', 't1', 't2', 't3', 't4']);
  // A plan recorded before priorities existed keeps its rule: every automatic item.
  const old = items.map(({ priority: _p, impactSharePct: _s, ...rest }) => rest);
  assert.equal(defaultApprovalIds({ tier: 'T2', focus: [], items: old }).length, 8);
});

test('the focus layers lead the plan (in focus order), impact order within; the top 5 follow the plan order', () => {
  const item = (id: string, layer: 'database' | 'caching' | 'application', impactScore: number) =>
    ({ id, layer, impactScore, automatic: true, priority: 'medium', action: { type: 'feature_toggle' } }) as unknown as PlanItem;
  const ranked = [
    item('c1', 'caching', 90),
    item('a1', 'application', 80),
    item('d1', 'database', 50),
    item('c2', 'caching', 40),
    item('d2', 'database', 10),
  ];
  assert.deepEqual(
    leadWithFocus(ranked, ['database', 'caching']).map((i) => i.id),
    ['d1', 'd2', 'c1', 'c2', 'a1'],
  );
  assert.deepEqual(
    leadWithFocus(ranked, []).map((i) => i.id),
    ranked.map((i) => i.id),
    'no focus: impact order as ranked',
  );
  const plan = {
    tier: 'T2' as const,
    focus: ['database' as const],
    items: [...leadWithFocus(ranked, ['database']), item('x', 'caching', 1)],
  };
  assert.deepEqual(defaultApprovalIds(plan), ['d1', 'd2', 'c1', 'a1', 'c2']);
  // Alert rules change no performance: approved beside the top 5, never instead of one.
  const rules = { ...item('rules', 'application', 0), action: { type: 'install_alert_rules' } } as unknown as PlanItem;
  assert.deepEqual(defaultApprovalIds({ ...plan, items: [...plan.items, rules] }), ['d1', 'd2', 'c1', 'a1', 'c2', 'rules']);
});
