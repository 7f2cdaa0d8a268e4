// The greedy choice of a small set of indexes from the candidates' hypothetical plans (pure).
import { round } from '../../../../common/round';
import { candidateKey, candidateServedBy, type Candidate } from '../../../postgres/index-model';
import { breakTie, DEFAULT_TIE_MARGIN, removedOver, tiedWith, type PlanTraits, type Removal, type TieSide } from './tie-break';

export interface EvalResult {
  cost: number;
  used: boolean;
  /** What its generic plan does at the statement's real LIMIT (a sort it stops before, an index-only scan). */
  traits?: PlanTraits;
}

export interface EvalCandidate {
  key: string;
  cand: Candidate;
  /** Statement index -> plan with this index alone. */
  results: Map<number, EvalResult>;
  writeCostMs: number;
  /** Statements not planned with it yet: counted as if it removed their whole cost (an upper bound). */
  optimistic?: number[];
}

export interface EvalStatement {
  idx: number;
  costBefore: number;
  totalMs: number;
}

export interface GreedyOptions {
  minSavingFraction: number;
  /** An index must itself cut at least this fraction of a statement's cost for the statement to count. */
  minMarginalSavingFraction: number;
  maxIndexesPerTable: number;
  maxNewIndexes: number;
  minNetGainMs: number;
  includeMinExtraGain: number;
  /** Net gains within this fraction of the best are a tie (tie-break.ts); default DEFAULT_TIE_MARGIN. */
  tieMargin?: number;
}

export interface GreedyChoice {
  key: string;
  gainMs: number;
  writeCostMs: number;
  /** Statements it improves (at the moment it was chosen) and their cost with it. */
  served: Map<number, number>;
  /** Chosen in a near tie over a smaller index, for what it removes that the smaller one keeps. */
  tie?: { over: string; removal: Removal };
}

interface Scored {
  c: EvalCandidate;
  gain: number;
  net: number;
  served: Map<number, number>;
}

interface CandidateMeta {
  c: EvalCandidate;
  /** Its table, "schema.table". */
  t: string;
  /** For an INCLUDE variant, the key of the same keys without INCLUDE. */
  base: string | null;
}

/** The choice so far. */
interface Choice {
  stmts: Map<number, EvalStatement>;
  opts: GreedyOptions;
  /** Statement -> table -> cost saved by the chosen indexes. */
  tableSaving: Map<number, Map<string, number>>;
  chosen: GreedyChoice[];
  chosenKeys: Set<string>;
  chosenByTable: Map<string, Candidate[]>;
  perTable: Map<string, number>;
}

const tkey = (c: Candidate) => `${c.schema}.${c.table}`;

/**
 * Greedy choice of a small set of indexes. A statement's cost with several chosen indexes is
 * estimated as its cost before minus, per table, the largest saving of a chosen index on that table
 * (indexes on one table compete for its scan; indexes on different tables add up). An index counts
 * for a statement when the plan uses it and the statement's estimated cost with it (and the indexes
 * already chosen) is at most (1 - minSavingFraction) of the cost before. Its gain is the window time
 * it saves (statement total time x cost saved / cost before) minus its write cost.
 */
export function greedySelect(
  cands: EvalCandidate[],
  stmts: Map<number, EvalStatement>,
  opts: GreedyOptions,
): { chosen: GreedyChoice[]; rejected: { key: string; reason: string }[] } {
  const choice: Choice = {
    stmts,
    opts,
    tableSaving: new Map(),
    chosen: [],
    chosenKeys: new Set(),
    chosenByTable: new Map(),
    perTable: new Map(),
  };
  const rejected = new Map<string, string>();
  const meta: CandidateMeta[] = cands.map((c) => ({
    c,
    t: tkey(c.cand),
    base: c.cand.include.length ? candidateKey({ ...c.cand, include: [] }) : null,
  }));
  const baseOf = new Map(meta.map((m) => [m.c.key, m.base]));
  // Scores only change for candidates on the chosen index's table or sharing a statement with it.
  const cache = new Map<string, Scored | null>();
  const byStatement = candidatesByStatement(meta);
  while (choice.chosen.length < opts.maxNewIndexes) {
    const scored = scoreAll(choice, meta, cache);
    const pick = bestOf(scored, baseOf, choice);
    if (!pick || pick.net <= opts.minNetGainMs) {
      for (const x of scored) {
        if (x.net <= opts.minNetGainMs && x.c.writeCostMs > 0) {
          rejected.set(
            x.c.key,
            `its estimated write cost (${round(x.c.writeCostMs, 1)} ms of index maintenance in the window) outweighs the ${round(x.gain, 1)} ms it would save`,
          );
        }
      }
      break;
    }
    const pt = tkey(pick.c.cand);
    for (const m of meta) if (m.t === pt) cache.delete(m.c.key);
    for (const idx of pick.served.keys()) for (const k of byStatement.get(idx) ?? []) cache.delete(k);
    choose(choice, pick, pt);
    rejected.delete(pick.c.key);
  }
  return { chosen: choice.chosen, rejected: [...rejected].map(([key, reason]) => ({ key, reason })) };
}

/** Statement index -> the keys of the candidates planned (or optimistically counted) with it. */
function candidatesByStatement(meta: CandidateMeta[]): Map<number, string[]> {
  const byStatement = new Map<number, string[]>();
  for (const m of meta) {
    for (const idx of [...m.c.results.keys(), ...(m.c.optimistic ?? [])]) {
      const list = byStatement.get(idx) ?? [];
      list.push(m.c.key);
      byStatement.set(idx, list);
    }
  }
  return byStatement;
}

/** The candidates that may still be chosen, with a gain, scored with the indexes chosen so far. */
function scoreAll(choice: Choice, meta: CandidateMeta[], cache: Map<string, Scored | null>): Scored[] {
  const scored: Scored[] = [];
  for (const { c, t } of meta) {
    if (choice.chosenKeys.has(c.key)) continue;
    if ((choice.perTable.get(t) ?? 0) >= choice.opts.maxIndexesPerTable) continue;
    // Keys that a chosen index already serves (with or without INCLUDE) add nothing but a second index.
    if ((choice.chosenByTable.get(t) ?? []).some((x) => candidateServedBy({ ...c.cand, include: [] }, x))) continue;
    let sc = cache.get(c.key);
    if (sc === undefined) {
      const { gain, served } = gainOf(choice, c, t);
      sc = gain > 0 ? { c, gain, net: gain - c.writeCostMs, served } : null;
      cache.set(c.key, sc);
    }
    if (sc) scored.push(sc);
  }
  return scored;
}

/** Window time a candidate on table `t` would save with the indexes chosen so far, and the statements it serves. */
function gainOf(choice: Choice, c: EvalCandidate, t: string): { gain: number; served: Map<number, number> } {
  const { stmts, opts, tableSaving } = choice;
  let gain = 0;
  const served = new Map<number, number>();
  const add = (idx: number, cost: number, used: boolean) => {
    const s = stmts.get(idx);
    if (!s || !used || s.costBefore <= 0) return;
    const mine = s.costBefore - cost;
    const current = tableSaving.get(idx)?.get(t) ?? 0;
    if (mine - current < s.costBefore * opts.minMarginalSavingFraction) return;
    const after = s.costBefore - (savedSoFar(tableSaving, idx) - current + mine);
    if (after > s.costBefore * (1 - opts.minSavingFraction)) return;
    gain += (s.totalMs * (mine - current)) / s.costBefore;
    served.set(idx, cost);
  };
  for (const [idx, r] of c.results) add(idx, r.cost, r.used);
  for (const idx of c.optimistic ?? []) if (!c.results.has(idx)) add(idx, 0, true);
  return { gain, served };
}

/** Cost saved for a statement by the indexes chosen so far (per table, the largest saving). */
function savedSoFar(tableSaving: Map<number, Map<string, number>>, idx: number): number {
  return [...(tableSaving.get(idx)?.values() ?? [])].reduce((a, b) => a + b, 0);
}

/** The candidate with the largest net gain; in a near tie, the one that removes a sort or heap fetch, else the smaller (tie-break.ts). */
function bestOf(scored: Scored[], baseOf: Map<string, string | null>, choice: Choice): (Scored & { tie?: GreedyChoice['tie'] }) | null {
  const { opts, stmts } = choice;
  // INCLUDE only when it is clearly better than the same keys without it.
  const gains = new Map(scored.map((x) => [x.c.key, x.gain]));
  const eligible = scored.filter((x) => {
    const base = baseOf.get(x.c.key);
    if (!base) return true;
    const baseGain = gains.get(base);
    if (baseGain === undefined) return true; // the keys alone save nothing (or are not a candidate)
    return x.gain >= baseGain * (1 + opts.includeMinExtraGain);
  });
  const sides = eligible.filter((x) => x.net > opts.minNetGainMs).map((x) => ({ ...tieSide(x), x }));
  const stmtMs = (idx: number) => stmts.get(idx)?.totalMs ?? 0;
  const margin = opts.tieMargin ?? DEFAULT_TIE_MARGIN;
  const pick = breakTie(sides, margin, stmtMs);
  if (!pick) return eligible.reduce<Scored | null>((a, x) => (!a || x.net > a.net ? x : a), null);
  // The smaller index it was preferred to, for the evidence.
  for (const s of tiedWith(sides, margin)) {
    if (s.size >= pick.size) continue;
    const removal = removedOver(pick, s, stmtMs);
    if (removal.ms > 0) return { ...pick.x, tie: { over: s.key, removal } };
  }
  return pick.x;
}

function tieSide(x: Scored): TieSide {
  const traits = new Map<number, PlanTraits | undefined>();
  for (const idx of x.served.keys()) traits.set(idx, x.c.results.get(idx)?.traits);
  return { key: x.c.key, net: x.net, size: x.c.cand.keys.length + x.c.cand.include.length, traits };
}

/** Adds the pick (on table `pt`) to the choice. */
function choose(choice: Choice, pick: Scored & { tie?: GreedyChoice['tie'] }, pt: string): void {
  choice.chosenKeys.add(pick.c.key);
  choice.chosenByTable.set(pt, [...(choice.chosenByTable.get(pt) ?? []), pick.c.cand]);
  choice.chosen.push({
    key: pick.c.key,
    gainMs: pick.gain,
    writeCostMs: pick.c.writeCostMs,
    served: pick.served,
    ...(pick.tie ? { tie: pick.tie } : {}),
  });
  choice.perTable.set(pt, (choice.perTable.get(pt) ?? 0) + 1);
  for (const [idx, cost] of pick.served) {
    const m = choice.tableSaving.get(idx) ?? new Map<string, number>();
    m.set(pt, Math.max(m.get(pt) ?? 0, choice.stmts.get(idx)!.costBefore - cost));
    choice.tableSaving.set(idx, m);
  }
}
