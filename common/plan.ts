// Turns the skills' findings into a ranked plan: scored, scoped, with gains relative to the baseline.
import type { Layer, TargetProfile } from './profile';
import type { Finding, LoadTestSummary, Plan, PlanItem, Tier } from './types';
import { impactScore } from './decisions';
import { round } from './compare';

export function rankFindings(findings: Finding[], baseline: LoadTestSummary, target: TargetProfile, scope: Layer[]): PlanItem[] {
  const seen = new Set<string>();
  return findings
    .filter((f) => scope.includes(f.layer))
    .filter((f) => (seen.has(f.id) ? false : (seen.add(f.id), true)))
    .map((f) => ({
      ...f,
      impactScore: round(impactScore(f.estimatedLatencyReductionMs, baseline.throughputRps, f.effortDays), 1),
      estimatedGainPct: baseline.latencyMs.mean > 0 ? round(Math.min(100, (100 * f.estimatedLatencyReductionMs) / baseline.latencyMs.mean), 1) : 0,
      automatic: isAutomatic(f, target),
    }))
    .sort((a, b) => b.impactScore - a.impactScore || a.id.localeCompare(b.id));
}

function isAutomatic(f: Finding, target: TargetProfile): boolean {
  if (f.action.type === 'manual') return false;
  if (f.action.type === 'create_index') return target.actions.createIndexes;
  return true;
}

export function buildPlan(items: PlanItem[], tier: Tier, focus: Layer[]): Plan {
  return { tier, focus, items };
}

/** Order in which approved items are applied: cheapest to undo first (toggles), then indexes. */
export function applyOrder(items: PlanItem[]): PlanItem[] {
  const rank = (i: PlanItem) => (i.action.type === 'feature_toggle' ? 0 : i.action.type === 'create_index' ? 1 : 2);
  return [...items].sort((a, b) => rank(a) - rank(b) || b.impactScore - a.impactScore);
}
