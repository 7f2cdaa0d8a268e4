// Indexes that only serve a statement together (an OR set's BitmapOr, a join's tables): all created at
// once as hypothetical indexes, each statement planned with every one in place.
import type { Candidate } from '../../../postgres/index-model';
import { planUsesIndex, type PlanNode } from '../../../postgres/plan-walk';
import type { GenericPlanner, HypotheticalIndex } from '../../../postgres/planner';
import type { Stmt } from './statement';

/** A statement planned with the set in place: the plan, and whether it uses every index of the set. */
export interface PlanWithSet {
  plan: PlanNode;
  allUsed: boolean;
}

export type PlanWith = (s: Pick<Stmt, 'text' | 'nParams' | 'paramTypes'>) => Promise<PlanWithSet | null>;

/**
 * The members created as hypothetical indexes on `p`, `use` run with a function that plans a statement with
 * them in place (null when it cannot be planned), the indexes dropped after. False when a member could not
 * be created (or `use` failed).
 */
export async function planTogether(p: GenericPlanner, members: Candidate[], use: (planWith: PlanWith) => Promise<void>): Promise<boolean> {
  const hyps: HypotheticalIndex[] = [];
  const planWith: PlanWith = async (s) => {
    const plan = await p.explain(s.text, s.nParams, { paramTypes: s.paramTypes }).catch(() => null);
    return plan && { plan, allUsed: hyps.every((h) => planUsesIndex(plan, h.name)) };
  };
  try {
    for (const m of members) hyps.push(await p.createHypothetical(m));
    await use(planWith);
    return true;
  } catch {
    return false;
  } finally {
    for (const h of hyps) await p.dropHypothetical(h).catch(() => undefined);
  }
}

/** The window time a statement saves at `cost`, null when `cost` is not minSavingFraction below its cost before. */
export function savedMs(s: Pick<Stmt, 'totalMs' | 'costBefore'>, cost: number, minSavingFraction: number): number | null {
  if (cost > s.costBefore * (1 - minSavingFraction)) return null;
  return (s.totalMs * (s.costBefore - cost)) / s.costBefore;
}
