// GIN/GiST proposals (hypopg cannot model these methods): per candidate (gin-workload.ts), its
// statements' generic plans on the real table (in the planning sessions); then, with the sampleVerify
// option, the plans without and with the index built on a sample (sample-verify.ts): it is proposed
// when the sample's plans use it and save at least minSavingFraction, the saving scaled to the window
// as for hypopg (statement time x cost saving). Without the option, proposed NOT verified for
// statements whose plan scans the table sequentially, with the assumed saving (unverifiedSavingFraction).
import { round } from '../../../../common/round';
import { coveredBy, type Candidate } from '../../../postgres/index-model';
import type { GenericPlanner } from '../../../postgres/planner';
import { costAt, costModel, planExcerpt, seqScannedRelations } from '../../../postgres/plan-walk';
import { passesCostGate } from './cost-gate';
import { ginWorkload, type GinGroup, type GinScan, type GinStatement } from './gin-workload';
import { inParallel } from './parallel';
import { recommendation } from './recommendation';
import type { AdvisorRun } from './run';
import { verifyOnSample } from './sample-verify';
import { rowsPerCall, tableKey } from './statement';
import { writeCostMs, type Tables } from './tables';
import type { IndexRecommendation, ServedStatement } from './types';

/** A GIN index costs more to maintain than a btree (several entries per row); its pending list amortizes part of it. */
const GIN_WRITE_FACTOR = 3;
/** Statements per candidate planned on the sample (the heaviest). */
const MAX_SAMPLED_STATEMENTS = 5;
/** Statements per candidate planned at all (the heaviest): bounds the time on huge workloads; the lighter ones are not counted. */
const MAX_PLANNED_STATEMENTS = 50;

interface Baseline {
  cost: number;
  plan: string;
  seqScans: Set<string>;
}

type Planned = { s: GinStatement; base: Baseline };

/** The index's existing twin: same keys, or for jsonb_path_ops the default jsonb_ops (it serves @> too). */
function existingTwin(c: Candidate, tables: Tables): string | null {
  const t = tables.catalog.get(c.schema, c.table);
  if (!t) return null;
  return (
    coveredBy(c, t.indexes) ??
    (c.keys[0].opclass === 'jsonb_path_ops' ? coveredBy({ ...c, keys: [{ name: c.keys[0].name }] }, t.indexes) : null)
  );
}

async function trigramState(run: AdvisorRun): Promise<{ created: boolean; available: boolean }> {
  const { rows } = await run.pool.query(
    `SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') AS created,
            EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm') AS available`,
  );
  return { created: rows[0].created === true, available: rows[0].available === true };
}

async function planBaselines(run: AdvisorRun, sessions: GenericPlanner[], groups: GinGroup[]): Promise<Map<GinStatement, Baseline>> {
  const out = new Map<GinStatement, Baseline>();
  const stmts = [...new Set(groups.flatMap((g) => g.stmts.slice(0, MAX_PLANNED_STATEMENTS)))];
  await inParallel(stmts, sessions.length, async (s, w) => {
    try {
      const plan = await sessions[w].explain(s.text, s.nParams, { verbose: true }); // VERBOSE: the scans name their schema
      const cost = costAt(costModel(plan), rowsPerCall({ calls: s.calls, rows: s.rows, kind: 'select' }));
      out.set(s, { cost, plan: planExcerpt(plan), seqScans: seqScannedRelations(plan) });
    } catch {
      run.stats.planErrors++;
    }
  });
  return out;
}

/**
 * The GIN/GiST recommendations, within the per-table and overall limits left by `chosen`; `sessions`:
 * the planning sessions (their hypothetical indexes dropped), `scan`: scanWorkload's.
 */
export async function ginProposals(
  run: AdvisorRun,
  sessions: GenericPlanner[],
  tables: Tables,
  scan: GinScan,
  chosen: IndexRecommendation[],
): Promise<IndexRecommendation[]> {
  const { opts } = run;
  const { groups, unserved } = ginWorkload(run.input.statements, scan, tables.catalog, opts.minTableRows);
  if (unserved.length > 0) run.notes.push(`no GIN/GiST index serves these operand and operator mixes: ${unserved.slice(0, 5).join('; ')}`);
  const open = groups.filter((g) => {
    const twin = existingTwin(g.cand, tables);
    if (twin) run.notes.push(`${g.key} is already served by the existing index ${twin}`);
    return !twin;
  });
  if (open.length === 0) return [];
  const trgm = open.some((g) => g.trigram) ? await trigramState(run) : { created: true, available: true };
  const baselines = await planBaselines(run, sessions, open);
  const out: IndexRecommendation[] = [];
  let unverified = 0;
  const noRoom: string[] = [];
  for (const g of open) {
    const all = [...chosen, ...out];
    if (
      all.length >= opts.maxNewIndexes ||
      all.filter((r) => r.schema === g.cand.schema && r.table === g.cand.table).length >= opts.maxIndexesPerTable
    ) {
      noRoom.push(g.key);
      continue;
    }
    const planned = g.stmts
      .slice(0, MAX_PLANNED_STATEMENTS)
      .map((s) => ({ s, base: baselines.get(s)! }))
      .filter((x) => x.base && passesCostGate(x.base.cost, x.s, opts));
    if (planned.length === 0) continue;
    if (g.trigram && !trgm.created && !trgm.available) {
      run.notes.push(`${g.key} would need the pg_trgm extension, which this server does not have (e.g. postgresql-contrib)`);
      continue;
    }
    const needsExtension = g.trigram && !trgm.created ? 'pg_trgm' : undefined;
    const rec =
      opts.sampleVerify.enabled && !needsExtension
        ? await bySample(run, tables, g, planned)
        : unverifiedGin(run, tables, g, planned, needsExtension);
    if (rec) out.push(rec);
    if (rec && !rec.verified) unverified++;
  }
  if (noRoom.length > 0)
    run.notes.push(
      `${noRoom.length} GIN/GiST candidate${noRoom.length > 1 ? 's were' : ' was'} not weighed: the btree proposals already take ` +
        `their table's maxIndexesPerTable (${opts.maxIndexesPerTable}) or the maxNewIndexes (${opts.maxNewIndexes}) slots ` +
        `(${noRoom.slice(0, 3).join('; ')}); raise those options to weigh them`,
    );
  if (unverified > 0)
    run.notes.push(
      `hypopg cannot model gin/gist indexes: ${unverified} such proposal${unverified > 1 ? 's are' : ' is'} NOT verified; ` +
        'enable the advisor option sampleVerify to verify them on a sample of the table (TEMPORARY table, rolled back)',
    );
  return out;
}

function writeCost(run: AdvisorRun, tables: Tables, c: Candidate): number {
  const k = `${c.schema}.${c.table}`;
  return GIN_WRITE_FACTOR * writeCostMs(c, tables.writes.get(k), tables.updatedColumns.get(k), run.opts.indexWriteCostMsPerRow);
}

/** Net of the write cost, or null (rejected, with the reason) when the saving does not pay for it. */
function pays(run: AdvisorRun, key: string, savedMs: number, writeCostMs: number, what: string): boolean {
  if (savedMs - writeCostMs > run.opts.minNetGainMs) return true;
  run.rejected.push({
    candidate: key,
    reason: `its estimated write cost ${round(writeCostMs, 1)} ms outweighs the ${what} saving ${round(savedMs, 1)} ms`,
  });
  return false;
}

function unverifiedGin(
  run: AdvisorRun,
  tables: Tables,
  g: GinGroup,
  planned: Planned[],
  needsExtension?: string,
): IndexRecommendation | null {
  const f = run.opts.unverifiedSavingFraction;
  const scanning = planned.filter((p) => p.base.seqScans.has(`${g.cand.schema}.${g.cand.table}`));
  if (scanning.length === 0) return null;
  const savedMs = scanning.reduce((sum, p) => sum + p.s.totalMs * f, 0);
  const wc = writeCost(run, tables, g.cand);
  if (!pays(run, g.key, savedMs, wc, 'assumed')) return null;
  const statements = scanning.map((p) => served(p, p.base.cost * (1 - f), ''));
  const w = tables.writes.get(`${g.cand.schema}.${g.cand.table}`);
  const rec = recommendation(g.cand, tables.catalog, w, savedMs, wc, statements, false);
  return { ...rec, verifiedBy: null, ...(needsExtension ? { needsExtension } : {}) };
}

function served(p: Planned, costAfter: number, planAfter: string, sampleCosts?: { before: number; after: number }): ServedStatement {
  const s = p.s;
  return {
    queryids: s.queryids,
    query: s.text,
    calls: s.calls,
    totalMs: s.totalMs,
    rows: s.rows,
    costBefore: p.base.cost,
    costAfter,
    planBefore: p.base.plan,
    planAfter,
    ...(sampleCosts ? { sampleCosts } : {}),
  };
}

async function bySample(run: AdvisorRun, tables: Tables, g: GinGroup, planned: Planned[]): Promise<IndexRecommendation | null> {
  const { opts } = run;
  const table = tables.catalog.get(g.cand.schema, g.cand.table)!;
  const heaviest = planned.slice(0, MAX_SAMPLED_STATEMENTS);
  let result;
  try {
    result = await verifyOnSample(
      run.pool,
      table,
      g.cand,
      heaviest.map((p) => p.s),
      opts.sampleVerify,
    );
  } catch (err) {
    run.rejected.push({ candidate: g.key, reason: `the verification on a sample failed: ${(err as Error).message}` });
    return null;
  }
  const statements: ServedStatement[] = [];
  let savedMs = 0;
  const misses: string[] = [];
  heaviest.forEach((p, i) => {
    const r = result.plans[i];
    if (!r) return void misses.push('not plannable on the sample');
    const ratio = r.costAfter / Math.max(1e-9, r.costBefore);
    if (!r.used || 1 - ratio < opts.minSavingFraction)
      return void misses.push(r.used ? `saves ${round(100 * (1 - ratio), 1)}%` : 'the plan does not use it');
    savedMs += p.s.totalMs * (1 - ratio);
    statements.push(served(p, p.base.cost * ratio, r.planAfter, { before: r.costBefore, after: r.costAfter }));
  });
  if (statements.length === 0) {
    run.rejected.push({ candidate: g.key, reason: `verified on a sample of ${result.rows} rows: ${[...new Set(misses)].join(', ')}` });
    return null;
  }
  const wc = writeCost(run, tables, g.cand);
  if (!pays(run, g.key, savedMs, wc, 'verified')) return null;
  const rec = recommendation(g.cand, tables.catalog, tables.writes.get(tableKey(table)), savedMs, wc, statements, true);
  return { ...rec, verifiedBy: 'sample', sample: { rows: result.rows, ms: result.ms } };
}
