// Statements that only indexes on several tables together serve (joins, unions): the candidates to
// try together, as Dexter does per query.
import { effectiveCost } from '../../../postgres/plan-walk';
import type { Evaluation } from './evaluate';
import type { EvalCandidate, EvalStatement, GreedyChoice, GreedyOptions } from './greedy';
import { planTogether, savedMs } from './plan-together';
import type { Selection } from './select';
import { rowsPerCall } from './statement';

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

/** Each statement's combination planned with its candidates together; those that serve it join the choice. */
export async function tryCombinations(ev: Evaluation, selection: Selection): Promise<void> {
  const { opts } = ev.run;
  const { chosen } = selection;
  const combos = combinationsToTry(ev.cands, selection.stmts, chosen, opts);
  const chosenKeys = new Set(chosen.map((c) => c.key));
  for (const combo of combos.slice(0, 50)) {
    if (chosen.length >= opts.maxNewIndexes) break;
    const s = ev.byIdx.get(combo.idx)!;
    const set = combo.keys.map((k) => ev.cands.find((c) => c.key === k)!);
    // a combination that cannot be planned is not proposed
    await planTogether(
      ev.sessions[0],
      set.map((ec) => ec.cand),
      async (planWith) => {
        const r = await planWith(s);
        if (!r) return;
        const cost = effectiveCost(r.plan, rowsPerCall(s));
        const gain = r.allUsed ? savedMs(s, cost, opts.minSavingFraction) : null;
        if (gain === null) return;
        for (const ec of set) {
          if (chosenKeys.has(ec.key)) continue;
          const share = gain / set.length;
          if (share - ec.writeCostMs <= opts.minNetGainMs) continue;
          chosenKeys.add(ec.key);
          chosen.push({ key: ec.key, gainMs: share, writeCostMs: ec.writeCostMs, served: new Map([[s.idx, cost]]) });
        }
        for (const ch of chosen) if (combo.keys.includes(ch.key)) ch.served.set(s.idx, cost);
      },
    );
  }
}
