// The decision rules: which layer to look at first, and how deep a run goes (tier). The
// specification's tier selection, priorities and effort table are in common/rules/.
import type { Layer, SloTargets } from './profile';
import type { ProfilingResult } from './stages';
import type { Finding, LoadTestSummary, Tier } from './types';
import { tierFromInventory, type InventoryItem } from './rules/tier';
import { measuredOf } from './compare';

export { isBottleneck, isQuickFix, tierFromInventory, type InventoryItem } from './rules/tier';
export { TOP_ITEMS, impactSharePct, priorityOf, type Priority } from './rules/priority';

export interface LayerSignals {
  dbShareOfLatencyPct: number | null;
  appCpuPct: number | null; // of one core
  cacheHitRatioPct: number | null;
  networkLatencyMs: number | null;
}

export const RULES = {
  dbShareOfLatencyPct: 50,
  appCpuPct: 80,
  cacheHitRatioPct: 70,
  networkLatencyMs: 100,
} as const;

/** Layers to optimize first, in rule order, restricted to the requested scope. */
export function chooseFocus(s: LayerSignals, scope: Layer[]): Layer[] {
  const focus: Layer[] = [];
  if (s.dbShareOfLatencyPct !== null && s.dbShareOfLatencyPct > RULES.dbShareOfLatencyPct) focus.push('database');
  if (s.appCpuPct !== null && s.appCpuPct > RULES.appCpuPct) focus.push('application');
  if (s.cacheHitRatioPct !== null && s.cacheHitRatioPct < RULES.cacheHitRatioPct) focus.push('caching');
  if (s.networkLatencyMs !== null && s.networkLatencyMs > RULES.networkLatencyMs) focus.push('network');
  return focus.filter((l) => scope.includes(l));
}

export interface Measured {
  p95Ms: number;
  p99Ms: number;
  throughputRps: number;
  errorRatePct: number;
}

/** How far the worst target metric is from its target: 1 = on target, 2 = twice as bad. */
export function worstGap(m: Measured, t: SloTargets): number {
  const gaps = [
    m.p95Ms / t.p95Ms,
    m.p99Ms / t.p99Ms,
    m.throughputRps > 0 ? t.throughputRps / m.throughputRps : Infinity,
    // An error rate at or under target is no gap; above it, a gap that grows with the excess.
    m.errorRatePct <= t.errorRatePct ? 0 : 1 + (m.errorRatePct - t.errorRatePct) / Math.max(t.errorRatePct, 0.1),
  ];
  return Math.max(...gaps);
}

/**
 * The tier rule before the specification's (runs whose analysis history has no 'spec-tiers' marker):
 * T1: targets met or within 20%: quick tuning, baseline re-test only.
 * T2: within 2x: tuning (indexes, toggles, config); adds a 2x peak test.
 * T3: within 5x, or several layers at fault: adds a stress test to the breaking point.
 * T4: beyond 5x: tuning alone is unlikely to reach the targets; adds soak and an architecture review.
 */
export function selectTier(gap: number, focusLayers: number): Tier {
  if (gap > 5) return 'T4';
  if (gap > 2 || focusLayers >= 3) return 'T3';
  if (gap > 1.2) return 'T2';
  return 'T1';
}

/**
 * An architectural finding in scope (partitioning, ...) means tuning alone is not the answer: the run
 * becomes T4 (soak, and an architecture review when the targets stay missed), whatever the gap.
 */
export function tierWithArchitecture(tier: Tier, findings: Pick<Finding, 'architectural' | 'layer'>[], scope?: readonly Layer[]): Tier {
  const architectural = findings.some((f) => f.architectural === true && (!scope || scope.includes(f.layer)));
  return architectural ? 'T4' : tier;
}

export interface ValidationPlan {
  peak: boolean;
  stress: boolean;
  soak: boolean;
}

export function validationFor(tier: Tier): ValidationPlan {
  return { peak: tier !== 'T1', stress: tier === 'T3' || tier === 'T4', soak: tier === 'T4' };
}

/** What the validation step runs, for the progress line: "the baseline load again, then 2x peak, stress ramp, soak". */
export function describeValidation(tier: Tier): string {
  const plan = validationFor(tier);
  const more = [plan.peak ? '2x peak' : null, plan.stress ? 'stress ramp' : null, plan.soak ? 'soak' : null].filter(Boolean);
  return `the baseline load again${more.length ? `, then ${more.join(', ')}` : ''} (tier ${tier})`;
}

/** The seed's impact score: latency_reduction_ms x requests_per_sec / effort_days. */
export function impactScore(latencyReductionMs: number, requestsPerSec: number, effortDays: number): number {
  if (effortDays <= 0) throw new Error('effortDays must be positive');
  return (Math.max(0, latencyReductionMs) * Math.max(0, requestsPerSec)) / effortDays;
}

/** The decision rules' signals, from what profiling measured (null where it measured nothing). */
export function layerSignals(p: Pick<ProfilingResult, 'database' | 'process' | 'cache' | 'network'>): LayerSignals {
  return {
    dbShareOfLatencyPct: p.database?.available ? p.database.dbShareOfLatencyPct : null,
    appCpuPct: p.process?.cpuPctAvg ?? null,
    cacheHitRatioPct: p.cache?.hitRatioPct ?? null,
    networkLatencyMs: p.network?.connectMsAvg ?? null,
  };
}

/** Beyond 5x from a target (the worst gap), tuning alone is taken not to reach it: T4. */
export const OUT_OF_REACH_GAP = 5;

/** How far the baseline is from the targets (worstGap of its figures). */
export function baselineGap(baseline: LoadTestSummary, targets: SloTargets): number {
  return worstGap(measuredOf(baseline), targets);
}

/**
 * The tier of an `auto` run as the specification selects it: from the inventory (tierFromInventory:
 * T1 one bottleneck with a quick fix, T2 several in at most two layers or one without a quick fix, T3
 * three or more layers), T4 when the targets are out of reach by tuning (a gap beyond 5x) or an
 * architectural finding is in scope.
 */
export function specAutoTier(
  baseline: LoadTestSummary,
  targets: SloTargets,
  focus: readonly Layer[],
  items: readonly InventoryItem[],
  findings: Pick<Finding, 'architectural' | 'layer'>[],
  scope: readonly Layer[],
): Tier {
  const tier = baselineGap(baseline, targets) > OUT_OF_REACH_GAP ? 'T4' : tierFromInventory(items, focus);
  return tierWithArchitecture(tier, findings, scope);
}

/**
 * The tier of an `auto` run before the specification's rule (histories without 'spec-tiers'): the gap
 * of the baseline to the targets and the layers at fault (focus layers and the layers of planned
 * items), raised to T4 by an architectural finding in scope.
 */
export function autoTier(
  baseline: LoadTestSummary,
  targets: SloTargets,
  faultyLayers: readonly Layer[],
  findings: Pick<Finding, 'architectural' | 'layer'>[],
  scope: readonly Layer[],
): Tier {
  return tierWithArchitecture(selectTier(baselineGap(baseline, targets), new Set(faultyLayers).size), findings, scope);
}
