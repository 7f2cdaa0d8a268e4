// Step 2: run the skills for the layers in scope (the decision rules' focus layer first), rank what
// they found into a plan, choose the tier.
import { patched, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { Layer } from '../common/profile';
import { autoTier, chooseFocus, layerSignals, specAutoTier } from '../common/decisions';
import { buildPlan, leadWithFocus, rankFindings } from '../common/plan';
import { skillsInOrder, type SkillActivityName, type SkillEntry } from '../common/skills';
import type { AnalysisInput, AnalysisResult, SkillRequest, SkillResult } from '../common/stages';
import type { Finding, PlanItem, Tier } from '../common/types';
import { analysisBeforeRegistry } from './analysis-before-registry';

function runSkill(skill: SkillEntry, req: SkillRequest): Promise<SkillResult> {
  const activities = proxyActivities<Activities>({
    startToCloseTimeout: '5 minutes',
    retry: { maximumAttempts: 3 },
    summary: `${skill.name}: ${skill.looksAt}`,
  });
  return activities[skill.activity as SkillActivityName](req);
}

/**
 * The `auto` tier: the specification's rule (the nature of the bottlenecks); analyses recorded before
 * it (no 'spec-tiers' marker) keep the gap rule they ran with.
 */
function chooseTier({ profiling, target, scope }: AnalysisInput, focus: Layer[], items: PlanItem[], findings: Finding[]): Tier {
  if (patched('spec-tiers')) return specAutoTier(profiling.baseline, target.targets, focus, items, findings, scope);
  return autoTier(profiling.baseline, target.targets, [...focus, ...items.map((i) => i.layer)], findings, scope);
}

export async function analysisWorkflow(input: AnalysisInput): Promise<AnalysisResult> {
  if (!patched('skill-registry')) return analysisBeforeRegistry(input);
  const { runId, target, scope, tier, profiling } = input;
  const focus = chooseFocus(layerSignals(profiling), scope);
  const results: SkillResult[] = [];
  // A skill added to the registry later runs only in analyses started after it (replay safety).
  const skills = skillsInOrder(scope, focus).filter((s) => s.since === undefined || patched(s.since));
  for (const skill of skills) {
    results.push(await runSkill(skill, { runId, target, scope, focus, profiling }));
  }
  const findings = results.flatMap((r) => r.findings);
  const ranked = rankFindings(findings, profiling.baseline, target, scope);
  // The focus layers' findings lead the plan (plans recorded before: impact order alone).
  const items = patched('focus-leads') ? leadWithFocus(ranked, focus) : ranked;
  const chosenTier = tier === 'auto' ? chooseTier(input, focus, items, findings) : tier;
  const notes = [
    ...(profiling.database?.problems ?? []).map((n) => `database profile: ${n}`),
    ...(profiling.cache?.problems ?? []).map((n) => `cache profile: ${n}`),
    ...results.flatMap((r) => (r.skipped ? [`${r.skill} skipped: ${r.skipped}`] : r.notes.map((n) => `${r.skill}: ${n}`))),
  ];
  if (items.length === 0) notes.push('no optimization found for the layers in scope');
  // The notes travel once, in the plan; each skill's own entry keeps its figures and evidence id.
  const ran = results.map(({ skill, evidence, skipped }) => ({ skill, evidence, skipped }));
  return { plan: buildPlan(items, chosenTier, focus, notes), skills: ran };
}
