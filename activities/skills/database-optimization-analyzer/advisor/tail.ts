// The tail: the statements beyond the detailedStatements heaviest, streamed in batches against the
// chosen indexes (tail-batches.ts); what they add to the recommendations.
import { round } from '../../../../common/round';
import type { Catalog } from '../../../postgres/catalog';
import { candidateKey, candidateServedBy, type Candidate } from '../../../postgres/index-model';
import type { Evaluation } from './evaluate';
import type { AdvisorOptions } from './options';
import { orSetNote } from './or-sets';
import { recommendation } from './recommendation';
import { adviseTail, type TailResult } from './tail-batches';
import type { AdvisorResult, IndexRecommendation, ServedStatement, TableWrites } from './types';
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
 * the tail's own candidates and OR sets; the largest net savings are kept (per table and in all, as the
 * limits say), a set whole or not at all.
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
  const rec = (cand: Candidate, savedMs: number, writeCost: number, examples: ServedStatement[], statements: number) => {
    const r = recommendation(cand, catalog, writes.get(`${cand.schema}.${cand.table}`), savedMs, writeCost, [...examples], true);
    r.statementCount = statements;
    return r;
  };
  const units: Unit[] = [
    ...recs.map((r) => unit([r])),
    ...tr.proposals.map((p) => unit([rec(p.cand, p.savedMs, p.writeCostMs, p.examples, p.statements)])),
    ...tr.orSets.map((t) =>
      unit(
        t.set.members.map((m, i) => {
          const r = rec(m, t.savedMs / t.set.members.length, t.writeCostMs[i], t.examples, t.statements);
          r.columnNotes.push(orSetNote(t.set, m));
          return r;
        }),
        `OR set ${t.set.key}`,
      ),
    ),
  ].sort((a, b) => b.net - a.net);
  return keepLargest(units, opts, rejected);
}

/** One recommendation, or the members of an OR set (kept together). */
export interface Unit {
  recs: IndexRecommendation[];
  net: number;
  key: string;
}

export function unit(recs: IndexRecommendation[], key?: string): Unit {
  return { recs, net: recs.reduce((n, r) => n + r.savedMs - r.writeCostMs, 0), key: key ?? candidateKey(recs[0]) };
}

/** The units with the largest net savings, within maxNewIndexes and maxIndexesPerTable. */
export function keepLargest(units: Unit[], opts: AdvisorOptions, rejected: AdvisorResult['rejected']): IndexRecommendation[] {
  const kept: IndexRecommendation[] = [];
  let reported = 0;
  const reject = (key: string, reason: string) => {
    if (reported++ < 20) rejected.push({ candidate: key, reason });
  };
  for (const x of units) {
    const sameTable = (r: IndexRecommendation) => kept.filter((k) => k.schema === r.schema && k.table === r.table);
    // A member (or an index) that a kept one already serves adds nothing but a second index.
    const fresh = x.recs.filter((r) => !sameTable(r).some((k) => candidateServedBy({ ...r, include: [] }, k) || candidateServedBy(k, r)));
    if (x.net <= opts.minNetGainMs) {
      reject(
        x.key,
        `its net saving over the lighter statements, ${round(x.net, 1)} ms after its write cost, is not above ${opts.minNetGainMs} ms`,
      );
      continue;
    }
    if (fresh.length === 0) continue;
    if (
      kept.length + fresh.length > opts.maxNewIndexes ||
      fresh.some((r) => sameTable(r).length + fresh.length > opts.maxIndexesPerTable)
    ) {
      reject(
        x.key,
        `saves ${round(x.net, 1)} ms net, less than the ${opts.maxNewIndexes} indexes proposed (maxNewIndexes / maxIndexesPerTable)`,
      );
      continue;
    }
    kept.push(...fresh);
  }
  return kept;
}
