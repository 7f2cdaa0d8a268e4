// Real parameter values in the evaluation: a statement with sampled literal instances (value-samples.ts)
// is costed on their custom plans (EXPLAIN of the literal text: the planner sees the values, so a
// skewed column or a real LIMIT/OFFSET is planned as it runs) as well as on its generic plan. When
// there are samples, the custom plans decide: they are how the literal-bearing statement runs.
import type { GenericPlanner } from '../../../postgres/planner';
import { planCost, planUsesIndex } from '../../../postgres/plan-walk';
import type { ValueSample, ValueSampleSource } from '../../../postgres/value-samples';
import type { Stmt } from './statement';

export interface ShapeSaving {
  /** after / before */
  ratio: number;
  used: boolean;
}

/** Which plan shapes showed the saving: the generic plan, and the custom plans of `samples` value sets. */
export interface PlanShapes {
  generic: ShapeSaving;
  custom: (ShapeSaving & { samples: number; sources: ValueSampleSource[] }) | null;
}

/** The saving that counts: the custom plans' (mean ratio; used when any of them uses the index) when there are samples. */
export function decisiveSaving(shapes: PlanShapes): ShapeSaving {
  return shapes.custom ? { ratio: shapes.custom.ratio, used: shapes.custom.used } : shapes.generic;
}

/** Mean of after/before over the samples planned both ways. */
export function meanRatio(before: number[], after: (number | null)[]): number | null {
  const r: number[] = [];
  before.forEach((b, i) => {
    const a = after[i];
    if (a !== null && a !== undefined && b > 0) r.push(a / b);
  });
  return r.length ? r.reduce((x, y) => x + y, 0) / r.length : null;
}

/** The custom plans' costs before (no hypothetical index): samples that cannot be planned are dropped. */
export async function planSamplesBefore(p: GenericPlanner, s: Stmt): Promise<void> {
  if (s.samples.length === 0) return;
  const kept: ValueSample[] = [];
  const costs: number[] = [];
  for (const t of s.samples) {
    try {
      costs.push(planCost(await p.explain(t.text, 0)));
      kept.push(t);
    } catch {
      // a sample the planner refuses (e.g. a value of the wrong type) is no evidence
    }
  }
  s.samples = kept;
  s.sampleCosts = costs;
}

/**
 * The custom plans with the hypothetical indexes `names` in place: mean ratio, whether any plan uses
 * one of them, and which (usedBy, aligned with names).
 */
export async function customShape(
  p: GenericPlanner,
  s: Stmt,
  names: string[],
): Promise<(PlanShapes['custom'] & { usedBy: boolean[] }) | null> {
  if (s.samples.length === 0) return null;
  const after: (number | null)[] = [];
  const usedBy = names.map(() => false);
  const sources = new Set<ValueSampleSource>();
  for (const t of s.samples) {
    try {
      const plan = await p.explain(t.text, 0);
      after.push(planCost(plan));
      sources.add(t.source);
      names.forEach((n, i) => (usedBy[i] ||= planUsesIndex(plan, n)));
    } catch {
      after.push(null);
    }
  }
  const ratio = meanRatio(s.sampleCosts, after);
  if (ratio === null) return null;
  return { ratio, used: usedBy.some(Boolean), samples: after.filter((a) => a !== null).length, sources: [...sources].sort(), usedBy };
}
