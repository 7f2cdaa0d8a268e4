// Without hypopg: unverified proposals. Per statement whose plan scans a table sequentially, its
// most complete candidate, with an assumed saving (unverifiedSavingFraction).
import { round } from '../../../../common/round';
import { candidateKey, candidateServedBy } from '../../../postgres/index-model';
import { candidatesFor } from './candidates';
import type { Evaluation } from './evaluate';
import type { EvalCandidate } from './greedy';
import { recommendation, servedStatement } from './recommendation';
import { tableKey, type Stmt } from './statement';
import type { IndexRecommendation } from './types';
import type { WorkloadSplit } from './workload';

/** The proposals; the tail, if any, is not analyzed (a note says so). */
export function unverifiedProposals(ev: Evaluation, split: WorkloadSplit): IndexRecommendation[] {
  const { byIdx, cands } = ev;
  const { catalog, writes } = ev.tables;
  const { opts, rejected } = ev.run;
  const picked = new Map<string, { ec: EvalCandidate; stmts: Stmt[] }>();
  const known = new Map(cands.map((c) => [c.key, c]));
  for (const s of byIdx.values()) {
    for (const a of s.accesses) {
      if (!s.seqScans.has(tableKey(a.table))) continue;
      const first = candidatesFor(a, opts)
        // Without hypopg nothing shows PostgreSQL accepts an expression key (it must be immutable): none is proposed.
        .filter((c) => c.include.length === 0 && !c.keys.some((k) => k.expression))
        .map((c) => known.get(candidateKey(c)))
        .find((c) => c !== undefined);
      if (!first) continue;
      const e = picked.get(first.key) ?? { ec: first, stmts: [] };
      e.stmts.push(s);
      picked.set(first.key, e);
    }
  }
  // Merge a candidate into a bigger one that serves it too.
  const list = [...picked.values()].sort((a, b) => b.ec.cand.keys.length - a.ec.cand.keys.length);
  const merged: typeof list = [];
  for (const e of list) {
    const into = merged.find((m) => candidateServedBy(e.ec.cand, m.ec.cand));
    if (into) into.stmts.push(...e.stmts.filter((s) => !into.stmts.includes(s)));
    else merged.push(e);
  }
  const out: IndexRecommendation[] = [];
  for (const { ec, stmts } of merged) {
    if (out.filter((r) => r.table === ec.cand.table && r.schema === ec.cand.schema).length >= opts.maxIndexesPerTable) continue;
    const savedMs = stmts.reduce((sum, s) => sum + s.totalMs * opts.unverifiedSavingFraction, 0);
    if (savedMs - ec.writeCostMs <= opts.minNetGainMs) {
      rejected.push({
        candidate: ec.key,
        reason: `its estimated write cost ${round(ec.writeCostMs, 1)} ms outweighs the assumed saving ${round(savedMs, 1)} ms`,
      });
      continue;
    }
    const statements = stmts.map((s) => servedStatement(s, s.costBefore * (1 - opts.unverifiedSavingFraction), s.planBefore, ''));
    out.push(
      recommendation(ec.cand, catalog, writes.get(`${ec.cand.schema}.${ec.cand.table}`), savedMs, ec.writeCostMs, statements, false),
    );
  }
  if (split.tail.length > 0)
    ev.run.notes.push(
      `without hypopg only the ${split.detailed.length} heaviest statements were analyzed (${split.tail.length} lighter ones were not)`,
    );
  return out.slice(0, opts.maxNewIndexes);
}
