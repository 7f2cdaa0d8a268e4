// Turns the skills' findings into a ranked plan: scored, scoped, with gains relative to the baseline.
import type { Layer, TargetProfile } from './profile';
import type { Finding, LoadTestSummary, Plan, PlanItem, Tier } from './types';
import { impactScore } from './decisions';
import { round } from './round';
import { TOP_ITEMS, impactSharePct, priorityOf } from './rules/priority';

export function rankFindings(findings: Finding[], baseline: LoadTestSummary, target: TargetProfile, scope: Layer[]): PlanItem[] {
  const seen = new Set<string>();
  return findings
    .filter((f) => scope.includes(f.layer))
    .filter((f) => (seen.has(f.id) ? false : (seen.add(f.id), true)))
    .map((f) => {
      const share = impactSharePct(f.estimatedLatencyReductionMs, baseline.latencyMs.mean);
      return {
        ...f,
        impactScore: round(impactScore(f.estimatedLatencyReductionMs, baseline.throughputRps, f.effortDays), 1),
        estimatedGainPct:
          baseline.latencyMs.mean > 0 ? round(Math.min(100, (100 * f.estimatedLatencyReductionMs) / baseline.latencyMs.mean), 1) : 0,
        automatic: isAutomatic(f, target),
        priority: priorityOf(share, f.effortDays),
        impactSharePct: round(share, 1),
      };
    })
    .sort((a, b) => b.impactScore - a.impactScore || a.id.localeCompare(b.id));
}

/**
 * The decision rules steer the plan: findings in the focus layers lead (in the focus order: the rule
 * that fired first leads), the others follow; impact order within each. Stable, pure.
 */
export function leadWithFocus(items: PlanItem[], focus: readonly Layer[]): PlanItem[] {
  const rank = (i: PlanItem) => {
    const k = focus.indexOf(i.layer);
    return k < 0 ? focus.length : k;
  };
  return items
    .map((item, index) => ({ item, index }))
    .sort((a, b) => rank(a.item) - rank(b.item) || a.index - b.index)
    .map((x) => x.item);
}

function isAutomatic(f: Finding, target: TargetProfile): boolean {
  if (f.action.type === 'manual') return false;
  // actions.createIndexes governs index DDL: with it off, drops are manual steps too.
  if (f.action.type === 'create_index' || f.action.type === 'drop_index') return target.actions.createIndexes;
  return true;
}

/** Items the tool may apply only when they are approved by id, never by a plain or automatic approval. */
export function needsExplicitApproval(item: Pick<PlanItem, 'action'>): boolean {
  return item.action.type === 'drop_index';
}

/** Items the tool can apply (once approved). */
export function automaticIds(plan: Plan): string[] {
  return plan.items.filter((i) => i.automatic).map((i) => i.id);
}

/**
 * What `approve` without item ids and `--auto-approve` approve: the automatic items but the explicit-only
 * ones, the first 5 in plan order (the spec's "implement top 5": impact order, the focus layers leading;
 * the others by id), and the alert rules. Plans recorded before priorities existed (no item has one) keep their rule then:
 * every one.
 */
export function defaultApprovalIds(plan: Plan, top = TOP_ITEMS): string[] {
  const approvable = plan.items.filter((i) => i.automatic && !needsExplicitApproval(i));
  if (!plan.items.some((i) => i.priority !== undefined)) return approvable.map((i) => i.id);
  // Alert rules change no performance: they never take the place of one of the top 5.
  const monitoring = approvable.filter((i) => i.action.type === 'install_alert_rules');
  return [...approvable.filter((i) => !monitoring.includes(i)).slice(0, top), ...monitoring].map((i) => i.id);
}

export function buildPlan(items: PlanItem[], tier: Tier, focus: Layer[], notes?: string[]): Plan {
  return notes ? { tier, focus, items, notes } : { tier, focus, items };
}

/** Order in which approved items are applied: cheapest to undo first (toggles), then new indexes, then drops. */
export function applyOrder(items: PlanItem[]): PlanItem[] {
  const rank = (i: PlanItem) =>
    i.action.type === 'feature_toggle' ? 0 : i.action.type === 'create_index' ? 1 : i.action.type === 'drop_index' ? 2 : 3;
  return [...items].sort((a, b) => rank(a) - rank(b) || b.impactScore - a.impactScore);
}
