// The tail's OR sets (or-sets.ts): a tail statement the chosen indexes do not serve, whose WHERE is an
// OR over different columns, is planned once per access pattern with all the members of its set at
// once (the chosen indexes still in place); the set sums what it saves over the tail, as a set.
import { candidateKey, candidateServedBy } from '../../../postgres/index-model';
import { costAt, costModel, planExcerpt, type PlanNode } from '../../../postgres/plan-walk';
import { orSetsFor, type OrSet } from './or-sets';
import { inParallel } from './parallel';
import { planTogether } from './plan-together';
import { servedStatement } from './recommendation';
import { rowsPerCall } from './statement';
import { writeCostMs } from './tables';
import type { TailSaving, TailState, TailStmt } from './tail-batches';
import { addExample, wouldEnter } from './tail-examples';

export interface TailOrSet extends TailSaving {
  set: OrSet;
  /** Per member (same order). */
  writeCostMs: number[];
}

/** Above this many tail sets, the half that saves least is dropped (a bound on memory). */
const MAX_TAIL_SETS = 1000;

/** The unserved statements' OR sets, each planned with its members together, once per access pattern. */
export async function planTailOrSets(tail: TailState, unserved: TailStmt[]): Promise<void> {
  const work = new Map<string, { set: OrSet; groups: Map<string, TailStmt[]> }>();
  for (const s of unserved) {
    for (const a of s.accesses) {
      if (!a.or) continue;
      for (const set of orSetsFor(a, tail.ctx.opts)) {
        // A member a chosen index serves is in place already.
        const members = set.members.filter((m) => !tail.chosen.some((x) => candidateServedBy(m, x)));
        if (members.length === 0) continue;
        const proposed = set.members.filter((m) => !members.includes(m)).map((m) => candidateKey(m));
        const own = proposed.length === 0 ? set : { ...set, members, proposed, key: members.map((m) => candidateKey(m)).join(' + ') };
        const e = work.get(own.key) ?? { set: own, groups: new Map<string, TailStmt[]>() };
        const g = e.groups.get(s.signature) ?? [];
        if (!g.includes(s)) g.push(s);
        e.groups.set(s.signature, g);
        work.set(own.key, e);
      }
    }
  }
  const { sessions } = tail.ctx;
  await inParallel([...work.values()], sessions.length, async ({ set, groups }, w) => {
    // a set whose hypothetical indexes cannot be created is not proposed
    await planTogether(sessions[w], set.members, async (planWith) => {
      for (const members of groups.values()) {
        if (tail.budget <= 0) break;
        tail.budget--;
        tail.stats.evaluations++;
        const rep = members[0];
        const r = await planWith(rep);
        if (r?.allUsed) for (const m of members) addSetSaving(tail, set, m, rep, r.plan);
      }
    });
  });
}

/** What the set saves for statement `m` (planned as `rep`, same access pattern). */
function addSetSaving(tail: TailState, set: OrSet, m: TailStmt, rep: TailStmt, plan: PlanNode): void {
  const { ctx } = tail;
  const rpc = rowsPerCall(m);
  const cost = (m.costBefore * costAt(costModel(plan), rpc)) / Math.max(1e-9, costAt(rep.beforeModel!, rpc));
  if (cost > m.costBefore * (1 - ctx.opts.minSavingFraction) || cost >= m.costWith) return;
  let t = tail.orSets.get(set.key);
  if (!t) {
    const k = `${set.members[0].schema}.${set.members[0].table}`;
    const wc = set.members.map((c) => writeCostMs(c, ctx.writes.get(k), ctx.updatedColumns.get(k), ctx.opts.indexWriteCostMsPerRow));
    t = { set, writeCostMs: wc, savedMs: 0, statements: 0, examples: [] };
    tail.orSets.set(set.key, t);
  }
  t.savedMs += (m.totalMs * (m.costWith - cost)) / m.costBefore;
  t.statements++;
  if (wouldEnter(t, m.totalMs)) {
    const after = m === rep ? planExcerpt(plan) : '(planned as a statement of the same access pattern)';
    addExample(t, servedStatement(m, cost, m.beforePlan ? planExcerpt(m.beforePlan) : '', after));
  }
}

const net = (t: TailOrSet) => t.savedMs - t.writeCostMs.reduce((a, b) => a + b, 0);

/** Above MAX_TAIL_SETS, the half that saves least is dropped. */
export function pruneTailOrSets(tail: TailState): void {
  if (tail.orSets.size <= MAX_TAIL_SETS) return;
  const keep = [...tail.orSets].sort((a, b) => b[1].savedMs - a[1].savedMs).slice(0, MAX_TAIL_SETS / 2);
  tail.orSets.clear();
  for (const [k, v] of keep) tail.orSets.set(k, v);
  tail.stats.pruned = true;
}

/** The tail's sets with a net saving, largest first (at most maxNewIndexes). */
export function tailOrSetsByNet(tail: TailState): TailOrSet[] {
  const out = [...tail.orSets.values()].filter((t) => net(t) > tail.ctx.opts.minNetGainMs).sort((a, b) => net(b) - net(a));
  tail.orSets.clear();
  return out.slice(0, tail.ctx.opts.maxNewIndexes);
}
