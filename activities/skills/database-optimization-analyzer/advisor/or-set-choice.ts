// OR sets (or-sets.ts) costed and chosen as a set: all their members created as hypothetical indexes
// at once, each statement of the set planned once with them; the set joins the choice only when the
// plan uses every member (a BitmapOr) and the saving outweighs the members' write costs together.
import { round } from '../../../../common/round';
import { candidateKey, type Candidate } from '../../../postgres/index-model';
import { effectiveCost } from '../../../postgres/plan-walk';
import type { DetailedWorkload } from './candidates';
import type { Evaluation } from './evaluate';
import type { EvalCandidate, GreedyChoice, GreedyOptions } from './greedy';
import { orSetNote, type OrSet } from './or-sets';
import { planTogether, savedMs } from './plan-together';
import type { Selection } from './select';
import { rowsPerCall, type Stmt } from './statement';
import { writeCostMs } from './tables';
import type { IndexRecommendation } from './types';

/** A set that joined the choice, and the statements it serves. */
export interface ChosenOrSet {
  set: OrSet;
  stmts: number[];
  /** The queryids of those statements (to tell them in a recommendation's evidence). */
  queryids: Set<string>;
}

/** The sets whose statements the choice so far leaves unserved, heaviest first; those that pay join the choice. */
export async function tryOrSets(ev: Evaluation, selection: Selection, orSets: DetailedWorkload['orSets']): Promise<ChosenOrSet[]> {
  const { opts } = ev.run;
  const served = new Set(selection.chosen.flatMap((c) => [...c.served.keys()]));
  const todo = [...orSets.values()]
    .map(({ set, stmts }) => ({ set, stmts: [...stmts].map((i) => ev.byIdx.get(i)).filter((s): s is Stmt => !!s && !served.has(s.idx)) }))
    .filter((x) => x.stmts.length > 0)
    .map((x) => ({ ...x, weight: x.stmts.reduce((n, s) => n + s.totalMs, 0) }))
    .sort((a, b) => b.weight - a.weight)
    .slice(0, 50);
  orSets.clear();
  const out: ChosenOrSet[] = [];
  for (const { set, stmts } of todo) {
    if (ev.budget <= 0) break;
    const chosenKeys = new Set(selection.chosen.map((c) => c.key));
    const fresh = set.members.filter((m) => !chosenKeys.has(candidateKey(m)));
    const keep = new Set([...out.flatMap((o) => o.set.members), ...set.members].map((m) => candidateKey(m)));
    const displaced = roomFor(selection.chosen, fresh, opts, keep);
    if (!displaced) continue;
    const result = await planSet(
      ev,
      set,
      stmts.filter((s) => !out.some((o) => o.stmts.includes(s.idx))),
    );
    const members = set.members.map((m) => evalCandidate(ev, m));
    const net = result.gainMs - members.filter((m) => !chosenKeys.has(m.key)).reduce((n, m) => n + m.writeCostMs, 0);
    const displacedNet = displaced.reduce((n, c) => n + c.gainMs - c.writeCostMs, 0);
    let why = result.served.size === 0 ? result.why : null;
    if (!why && net <= opts.minNetGainMs)
      why = `it saves ${round(net, 1)} ms after the write cost of its new indexes, not more than ${opts.minNetGainMs} ms`;
    if (!why && net <= displacedNet)
      why = `it saves ${round(net, 1)} ms net, not more than the ${round(displacedNet, 1)} ms of the chosen indexes it would displace (maxNewIndexes)`;
    if (why) {
      ev.run.rejected.push({ candidate: `OR set ${set.key}`, reason: `as a set serving a BitmapOr: ${why}` });
      continue;
    }
    for (const d of displaced) {
      selection.chosen.splice(selection.chosen.indexOf(d), 1);
      ev.run.rejected.push({ candidate: d.key, reason: `displaced by the OR set ${set.key}, which saves more (maxNewIndexes)` });
    }
    for (const m of members) {
      if (!ev.cands.includes(m)) ev.cands.push(m);
      const ch = selection.chosen.find((c) => c.key === m.key);
      if (ch) for (const [idx, cost] of result.served) ch.served.set(idx, cost);
      else
        selection.chosen.push({
          key: m.key,
          gainMs: result.gainMs / members.length,
          writeCostMs: m.writeCostMs,
          served: new Map(result.served),
        });
    }
    const served = [...result.served.keys()];
    out.push({ set, stmts: served, queryids: new Set(served.flatMap((i) => ev.byIdx.get(i)!.queryids)) });
  }
  return out;
}

/**
 * The chosen indexes the set's new members would displace to stay within maxNewIndexes (the weakest,
 * never a member of a set chosen before), [] when there is room; null when it cannot fit (also per table).
 */
export function roomFor(
  chosen: GreedyChoice[],
  fresh: Candidate[],
  opts: Pick<GreedyOptions, 'maxNewIndexes' | 'maxIndexesPerTable'>,
  keep: Set<string>,
): GreedyChoice[] | null {
  const overflow = chosen.length + fresh.length - opts.maxNewIndexes;
  const weakest = chosen.filter((c) => !keep.has(c.key)).sort((a, b) => a.gainMs - a.writeCostMs - (b.gainMs - b.writeCostMs));
  if (overflow > weakest.length) return null;
  const displaced = overflow > 0 ? weakest.slice(0, overflow) : [];
  const onTable = (t: string) => chosen.filter((c) => c.key.startsWith(`${t}(`) && !displaced.includes(c)).length;
  if (fresh.some((m) => onTable(`${m.schema}.${m.table}`) + fresh.length > opts.maxIndexesPerTable)) return null;
  return displaced;
}

/** The member as an evaluation candidate (the one already known, else a new one with its write cost). */
function evalCandidate(ev: Evaluation, m: OrSet['members'][number]): EvalCandidate {
  const key = candidateKey(m);
  const known = ev.cands.find((c) => c.key === key);
  if (known) return known;
  const k = `${m.schema}.${m.table}`;
  const { writes, updatedColumns } = ev.tables;
  return {
    key,
    cand: m,
    results: new Map(),
    writeCostMs: writeCostMs(m, writes.get(k), updatedColumns.get(k), ev.run.opts.indexWriteCostMsPerRow),
  };
}

/** The set's members created at once, each statement planned once: the statements every member serves, and the window time saved. */
async function planSet(ev: Evaluation, set: OrSet, stmts: Stmt[]): Promise<{ served: Map<number, number>; gainMs: number; why: string }> {
  const { opts } = ev.run;
  const served = new Map<number, number>();
  let gainMs = 0;
  let why = 'no statement was planned with it';
  const created = await planTogether(ev.sessions[0], set.members, async (planWith) => {
    for (const s of stmts) {
      if (ev.budget <= 0) break;
      ev.budget--;
      ev.run.stats.evaluations++;
      const r = await planWith(s);
      if (!r) continue;
      const cost = effectiveCost(r.plan, rowsPerCall(s));
      const gain = savedMs(s, cost, opts.minSavingFraction);
      if (!r.allUsed) why = 'the plan with all its indexes in place does not use every one of them';
      else if (gain === null) why = `the plan with all its indexes costs ${round(cost, 1)}, not enough below ${round(s.costBefore, 1)}`;
      else {
        served.set(s.idx, cost);
        gainMs += gain;
      }
    }
  });
  if (!created) why = 'its hypothetical indexes could not be created';
  return { served, gainMs, why };
}

/**
 * After verification (and the tail): a set is kept whole or not at all (one index of a BitmapOr alone
 * serves nothing); the members kept say what they serve the BitmapOr with.
 */
export function finishOrSets(
  recs: IndexRecommendation[],
  chosen: ChosenOrSet[],
  rejected: { candidate: string; reason: string }[],
): IndexRecommendation[] {
  let out = recs;
  for (const { set, queryids } of chosen) {
    const keys = set.members.map((m) => candidateKey(m));
    const mine = out.filter((r) => keys.includes(candidateKey(r)));
    if (mine.length < keys.length) {
      const missing = keys.filter((k) => !mine.some((r) => candidateKey(r) === k));
      for (const r of mine) {
        // Kept if it also serves other statements on its own; else dropped with its set.
        const ofSet = r.statements.filter((s) => s.queryids.some((q) => queryids.has(q))).length;
        if (r.statementCount > ofSet) continue;
        rejected.push({
          candidate: candidateKey(r),
          reason: `its BitmapOr partner ${missing.join(', ')} was not kept, and alone it serves nothing`,
        });
        out = out.filter((x) => x !== r);
      }
      continue;
    }
    for (const r of mine) r.columnNotes.push(orSetNote(set, r));
  }
  return out;
}
