// The advisor's tail: the statements beyond the `detailedStatements` heaviest of the window (by total
// time). They are streamed in batches and only totals are kept, so the advisor's memory stays flat in
// the number of statements. Per batch:
//  1. parse, plan (generic plan) and keep the statements that cost >= minPlanCost;
//  2. plan them again with the indexes chosen from the heavy statements in place (hypopg): a
//     statement they serve adds to their window time saved;
//  3. a statement they do not serve is planned with each of its own key-only candidates (the chosen
//     ones still in place); each candidate sums the window time it saves over the tail.
// After the tail (tail.ts), the candidates with the largest net saving (minus their write cost) join
// the recommendations while there is room. Statements of one table with the same access pattern are
// planned once per batch and candidate, as in the detailed part.
import type { Catalog } from '../../../postgres/catalog';
import { candidateKey, candidateServedBy, coveredBy, type Candidate } from '../../../postgres/index-model';
import type { GenericPlanner, HypotheticalIndex } from '../../../postgres/planner';
import { costAt, costModel, effectiveCost, planExcerpt, planUsesIndex, type PlanNode } from '../../../postgres/plan-walk';
import { tryParse, type StatementFacts } from '../../../postgres/sql-parse';
import { candidatesFor } from './candidates';
import { gatePlanned } from './cost-gate';
import type { AdvisorOptions } from './options';
import { inParallel } from './parallel';
import { servedStatement } from './recommendation';
import { accessSignature, accessesOf, newStmt, rowsPerCall, type Stmt } from './statement';
import { writeCostMs } from './tables';
import { addExample, wouldEnter } from './tail-examples';
import { planTailOrSets, pruneTailOrSets, tailOrSetsByNet, type TailOrSet } from './tail-or-sets';
import type { ServedStatement, TableWrites, TailStats, WorkloadStatement } from './types';
import { isPlannable } from './workload';

/** What a chosen index (or a tail candidate) saves over the tail. */
export interface TailSaving {
  savedMs: number;
  statements: number;
  /** The heaviest statements it serves (at most EXAMPLES). */
  examples: ServedStatement[];
}

export interface TailProposal extends TailSaving {
  cand: Candidate;
  writeCostMs: number;
}

export interface TailResult {
  /** By candidate key of the chosen indexes. */
  chosen: Map<string, TailSaving>;
  /** Tail candidates with a net saving, largest first. */
  proposals: TailProposal[];
  /** OR sets of the tail with a net saving, largest first (tail-or-sets.ts). */
  orSets: TailOrSet[];
  stats: TailStats;
}

export interface TailContext {
  sessions: GenericPlanner[];
  catalog: Catalog;
  writes: Map<string, TableWrites>;
  updatedColumns: Map<string, Set<string>>;
  opts: AdvisorOptions;
  /** Hypothetical plans the tail may still make. */
  budget: number;
  heartbeat?: (details: unknown) => void;
}

/** Above this many tail candidates, the half that saves least is dropped (a hard bound on memory). */
const MAX_TAIL_CANDIDATES = 4000;

export interface TailStmt extends Stmt {
  signature: string;
  beforePlan: PlanNode | null;
  /** Cost with the chosen indexes in place. */
  costWith: number;
}

/** What the batches share: the figures, the savings summed so far and the evaluation budget. */
export interface TailState {
  ctx: TailContext;
  stats: TailStats;
  /** The indexes chosen from the heavy statements, and their candidate keys (same order). */
  chosen: Candidate[];
  chosenKeys: string[];
  /** What the chosen indexes save over the tail, by candidate key. */
  chosenSaving: Map<string, TailSaving>;
  /** The tail's own candidates with a saving, by candidate key. */
  tailCands: Map<string, TailProposal>;
  /** The tail's OR sets with a saving, by set key. */
  orSets: Map<string, TailOrSet>;
  /** Hypothetical plans the tail may still make. */
  budget: number;
}

export async function adviseTail(
  statements: WorkloadStatement[],
  order: ArrayLike<number>,
  chosen: Candidate[],
  ctx: TailContext,
): Promise<TailResult> {
  const { sessions, opts } = ctx;
  const tail: TailState = {
    ctx,
    stats: {
      statements: order.length,
      fingerprints: 0,
      analyzable: 0,
      planned: 0,
      belowMinCost: 0,
      served: 0,
      evaluations: 0,
      candidates: 0,
      pruned: false,
    },
    chosen,
    chosenKeys: chosen.map((c) => candidateKey(c)),
    chosenSaving: new Map(),
    tailCands: new Map(),
    orSets: new Map(),
    budget: ctx.budget,
  };
  const batchSize = Math.max(1, opts.tailBatchStatements);
  for (let from = 0; from < order.length; from += batchSize) {
    const to = Math.min(order.length, from + batchSize);
    const costly = await planBatch(tail, parseBatch(tail, statements, order, from, to));
    await adviseBatch(tail, costly);
    pruneTailCandidates(tail);
    pruneTailOrSets(tail);
    ctx.heartbeat?.({ phase: 'tail', done: to, of: order.length });
  }
  const { stats, tailCands } = tail;
  stats.candidates = tailCands.size;
  const proposals = [...tailCands.values()].sort((a, b) => b.savedMs - b.writeCostMs - (a.savedMs - a.writeCostMs));
  tailCands.clear();
  proposals.length = Math.min(proposals.length, opts.maxNewIndexes * 2);
  await addPlanExcerpts(proposals, sessions[0]);
  return { chosen: tail.chosenSaving, proposals, orSets: tailOrSetsByNet(tail), stats };
}

/** 1. Parse the batch `order[from..to)`: one statement per fingerprint, with a table access an index could serve. */
function parseBatch(tail: TailState, statements: WorkloadStatement[], order: ArrayLike<number>, from: number, to: number): TailStmt[] {
  const { ctx, stats } = tail;
  const batch: TailStmt[] = [];
  const seen = new Set<string>();
  for (let i = from; i < to; i++) {
    const s = statements[order[i]];
    const parsed = tryParse(s.query);
    if ('error' in parsed) continue;
    const f = parsed.facts;
    if (f.statementCount !== 1 || !isPlannable(f, ctx.opts)) continue;
    const fp = f.fingerprint ?? `q:${s.queryid}`;
    if (seen.has(fp)) continue; // the batch's heavier statement of this fingerprint stands for it
    seen.add(fp);
    stats.fingerprints++;
    const accesses = accessesOf(f, ctx.catalog, ctx.opts);
    if (accesses.length === 0) continue;
    stats.analyzable++;
    const st = newStmt(order[i], s, f, accesses);
    batch.push(Object.assign(st, { signature: accessSignature(st), beforePlan: null, costWith: 0 }));
  }
  return batch;
}

/** 1. Plan the batch (generic plans): the statements that cost at least minPlanCost. */
async function planBatch(tail: TailState, batch: TailStmt[]): Promise<TailStmt[]> {
  const { ctx, stats } = tail;
  const { sessions, opts } = ctx;
  const costly: TailStmt[] = [];
  await inParallel(batch, sessions.length, async (s, w) => {
    try {
      const plan = await sessions[w].explain(s.text, s.nParams, { paramTypes: s.paramTypes });
      s.beforeModel = costModel(plan);
      s.beforePlan = plan;
      s.costBefore = costAt(s.beforeModel, rowsPerCall(s));
      const passes = gatePlanned(s, opts);
      s.costWith = s.costBefore;
      stats.planned++;
      if (passes) costly.push(s);
      else stats.belowMinCost++;
    } catch {
      // a statement that cannot be planned gets no advice (the detailed part notes why, for its statements)
    }
  });
  return costly;
}

/** 2 and 3, with the chosen indexes in place in every session for the rest of the batch. */
async function adviseBatch(tail: TailState, costly: TailStmt[]): Promise<void> {
  const { sessions } = tail.ctx;
  const hyps: HypotheticalIndex[][] = [];
  try {
    for (const p of sessions) {
      const list: HypotheticalIndex[] = [];
      hyps.push(list);
      for (const c of tail.chosen) list.push(await p.createHypothetical(c));
    }
    const unserved = await servedByChosen(tail, costly, hyps);
    await planOwnCandidates(tail, ownCandidates(tail, unserved));
    await planTailOrSets(tail, unserved);
  } finally {
    for (let w = 0; w < hyps.length; w++) for (const h of hyps[w]) await sessions[w].dropHypothetical(h).catch(() => undefined);
  }
}

/** 2. The statements the chosen indexes serve add to their savings; the others are returned. */
async function servedByChosen(tail: TailState, costly: TailStmt[], hyps: HypotheticalIndex[][]): Promise<TailStmt[]> {
  const { sessions, opts } = tail.ctx;
  const unserved: TailStmt[] = [];
  await inParallel(tail.chosen.length > 0 ? costly : [], sessions.length, async (s, w) => {
    let plan: PlanNode;
    try {
      plan = await sessions[w].explain(s.text, s.nParams, { paramTypes: s.paramTypes });
    } catch {
      return;
    }
    const cost = effectiveCost(plan, rowsPerCall(s));
    const used = hyps[w].map((h, i) => (planUsesIndex(plan, h.name) ? i : -1)).filter((i) => i >= 0);
    if (used.length > 0 && cost <= s.costBefore * (1 - opts.minSavingFraction)) {
      tail.stats.served++;
      const saved = (s.totalMs * (s.costBefore - cost)) / s.costBefore / used.length;
      for (const i of used) {
        const key = tail.chosenKeys[i];
        const e = tail.chosenSaving.get(key) ?? { savedMs: 0, statements: 0, examples: [] };
        e.savedMs += saved;
        e.statements++;
        if (wouldEnter(e, s.totalMs)) addExample(e, servedStatement(s, cost, planExcerpt(s.beforePlan!), planExcerpt(plan)));
        tail.chosenSaving.set(key, e);
      }
    } else {
      s.costWith = cost;
      unserved.push(s);
    }
  });
  if (tail.chosen.length === 0) unserved.push(...costly);
  return unserved;
}

type OwnCandidates = Map<string, { cand: Candidate; groups: Map<string, TailStmt[]> }>;

/** 3. The unserved statements' own key-only candidates, by key, with the statements grouped by access pattern. */
function ownCandidates(tail: TailState, unserved: TailStmt[]): OwnCandidates {
  const work: OwnCandidates = new Map();
  for (const s of unserved) {
    for (const a of s.accesses) {
      for (const c of candidatesFor(a, tail.ctx.opts)) {
        if (c.include.length > 0 || coveredBy(c, a.table.indexes)) continue;
        if (tail.chosen.some((x) => candidateServedBy(c, x))) continue;
        const key = candidateKey(c);
        const e = work.get(key) ?? { cand: c, groups: new Map<string, TailStmt[]>() };
        const g = e.groups.get(s.signature) ?? [];
        if (!g.includes(s)) g.push(s);
        e.groups.set(s.signature, g);
        work.set(key, e);
      }
    }
  }
  return work;
}

/** 3. Each candidate planned once per access pattern (the chosen ones still in place); it sums what it saves. */
async function planOwnCandidates(tail: TailState, work: OwnCandidates): Promise<void> {
  const { sessions, opts } = tail.ctx;
  await inParallel([...work], sessions.length, async ([key, e], w) => {
    if (tail.budget <= 0) return;
    const p = sessions[w];
    let h: HypotheticalIndex;
    try {
      h = await p.createHypothetical(e.cand);
    } catch {
      return;
    }
    try {
      for (const members of e.groups.values()) {
        if (tail.budget <= 0) break;
        tail.budget--;
        tail.stats.evaluations++;
        const rep = members[0];
        let plan: PlanNode;
        try {
          plan = await p.explain(rep.text, rep.nParams, { paramTypes: rep.paramTypes });
        } catch {
          continue;
        }
        if (!planUsesIndex(plan, h.name)) continue;
        const after = costModel(plan);
        for (const m of members) {
          const rpc = rowsPerCall(m);
          const cost = (m.costBefore * costAt(after, rpc)) / Math.max(1e-9, costAt(rep.beforeModel!, rpc));
          if (cost > m.costBefore * (1 - opts.minSavingFraction) || cost >= m.costWith) continue;
          addTailSaving(tail, key, e.cand, m, cost);
        }
      }
    } finally {
      await p.dropHypothetical(h).catch(() => undefined);
    }
  });
}

/** A tail candidate's saving for statement `m` at `cost`. */
function addTailSaving(tail: TailState, key: string, cand: Candidate, m: TailStmt, cost: number): void {
  const { ctx } = tail;
  let t = tail.tailCands.get(key);
  if (!t) {
    const k = `${cand.schema}.${cand.table}`;
    const wc = writeCostMs(cand, ctx.writes.get(k), ctx.updatedColumns.get(k), ctx.opts.indexWriteCostMsPerRow);
    t = { cand, writeCostMs: wc, savedMs: 0, statements: 0, examples: [] };
    tail.tailCands.set(key, t);
  }
  t.savedMs += (m.totalMs * (m.costWith - cost)) / m.costBefore;
  t.statements++;
  // Plan excerpts only for the proposals that are kept (addPlanExcerpts): thousands of candidates are summed here.
  if (wouldEnter(t, m.totalMs)) addExample(t, servedStatement(m, cost, '', ''));
}

/** Above MAX_TAIL_CANDIDATES, the half that saves least is dropped. */
function pruneTailCandidates(tail: TailState): void {
  const { tailCands } = tail;
  if (tailCands.size > MAX_TAIL_CANDIDATES) {
    const keep = [...tailCands].sort((a, b) => b[1].savedMs - a[1].savedMs).slice(0, MAX_TAIL_CANDIDATES / 2);
    tailCands.clear();
    for (const [k, v] of keep) tailCands.set(k, v);
    tail.stats.pruned = true;
  }
}

/** The plans before and after (the candidate as a hypothetical index) of the proposals' example statements. */
async function addPlanExcerpts(proposals: TailProposal[], p: GenericPlanner): Promise<void> {
  const again = (ex: ServedStatement, nParams: number) =>
    p.explain(ex.query, nParams).then(planExcerpt, () => '(could not be planned again)');
  for (const prop of proposals) {
    const nParams = prop.examples.map(
      (ex) => (tryParse(ex.query, { fingerprint: false }) as { facts?: StatementFacts }).facts?.maxParam ?? 0,
    );
    for (const [i, ex] of prop.examples.entries()) ex.planBefore = await again(ex, nParams[i]);
    const h = await p.createHypothetical(prop.cand).catch(() => null);
    if (!h) continue;
    try {
      for (const [i, ex] of prop.examples.entries()) ex.planAfter = await again(ex, nParams[i]);
    } finally {
      await p.dropHypothetical(h).catch(() => undefined);
    }
  }
}
