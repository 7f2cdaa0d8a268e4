// Each candidate alone, as a hypothetical index. Statements on one table with the same access
// pattern (they differ only in their select lists) are planned once per candidate and share its
// saving. A candidate is first planned with the statements it came from; when it does not help
// them it is not tried on the others. Those it helps leave it pending: the selection plans it with
// the rest only when the choice may need it.
import { candidateKey, type Candidate } from '../../../postgres/index-model';
import type { GenericPlanner } from '../../../postgres/planner';
import { costAt, costModel, planUsesIndex } from '../../../postgres/plan-walk';
import type { DetailedWorkload } from './candidates';
import { customShape, decisiveSaving } from './custom-plans';
import type { EvalCandidate } from './greedy';
import { inParallel } from './parallel';
import type { AdvisorRun } from './run';
import { accessSignature, rowsPerCall, tableKey, type Stmt } from './statement';
import { writeCostMs, type Tables } from './tables';
import { planTraits } from './tie-break';

/** The detailed part from the baseline plans on: what the evaluation, selection and verification share. */
export interface Evaluation {
  run: AdvisorRun;
  sessions: GenericPlanner[];
  tables: Tables;
  /** The planned statements that cost at least minPlanCost, by statement index. */
  byIdx: Map<number, Stmt>;
  cands: EvalCandidate[];
  /** Candidate key -> the statements it was derived from. */
  origins: Map<string, Set<number>>;
  /** Which planned statements each candidate may help: "schema.table\0column" -> statements. */
  byLead: Map<string, Stmt[]>;
  /** Candidates that still have statements not planned with them (lazy: planned only when the choice may need them). */
  pending: Set<string>;
  /** Hypothetical plans that may still be made. */
  budget: number;
  /** Statement index -> its access signature. */
  signatures: Map<number, string>;
  /** INCLUDE variant key -> the candidate with the same keys alone (if any). */
  keysAlone: Map<string, EvalCandidate | undefined>;
}

/** The candidates to evaluate (with their write costs) and the planned statements by leading column. */
export function newEvaluation(
  run: AdvisorRun,
  sessions: GenericPlanner[],
  tables: Tables,
  workload: DetailedWorkload,
  byIdx: Map<number, Stmt>,
): Evaluation {
  const { opts } = run;
  const cands: EvalCandidate[] = [];
  const origins = new Map<string, Set<number>>();
  for (const [key, e] of workload.candidates) {
    const tbl = tables.catalog.get(e.cand.schema, e.cand.table)!;
    const k = tableKey(tbl);
    cands.push({
      key,
      cand: e.cand,
      results: new Map(),
      writeCostMs: writeCostMs(e.cand, tables.writes.get(k), tables.updatedColumns.get(k), opts.indexWriteCostMsPerRow),
    });
    origins.set(key, e.stmts);
  }
  workload.candidates.clear(); // cands and origins hold what is needed
  run.stats.candidates = cands.length;
  return {
    run,
    sessions,
    tables,
    byIdx,
    cands,
    origins,
    byLead: statementsByLeadingColumn(byIdx),
    pending: new Set(),
    budget: opts.maxEvaluations,
    signatures: new Map(),
    keysAlone: new Map(),
  };
}

/** Which planned statements each candidate may help: its leading column is one they filter, join or sort on. */
function statementsByLeadingColumn(byIdx: Map<number, Stmt>): Map<string, Stmt[]> {
  const byLead = new Map<string, Stmt[]>(); // "schema.table\0column" -> statements
  for (const s of byIdx.values()) {
    const seen = new Set<string>();
    for (const a of s.accesses) {
      const exprKeys = [...(a.exprEq ?? []), ...(a.exprRange ?? [])].map((k) => k.name);
      for (const col of [...a.eq, ...a.range, ...a.join, ...exprKeys, ...(a.sort ? [a.sort[0].name] : [])]) {
        const k = `${tableKey(a.table)}\0${col}`;
        if (seen.has(k)) continue;
        seen.add(k);
        const list = byLead.get(k) ?? [];
        list.push(s);
        byLead.set(k, list);
      }
    }
  }
  return byLead;
}

/** Each candidate with the statements it came from; with the others later (pending) when it helps them. */
export async function evaluateAlone(ev: Evaluation): Promise<void> {
  const byKey = new Map(ev.cands.map((c) => [c.key, c]));
  for (const c of ev.cands) if (c.cand.include.length > 0) ev.keysAlone.set(c.key, byKey.get(candidateKey({ ...c.cand, include: [] })));
  let done = 0;
  const withOwn = async (c: EvalCandidate, w: number) => {
    const own = ev.origins.get(c.key) ?? new Set<number>();
    const groups = groupsFor(ev, c);
    if (groups.length === 0) return;
    const ownGroups = groups.filter((g) => own.has(g[0].idx));
    if (ownGroups.length > 0) {
      await planGroups(ev, c, ownGroups, w);
      if (!helpsOwn(ev, c, own)) return;
    }
    if (ownGroups.length < groups.length) ev.pending.add(c.key);
    if (++done % 100 === 0) ev.run.ctx.heartbeat?.({ phase: 'evaluate', done, of: ev.cands.length });
  };
  // Keys first; then INCLUDE variants (they need their keys' results).
  await inParallel(
    ev.cands.filter((c) => c.cand.include.length === 0),
    ev.sessions.length,
    withOwn,
  );
  await inParallel(
    ev.cands.filter((c) => c.cand.include.length > 0),
    ev.sessions.length,
    withOwn,
  );
}

function helpsOwn(ev: Evaluation, c: EvalCandidate, own: Set<number>): boolean {
  return [...own].some((i) => {
    const r = c.results.get(i);
    const st = ev.byIdx.get(i);
    return r && st && r.used && st.costBefore - r.cost >= st.costBefore * ev.run.opts.minMarginalSavingFraction;
  });
}

/** The statements not planned with the candidate yet, grouped by signature, its own statements first. */
export function groupsFor(ev: Evaluation, c: EvalCandidate): Stmt[][] {
  const own = ev.origins.get(c.key);
  const bySig = new Map<string, Stmt[]>();
  for (const st of ev.byLead.get(`${c.cand.schema}.${c.cand.table}\0${c.cand.keys[0].name}`) ?? []) {
    if (c.results.has(st.idx) || !eligible(ev, c, st)) continue;
    const k = signatureOf(ev, st);
    const list = bySig.get(k) ?? [];
    if (own?.has(st.idx)) list.unshift(st);
    else list.push(st);
    bySig.set(k, list);
  }
  return [...bySig.values()].sort((a, b) => Number(own?.has(b[0].idx) ?? false) - Number(own?.has(a[0].idx) ?? false));
}

function signatureOf(ev: Evaluation, st: Stmt): string {
  let k = ev.signatures.get(st.idx);
  if (k === undefined) {
    k = accessSignature(st);
    ev.signatures.set(st.idx, k);
  }
  return k;
}

/** Statements the candidate may help: for an INCLUDE variant, only those it covers and where its keys alone leave enough cost. */
function eligible(ev: Evaluation, c: EvalCandidate, st: Stmt): boolean {
  if (c.cand.include.length === 0) return true;
  if (!covers(c.cand, st)) return false;
  const base = ev.keysAlone.get(c.key);
  const r = base?.results.get(st.idx);
  const keepFraction = 1 / (1 + ev.run.opts.includeMinExtraGain);
  return !r || !r.used || st.costBefore - r.cost < st.costBefore * keepFraction;
}

function covers(c: Candidate, s: Stmt): boolean {
  const cols = new Set([...c.keys.map((k) => k.name), ...c.include]);
  return s.accesses.some(
    (a) => a.table.schema === c.schema && a.table.name === c.table && a.used !== null && [...a.used].every((n) => cols.has(n)),
  );
}

/** Plans one representative per group with the candidate as a hypothetical index; the group's members share its result. */
export async function planGroups(ev: Evaluation, c: EvalCandidate, groups: Stmt[][], w: number): Promise<void> {
  const p = ev.sessions[w];
  const h = await p.createHypothetical(c.cand);
  try {
    for (const members of groups) {
      const rep = members[0];
      if (ev.budget <= 0) break;
      ev.budget--;
      ev.run.stats.evaluations++;
      try {
        const plan = await p.explain(rep.text, rep.nParams, { paramTypes: rep.paramTypes });
        const used = planUsesIndex(plan, h.name);
        const after = costModel(plan);
        const searched = searchedKeys(c.cand, rep);
        for (const m of members) {
          const rpc = rowsPerCall(m);
          const generic = { ratio: costAt(after, rpc) / Math.max(1e-9, costAt(rep.beforeModel!, rpc)), used };
          const custom = await customShape(p, m, [h.name]);
          const d = decisiveSaving({ generic, custom });
          c.results.set(m.idx, { cost: m.costBefore * d.ratio, used: d.used, traits: planTraits(plan, h.name, rpc, searched) });
        }
      } catch {
        // planned before, so this is a timeout or a transient fault: the candidate just does not count here
        for (const m of members) c.results.set(m.idx, { cost: m.costBefore, used: false });
      }
    }
  } finally {
    await p.dropHypothetical(h).catch(() => undefined);
  }
}

/** The candidate's key columns that are not the statement's ORDER BY on its table: an index-only scan must search on them (tie-break.ts). */
function searchedKeys(c: Candidate, s: Stmt): string[] {
  const order = new Set<string>();
  for (const a of s.accesses) if (a.table.schema === c.schema && a.table.name === c.table) for (const k of a.sort ?? []) order.add(k.name);
  return c.keys.map((k) => k.name).filter((n) => !order.has(n));
}
