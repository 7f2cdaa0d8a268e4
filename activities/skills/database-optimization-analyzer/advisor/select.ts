// Greedy choice, lazily. A candidate's value alone (window time saved minus write cost) is bounded
// above by its known value plus the time of the statements not planned with it yet. Candidates are
// completed in order of that bound until the best F (4 x maxNewIndexes) are known exactly and every
// other bound is below them; the greedy choice then runs over the known ones (an index's value in the
// choice never exceeds its value alone).
import { groupsFor, planGroups, type Evaluation } from './evaluate';
import { greedySelect, type EvalCandidate, type EvalStatement, type GreedyChoice } from './greedy';
import { inParallel } from './parallel';

export interface Selection {
  chosen: GreedyChoice[];
  /** The planned statements as the choice sees them, by statement index. */
  stmts: Map<number, EvalStatement>;
}

export async function selectIndexes(ev: Evaluation): Promise<Selection> {
  const { run } = ev;
  const evalStmts = new Map<number, EvalStatement>();
  for (const st of ev.byIdx.values()) evalStmts.set(st.idx, { idx: st.idx, costBefore: st.costBefore, totalMs: st.totalMs });
  await completeFinalists(ev, evalStmts);
  run.stats.lazyPending = ev.pending.size;
  if (ev.budget <= 0)
    run.notes.push(
      `the evaluation budget (${run.opts.maxEvaluations} hypothetical plans) ran out: the advice covers the statements planned so far`,
    );
  // Still pending: bounded below the finalists, never chosen; what is known of them still counts for combinations.
  const sel = greedySelect(
    ev.cands.filter((c) => !ev.pending.has(c.key)),
    evalStmts,
    run.opts,
  );
  for (const r of sel.rejected) run.rejected.push({ candidate: r.key, reason: r.reason });
  return { chosen: sel.chosen, stmts: evalStmts };
}

/** Plans the pending candidates with the largest bounds with their remaining statements, until the finalists are known. */
async function completeFinalists(ev: Evaluation, evalStmts: Map<number, EvalStatement>): Promise<void> {
  const { opts } = ev.run;
  const alone = (c: EvalCandidate) => {
    let g = 0;
    for (const [idx, r] of c.results) {
      const st = evalStmts.get(idx);
      if (!st || !r.used || st.costBefore <= 0) continue;
      const sv = st.costBefore - r.cost;
      if (sv >= st.costBefore * opts.minMarginalSavingFraction) g += (st.totalMs * sv) / st.costBefore;
    }
    return g - c.writeCostMs;
  };
  const bound = (c: EvalCandidate) =>
    alone(c) + (ev.pending.has(c.key) ? groupsFor(ev, c).reduce((n, g) => n + g.reduce((m, st) => m + st.totalMs, 0), 0) : 0);
  const finalistsWanted = 4 * opts.maxNewIndexes;
  const queue = ev.cands.map((c) => ({ c, ub: bound(c) })).sort((a, b) => b.ub - a.ub);
  const insert = (e: { c: EvalCandidate; ub: number }) => {
    let lo = 0;
    let hi = queue.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (queue[mid].ub >= e.ub) lo = mid + 1;
      else hi = mid;
    }
    queue.splice(lo, 0, e);
  };
  let finalists = 0;
  while (queue.length > 0 && finalists < finalistsWanted && ev.budget > 0 && queue[0].ub > 0) {
    if (!ev.pending.has(queue[0].c.key)) {
      queue.shift();
      finalists++;
      continue;
    }
    // The top pending candidates (one per session) are planned with their remaining statements.
    const batch: { c: EvalCandidate; ub: number }[] = [];
    for (let i = 0; i < queue.length && batch.length < ev.sessions.length && i < 20; i++)
      if (ev.pending.has(queue[i].c.key)) batch.push(queue[i]);
    for (const b of batch) queue.splice(queue.indexOf(b), 1);
    await inParallel(batch, ev.sessions.length, async ({ c }, w) => {
      await planGroups(ev, c, groupsFor(ev, c), w);
      if (groupsFor(ev, c).length === 0) ev.pending.delete(c.key);
    });
    for (const b of batch) insert({ c: b.c, ub: bound(b.c) });
  }
}
