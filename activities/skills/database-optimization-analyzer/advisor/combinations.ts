// Statements that only indexes on several tables together serve (joins, unions): the candidates to
// try together, as Dexter does per query.
import type { EvalCandidate, EvalStatement, GreedyChoice, GreedyOptions } from './greedy';

/**
 * Statements the greedy choice left unserved whose best candidates on two or more tables would
 * together reach the saving threshold (each alone does not): for each, the candidates to try together.
 */
export function combinationsToTry(
  cands: EvalCandidate[],
  stmts: Map<number, EvalStatement>,
  chosen: GreedyChoice[],
  opts: Pick<GreedyOptions, 'minSavingFraction'>,
): { idx: number; keys: string[] }[] {
  const served = new Set(chosen.flatMap((c) => [...c.served.keys()]));
  const out: { idx: number; keys: string[] }[] = [];
  for (const s of stmts.values()) {
    if (served.has(s.idx) || s.costBefore <= 0) continue;
    const bestPerTable = new Map<string, { key: string; saving: number }>();
    for (const c of cands) {
      const r = c.results.get(s.idx);
      if (!r?.used || c.cand.include.length > 0) continue;
      const saving = s.costBefore - r.cost;
      const t = `${c.cand.schema}.${c.cand.table}`;
      if (saving > 0 && saving > (bestPerTable.get(t)?.saving ?? 0)) bestPerTable.set(t, { key: c.key, saving });
    }
    if (bestPerTable.size < 2) continue;
    const total = [...bestPerTable.values()].reduce((a, b) => a + b.saving, 0);
    if (total >= s.costBefore * opts.minSavingFraction) out.push({ idx: s.idx, keys: [...bestPerTable.values()].map((b) => b.key) });
  }
  return out;
}
