// Verify the chosen set together: every statement they serve re-planned with all of them at once.
// An index no statement uses then, or whose saving no longer outweighs its write cost, is rejected.
import { round } from '../../../../common/round';
import { effectiveCost, planExcerpt, planUsesIndex } from '../../../postgres/plan-walk';
import { customShape, decisiveSaving, type PlanShapes } from './custom-plans';
import type { Evaluation } from './evaluate';
import type { EvalCandidate, GreedyChoice } from './greedy';
import { recommendation, servedStatement } from './recommendation';
import { rowsPerCall, type Stmt } from './statement';
import { sortNote, stopsAtLimit, tieNote } from './tie-break';
import type { IndexRecommendation } from './types';

type Chosen = { ch: GreedyChoice; ec: EvalCandidate }[];

/** A statement the chosen set serves: its cost and plan with all of them, and the share of an index that it uses. */
interface Served {
  idx: number;
  cost: number;
  plan: string;
  share: number;
  shapes: PlanShapes;
  /** The statement's real LIMIT when its plan reads this index in order and stops there (no sort), else null. */
  stopsAtLimit: number | null;
}

export async function verifyTogether(ev: Evaluation, choice: GreedyChoice[]): Promise<IndexRecommendation[]> {
  const { run, byIdx, tables } = ev;
  const recs: IndexRecommendation[] = [];
  const chosen: Chosen = choice.map((ch) => ({ ch, ec: ev.cands.find((c) => c.key === ch.key)! }));
  if (chosen.length === 0) return recs;
  const planBefore = await plansBefore(ev, chosen);
  const servedBy = await planTogether(ev, chosen);
  chosen.forEach(({ ch, ec }, i) => {
    const served = servedBy.get(i) ?? [];
    const k = `${ec.cand.schema}.${ec.cand.table}`;
    if (served.length === 0) {
      run.rejected.push({ candidate: ec.key, reason: 'with the other chosen indexes in place no statement uses it' });
      return;
    }
    const statements = served.map((v) => servedStatement(byIdx.get(v.idx)!, v.cost, planBefore.get(v.idx) ?? '', v.plan, v.shapes));
    const savedMs = served.reduce((sum, v) => {
      const s = byIdx.get(v.idx)!;
      return sum + (v.share * s.totalMs * (s.costBefore - v.cost)) / s.costBefore;
    }, 0);
    if (savedMs - ch.writeCostMs <= run.opts.minNetGainMs) {
      run.rejected.push({
        candidate: ec.key,
        reason: `verified together with the others it saves ${round(savedMs, 1)} ms, not more than its write cost ${round(ch.writeCostMs, 1)} ms`,
      });
      return;
    }
    const notes = orderNotes(ec, ch, served, byIdx, run.opts.tieMargin);
    recs.push(recommendation(ec.cand, tables.catalog, tables.writes.get(k), savedMs, ch.writeCostMs, statements, true, notes));
  });
  return recs;
}

/**
 * Notes on what the key columns after the equalities remove: the sort at the statements' real LIMIT (when
 * they are the statement's ORDER BY and the plan stops there), and why it won a near tie over a smaller index.
 */
function orderNotes(ec: EvalCandidate, ch: GreedyChoice, served: Served[], byIdx: Map<number, Stmt>, margin: number): string[] {
  const c = ec.cand;
  const eq = new Set(c.keys.slice(0, c.eqCount).map((k) => k.name));
  const tail = c.keys.slice(c.eqCount);
  const tailNames = tail.map((k) => k.name).join(',');
  const sortedBy = (s: Stmt) =>
    s.accesses.some(
      (a) =>
        a.table.schema === c.schema &&
        a.table.name === c.table &&
        a.sort
          ?.filter((k) => !eq.has(k.name))
          .map((k) => k.name)
          .join(',') === tailNames,
    );
  const limits = served.filter((v) => v.stopsAtLimit !== null && sortedBy(byIdx.get(v.idx)!)).map((v) => v.stopsAtLimit!);
  const notes: string[] = [];
  const sort = sortNote(
    tail.map((k) => `${k.name}${k.desc ? ' DESC' : ''}`),
    limits,
  );
  if (sort) notes.push(sort);
  if (ch.tie) notes.push(tieNote(ch.tie.over, ch.tie.removal, margin));
  return notes;
}

/** The plans before, for the evidence: only the statements the chosen indexes serve. */
async function plansBefore(ev: Evaluation, chosen: Chosen): Promise<Map<number, string>> {
  const p = ev.sessions[0];
  const planBefore = new Map<number, string>();
  for (const { ch } of chosen) {
    for (const idx of ch.served.keys()) {
      if (planBefore.has(idx)) continue;
      const s = ev.byIdx.get(idx)!;
      try {
        planBefore.set(idx, planExcerpt(await p.explain(s.text, s.nParams, { verbose: true, paramTypes: s.paramTypes })));
      } catch {
        planBefore.set(idx, '(could not be planned again)');
      }
    }
  }
  return planBefore;
}

/** Chosen index (by position) -> the statements that use it with all the chosen indexes in place and save enough. */
async function planTogether(ev: Evaluation, chosen: Chosen): Promise<Map<number, Served[]>> {
  const { opts } = ev.run;
  const p = ev.sessions[0];
  const hyps = [];
  for (const { ec } of chosen) hyps.push(await p.createHypothetical(ec.cand));
  const servedBy = new Map<number, Served[]>();
  const toCheck = new Set<number>();
  for (const { ch } of chosen) for (const idx of ch.served.keys()) toCheck.add(idx);
  for (const idx of toCheck) {
    const s = ev.byIdx.get(idx)!;
    try {
      const plan = await p.explain(s.text, s.nParams, { verbose: true, paramTypes: s.paramTypes });
      const genericUsed = hyps.map((h) => planUsesIndex(plan, h.name));
      const custom = await customShape(
        p,
        s,
        hyps.map((h) => h.name),
      );
      const shapes = {
        generic: { ratio: effectiveCost(plan, rowsPerCall(s)) / Math.max(1e-9, s.costBefore), used: genericUsed.some(Boolean) },
        custom,
      };
      const cost = s.costBefore * decisiveSaving(shapes).ratio;
      const usedBy = custom ? custom.usedBy : genericUsed;
      const used = usedBy.map((u, i) => (u ? i : -1)).filter((i) => i >= 0);
      if (used.length > 0 && cost <= s.costBefore * (1 - opts.minSavingFraction)) {
        const stops = stopsAtLimit(plan, rowsPerCall(s));
        for (const i of used) {
          const list = servedBy.get(i) ?? [];
          list.push({ idx, cost, plan: planExcerpt(plan), share: 1 / used.length, shapes, stopsAtLimit: stops });
          servedBy.set(i, list);
        }
      }
    } catch {
      // not verified: it does not count
    }
  }
  for (const h of hyps) await p.dropHypothetical(h).catch(() => undefined);
  return servedBy;
}
