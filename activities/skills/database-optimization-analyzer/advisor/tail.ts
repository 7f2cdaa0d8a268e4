// The tail: the statements beyond the detailedStatements heaviest, streamed in batches against the
// chosen indexes (tail-batches.ts); what they add to the recommendations.
import { round } from '../../../../common/round';
import type { Catalog } from '../../../postgres/catalog';
import { candidateKey, candidateServedBy } from '../../../postgres/index-model';
import type { Evaluation } from './evaluate';
import type { AdvisorOptions } from './options';
import { recommendation } from './recommendation';
import { adviseTail, type TailResult } from './tail-batches';
import type { AdvisorResult, IndexRecommendation, TableWrites } from './types';
import type { WorkloadSplit } from './workload';

/** The tail streamed against the chosen indexes; the detailed part's state is let go first. */
export async function streamTail(ev: Evaluation, split: WorkloadSplit, recs: IndexRecommendation[]): Promise<IndexRecommendation[]> {
  const { run, tables } = ev;
  const { opts, stats } = run;
  for (const c of ev.cands) c.results.clear();
  ev.byIdx.clear();
  ev.origins.clear();
  ev.byLead.clear();
  const tr = await adviseTail(run.input.statements, split.tail, recs, {
    sessions: ev.sessions,
    catalog: tables.catalog,
    writes: tables.writes,
    updatedColumns: tables.updatedColumns,
    opts,
    budget: Math.max(0, opts.maxEvaluations - stats.evaluations),
    heartbeat: run.ctx.heartbeat,
  });
  stats.tail = tr.stats;
  stats.fingerprints += tr.stats.fingerprints;
  stats.analyzable += tr.stats.analyzable;
  stats.planned += tr.stats.planned;
  stats.belowMinCost += tr.stats.belowMinCost;
  stats.evaluations += tr.stats.evaluations;
  const merged = mergeTail(recs, tr, tables.catalog, tables.writes, opts, run.rejected);
  run.notes.push(
    `the ${split.detailed.length} heaviest statements were analyzed together; the other ${split.tail.length} were streamed in batches of ` +
      `${opts.tailBatchStatements} against the chosen indexes and their own candidates (${tr.stats.served} served by the chosen indexes)`,
  );
  return merged;
}

/**
 * The recommendations after the tail: the chosen indexes with what they also save over the tail, and
 * the tail's own candidates; the largest net savings are kept (per table and in all, as the limits say).
 */
function mergeTail(
  recs: IndexRecommendation[],
  tr: TailResult,
  catalog: Catalog,
  writes: Map<string, TableWrites>,
  opts: AdvisorOptions,
  rejected: AdvisorResult['rejected'],
): IndexRecommendation[] {
  for (const r of recs) {
    const e = tr.chosen.get(candidateKey(r));
    if (!e) continue;
    r.savedMs += e.savedMs;
    r.statementCount += e.statements;
    r.statements = [...r.statements, ...e.examples].sort((a, b) => b.totalMs - a.totalMs);
  }
  const all = [
    ...recs,
    ...tr.proposals.map((p) => {
      const rec = recommendation(
        p.cand,
        catalog,
        writes.get(`${p.cand.schema}.${p.cand.table}`),
        p.savedMs,
        p.writeCostMs,
        p.examples,
        true,
      );
      rec.statementCount = p.statements;
      return rec;
    }),
  ]
    .map((rec) => ({ rec, net: rec.savedMs - rec.writeCostMs }))
    .sort((a, b) => b.net - a.net);
  const kept: IndexRecommendation[] = [];
  let reported = 0;
  const reject = (key: string, reason: string) => {
    if (reported++ < 20) rejected.push({ candidate: key, reason });
  };
  for (const x of all) {
    const key = candidateKey(x.rec);
    const sameTable = kept.filter((r) => r.schema === x.rec.schema && r.table === x.rec.table);
    if (x.net <= opts.minNetGainMs) {
      reject(
        key,
        `its net saving over the lighter statements, ${round(x.net, 1)} ms after its write cost, is not above ${opts.minNetGainMs} ms`,
      );
      continue;
    }
    if (sameTable.some((r) => candidateServedBy({ ...x.rec, include: [] }, r) || candidateServedBy(r, x.rec))) continue;
    if (kept.length >= opts.maxNewIndexes || sameTable.length >= opts.maxIndexesPerTable) {
      reject(
        key,
        `saves ${round(x.net, 1)} ms net, less than the ${opts.maxNewIndexes} indexes proposed (maxNewIndexes / maxIndexesPerTable)`,
      );
      continue;
    }
    kept.push(x.rec);
  }
  return kept;
}
