// The specification's tier selection ("Decision Rules / Tier selection"), from the inventory of what
// the analysis found: T1 one bottleneck with a quick fix; T2 several bottlenecks in at most two layers,
// or one without a quick fix; T3 three or more layers at fault. T4 (architectural findings, targets out
// of reach by tuning) is decided around it, in common/decisions.ts (specAutoTier, tierWithArchitecture).
import type { Layer } from '../profile';
import type { Tier } from '../types';

/** What the tier rule reads of a plan item. */
export interface InventoryItem {
  layer: Layer;
  estimatedLatencyReductionMs: number;
  effortDays: number;
  automatic: boolean;
}

/**
 * A quick fix: the tool applies it itself (an index, a toggle) and it takes at most a day (the spec's
 * "Quick wins (0-1 day effort)": add an index, enable caching). See the effort table, common/rules/effort.ts.
 */
export const QUICK_FIX_MAX_DAYS = 1;

export function isQuickFix(i: Pick<InventoryItem, 'automatic' | 'effortDays'>): boolean {
  return i.automatic && i.effortDays <= QUICK_FIX_MAX_DAYS;
}

/**
 * A bottleneck: an item that takes request time away (its estimated reduction is above zero). Health
 * items whose gain is not estimated (statistics, bloat, unused indexes) are hygiene, not bottlenecks.
 */
export function isBottleneck(i: Pick<InventoryItem, 'estimatedLatencyReductionMs'>): boolean {
  return i.estimatedLatencyReductionMs > 0;
}

/**
 * T1..T3 from the bottlenecks and the layers at fault: the layers of the bottlenecks and the focus
 * layers (a layer the decision rules point at is at fault even when no fix was found there: a
 * bottleneck without a quick fix). Nothing found and no focus layer: T1 (nothing to go deeper on).
 */
export function tierFromInventory(items: readonly InventoryItem[], focus: readonly Layer[]): Exclude<Tier, 'T4'> {
  const bottlenecks = items.filter(isBottleneck);
  const layers = new Set<Layer>([...focus, ...bottlenecks.map((b) => b.layer)]);
  if (layers.size >= 3) return 'T3';
  if (layers.size === 0) return 'T1';
  if (bottlenecks.length === 1 && layers.size === 1 && isQuickFix(bottlenecks[0])) return 'T1';
  return 'T2';
}
