// The workload-wide index advisor.
//
//  1. parse every statement of the window with PostgreSQL's parser and group them by fingerprint;
//  2. resolve their relations and columns against the catalog; per table access, derive candidate
//     indexes from equality/IN/IS NULL predicates (ordered by selectivity from pg_stats), a range,
//     ORDER BY (+LIMIT) keys and join keys, with covering INCLUDE variants, and shared-prefix variants
//     that one index can serve for several statements; drop candidates an existing index already
//     serves (prefix coverage);
//  3. plan every statement that has a candidate (generic plan) and keep those that cost >= minPlanCost;
//  4. with hypopg, plan each relevant statement again with each candidate as a hypothetical index;
//  5. choose a small set greedily by window time saved (statement time x cost saving, only where the
//     statement's plan uses the index and saves >= minSavingFraction) minus the index's write cost
//     (the table's inserted/non-HOT updated rows in the window x a per-row cost);
//  6. verify the chosen set together (every statement re-planned with all of them at once).
// Without hypopg, step 4-6 fall back on unverified proposals for statements whose plan scans the
// table sequentially. Nothing here writes to the database.
import type { Pool } from 'pg';
import { adviseTail } from './advisor/tail-batches';
import { mergeTail } from './advisor/tail';
import { accessSignature, accessesOf, newStmt, rowsPerCall, tableKey, type Stmt } from './advisor/statement';
import { candidatesFor } from './advisor/candidates';
import { DEFAULT_ADVISOR_OPTIONS, type AdvisorOptions } from './advisor/options';
import { inParallel } from './advisor/parallel';
import { recommendation, servedStatement } from './advisor/recommendation';
import { writeCostMs } from './advisor/tables';
import { greedySelect, type EvalCandidate, type EvalStatement } from './advisor/greedy';
import { combinationsToTry } from './advisor/combinations';
import type { AdvisorInput, AdvisorResult, AdvisorStats, IndexRecommendation, TableWrites } from './advisor/types';
import { round } from '../../../common/round';
import { loadCatalog, type Catalog } from '../../postgres/catalog';
import { candidateKey, candidateServedBy, coveredBy, type Candidate, type IndexColumn } from '../../postgres/index-model';
import { GenericPlanner, addPlannerStats, emptyPlannerStats } from '../../postgres/planner';
import { costAt, costModel, effectiveCost, planExcerpt, planUsesIndex, seqScannedRelations } from '../../postgres/plan-walk';
import { ensureParser, parserProblem, tryParse, type RelRef, type StatementFacts } from '../../postgres/sql-parse';

export * from './advisor/types';
export * from './advisor/options';
export * from './advisor/statement';
export * from './advisor/candidates';
export * from './advisor/tables';
export * from './advisor/parallel';
export * from './advisor/recommendation';
export * from './advisor/greedy';
export * from './advisor/combinations';

/** Variants that let one index serve statements whose equality columns nest: (a) and (a, b) -> (a, b). */
function sharedPrefixVariants(cands: Candidate[], maxKeyColumns: number): Candidate[] {
  const eqOnly = cands.filter((c) => c.include.length === 0 && c.eqCount > 0);
  const out: Candidate[] = [];
  for (const small of eqOnly) {
    if (small.eqCount !== small.keys.length) continue;
    const smallSet = new Set(small.keys.map((k) => k.name));
    for (const big of eqOnly) {
      if (big === small || big.table !== small.table || big.schema !== small.schema) continue;
      const bigEq = big.keys.slice(0, big.eqCount).map((k) => k.name);
      if (bigEq.length <= small.keys.length || !small.keys.every((k) => bigEq.includes(k.name))) continue;
      if (bigEq[0] === small.keys[0].name && bigEq.slice(0, small.keys.length).every((n) => smallSet.has(n))) continue; // already ordered
      const keys = [...small.keys, ...bigEq.filter((n) => !smallSet.has(n)).map((name) => ({ name })), ...big.keys.slice(big.eqCount)];
      if (keys.length <= maxKeyColumns) out.push({ ...big, keys });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The advisor

export interface AdvisorContext {
  hypopgSchema: string | null;
  heartbeat?: (details: unknown) => void;
  /** Called at the end of each phase (the benchmark measures memory there). */
  onPhase?: (phase: string) => void;
}

export async function adviseIndexes(
  pool: Pool,
  input: AdvisorInput,
  ctx: AdvisorContext,
  options: Partial<AdvisorOptions> = {},
): Promise<AdvisorResult> {
  const opts: AdvisorOptions = {
    ...DEFAULT_ADVISOR_OPTIONS,
    ...options,
    planner: { ...DEFAULT_ADVISOR_OPTIONS.planner, ...(options.planner ?? {}) },
  };
  const t0 = performance.now();
  const notes: string[] = [];
  const stats: AdvisorStats = {
    statementsIn: input.statements.length,
    fingerprints: 0,
    parseErrors: 0,
    analyzable: 0,
    planned: 0,
    planErrors: 0,
    belowMinCost: 0,
    candidates: 0,
    evaluations: 0,
    lazyPending: 0,
    ms: { parse: 0, catalog: 0, plan: 0, evaluate: 0, select: 0, verify: 0, tail: 0, total: 0 },
    planner: emptyPlannerStats(),
    tail: null,
  };
  const result = (recommendations: IndexRecommendation[], rejected: AdvisorResult['rejected']): AdvisorResult => {
    stats.ms.total = Math.round(performance.now() - t0);
    return { recommendations, rejected, notes, stats, hypopg: ctx.hypopgSchema !== null };
  };

  if (!(await ensureParser())) {
    notes.push(`the SQL parser (libpg-query) could not be loaded (${parserProblem()}); no index advice`);
    return result([], []);
  }

  // The heaviest statements (window time) are analyzed together; the rest, the tail, is streamed.
  const { detailed, tail } = splitByWeight(input.statements, opts.detailedStatements);

  // 1. Parse (first pass): the relations to load from the catalog and the writes. Nothing of the
  // parse trees is kept: memory stays flat in the number of statements.
  let t = performance.now();
  const parseErrorExamples: string[] = [];
  // Rows written per target relation (as the statement names it) and the columns UPDATEs set.
  const writeStatements = new Map<
    string,
    { writeTarget: RelRef; inserted: number; updated: number; deleted: number; updatedColumns: Set<string> }
  >();
  const names = new Set<string>();
  const plannableOf = (f: StatementFacts) =>
    (f.kind === 'select' && !f.modifiesData) || (opts.planWrites && (f.kind === 'update' || f.kind === 'delete' || f.kind === 'select'));
  for (const s of input.statements) {
    const parsed = tryParse(s.query, { fingerprint: false });
    if ('error' in parsed) {
      stats.parseErrors++;
      if (parseErrorExamples.length < 3) parseErrorExamples.push(`${s.queryid}: ${parsed.error}`);
      continue;
    }
    const f = parsed.facts;
    if (f.statementCount !== 1) continue;
    if (f.writeTarget) {
      const k = `${f.writeTarget.schema ?? ''}\0${f.writeTarget.name}`;
      const w = writeStatements.get(k) ?? {
        writeTarget: f.writeTarget,
        inserted: 0,
        updated: 0,
        deleted: 0,
        updatedColumns: new Set<string>(),
      };
      if (f.kind === 'insert') w.inserted += s.rows;
      else if (f.kind === 'update') {
        w.updated += s.rows;
        for (const c of f.updatedColumns) w.updatedColumns.add(c);
      } else if (f.kind === 'delete') w.deleted += s.rows;
      writeStatements.set(k, w);
      names.add(f.writeTarget.name);
    }
    // Writes (and SELECTs whose WITH queries write) are planned only with planWrites: EXPLAIN, never run.
    if (plannableOf(f)) for (const sc of f.scopes) for (const r of sc.relations) names.add(r.name);
  }
  if (stats.parseErrors > 0)
    notes.push(`${stats.parseErrors} statements could not be parsed and were skipped (${parseErrorExamples.join('; ')})`);
  stats.ms.parse = Math.round(performance.now() - t);
  ctx.onPhase?.('parse');

  // 2. Catalog; then (second pass) statements grouped by fingerprint, their accesses and candidates.
  t = performance.now();
  const catalog = await loadCatalog(pool, input.schemas, names);
  const updatedColumns = new Map<string, Set<string>>();
  const writes = new Map<string, TableWrites>();
  for (const w of input.tableWrites ?? []) writes.set(`${w.schema}.${w.table}`, w);
  const derived = new Map<string, TableWrites>();
  for (const w of writeStatements.values()) {
    const tbl = catalog.resolve(w.writeTarget);
    if (!tbl) continue;
    const k = tableKey(tbl);
    const d = derived.get(k) ?? { schema: tbl.schema, table: tbl.name, inserted: 0, updated: 0, hotUpdated: 0, deleted: 0 };
    d.inserted += w.inserted;
    d.updated += w.updated;
    d.deleted += w.deleted;
    if (w.updated > 0 || w.updatedColumns.size > 0) {
      const set = updatedColumns.get(k) ?? new Set<string>();
      for (const c of w.updatedColumns) set.add(c);
      updatedColumns.set(k, set);
    }
    derived.set(k, d);
  }
  writeStatements.clear();
  // The statements' own row counts when the table counters saw fewer (counters lag by up to a second).
  for (const [k, d] of derived) {
    const w = writes.get(k);
    if (!w) writes.set(k, d);
    else
      writes.set(k, {
        ...w,
        inserted: Math.max(w.inserted, d.inserted),
        updated: Math.max(w.updated, d.updated),
        deleted: Math.max(w.deleted, d.deleted),
      });
  }

  const stmts: Stmt[] = [];
  const candidates = new Map<string, { cand: Candidate; stmts: Set<number> }>();
  // Candidates are many (several per statement): their column lists are shared, not copied.
  const interned = new Map<string, IndexColumn[] | string[]>();
  const compact = (c: Candidate): Candidate => {
    const kk = c.keys.map((k) => `${k.name}${k.desc ? ' DESC' : ''}`).join(',');
    let keys = interned.get(`k:${kk}`) as IndexColumn[] | undefined;
    if (!keys) interned.set(`k:${kk}`, (keys = c.keys.map((k) => (k.desc ? { name: k.name, desc: true } : { name: k.name }))));
    const ik = c.include.join(',');
    let include = interned.get(`i:${ik}`) as string[] | undefined;
    if (!include) interned.set(`i:${ik}`, (include = [...c.include]));
    return { schema: c.schema, table: c.table, keys, eqCount: c.eqCount, include };
  };
  let coveredSkips = 0;
  const coveredExamples: string[] = [];
  // Fingerprint -> its statement (null: no access an index could serve); later texts only add figures.
  const groups = new Map<string, Stmt | null>();
  for (let j = 0; j < detailed.length; j++) {
    const s = input.statements[detailed[j]];
    const parsed = tryParse(s.query);
    if ('error' in parsed) continue; // counted in the first pass
    const f = parsed.facts;
    if (f.statementCount !== 1 || !plannableOf(f)) continue;
    const key = f.fingerprint ?? `q:${s.queryid}`;
    const seen = groups.get(key);
    if (seen !== undefined) {
      if (seen) {
        seen.calls += s.calls;
        seen.totalMs += s.totalMs;
        seen.rows += s.rows;
        if (seen.queryids.length < 10) seen.queryids.push(s.queryid);
      }
      continue;
    }
    const idx = groups.size;
    const accesses = accessesOf(f, catalog, opts);
    if (accesses.length === 0) {
      groups.set(key, null);
      continue;
    }
    const stmt = newStmt(idx, s, f, accesses);
    let any = false;
    for (const a of accesses) {
      for (const c of candidatesFor(a, opts)) {
        // An existing index already serves the keys: a covering twin of it is not worth a second index.
        const covering = coveredBy(c, a.table.indexes) ?? (c.include.length > 0 ? coveredBy({ ...c, include: [] }, a.table.indexes) : null);
        const key = candidateKey(c);
        if (covering) {
          coveredSkips++;
          if (coveredExamples.length < 5 && !coveredExamples.some((e) => e.startsWith(key))) coveredExamples.push(`${key} by ${covering}`);
          continue;
        }
        any = true;
        const e = candidates.get(key) ?? { cand: compact(c), stmts: new Set<number>() };
        e.stmts.add(stmt.idx);
        candidates.set(key, e);
      }
    }
    groups.set(key, any ? stmt : null);
    if (any) stmts.push(stmt);
  }
  stats.fingerprints = groups.size;
  groups.clear();
  // One index for several statements: (a) and (b, a) -> (a, b).
  const byTable = new Map<string, Candidate[]>();
  for (const { cand } of candidates.values()) {
    const k = `${cand.schema}.${cand.table}`;
    byTable.set(k, [...(byTable.get(k) ?? []), cand]);
  }
  for (const [, list] of byTable) {
    for (const v of sharedPrefixVariants(list, opts.maxKeyColumns).slice(0, 50)) {
      const key = candidateKey(v);
      const tbl = catalog.get(v.schema, v.table)!;
      if (!candidates.has(key) && !coveredBy(v, tbl.indexes)) candidates.set(key, { cand: v, stmts: new Set() });
    }
  }
  byTable.clear();
  interned.clear();
  if (coveredSkips > 0)
    notes.push(`${coveredSkips} candidate indexes are already served by an existing index (e.g. ${coveredExamples.join('; ')})`);
  stats.analyzable = stmts.length;
  stats.ms.catalog = Math.round(performance.now() - t);
  ctx.onPhase?.('catalog');

  // 3. Generic plans before.
  t = performance.now();
  const byIdx = new Map<number, Stmt>();
  const planErrors: string[] = [];
  const sessions: GenericPlanner[] = [];
  try {
    for (let i = 0; i < Math.max(1, opts.parallelism); i++) sessions.push(await GenericPlanner.open(pool, ctx.hypopgSchema, opts.planner));
    let done = 0;
    await inParallel(stmts, sessions.length, async (s, w) => {
      try {
        const plan = await sessions[w].explain(s.text, s.nParams, { verbose: true });
        s.beforeModel = costModel(plan);
        s.costBefore = costAt(s.beforeModel, rowsPerCall(s));
        stats.planned++;
        if (s.costBefore >= opts.minPlanCost) {
          // Plan excerpts are kept only for the statements of a proposal (re-planned in step 6 with
          // hypopg); without hypopg the unverified proposals need them and the sequential scans now.
          if (!ctx.hypopgSchema) {
            s.planBefore = planExcerpt(plan);
            s.seqScans = seqScannedRelations(plan);
          }
          byIdx.set(s.idx, s);
        } else stats.belowMinCost++;
      } catch (err) {
        stats.planErrors++;
        if (planErrors.length < 3) planErrors.push(`${s.queryids[0]}: ${(err as Error).message}`);
      }
      if (++done % 500 === 0) ctx.heartbeat?.({ phase: 'plan', done, of: stmts.length });
    });
    if (stats.planErrors > 0) notes.push(`${stats.planErrors} statements could not be planned (${planErrors.join('; ')})`);
    if (stats.belowMinCost > 0)
      notes.push(`${stats.belowMinCost} statements cost less than ${opts.minPlanCost} (plan cost): no index needed`);
    stats.ms.plan = Math.round(performance.now() - t);
    ctx.onPhase?.('plan');

    const cands: EvalCandidate[] = [];
    const origins = new Map<string, Set<number>>();
    for (const [key, e] of candidates) {
      const tbl = catalog.get(e.cand.schema, e.cand.table)!;
      const k = tableKey(tbl);
      cands.push({
        key,
        cand: e.cand,
        results: new Map(),
        writeCostMs: writeCostMs(e.cand, writes.get(k), updatedColumns.get(k), opts.indexWriteCostMsPerRow),
      });
      origins.set(key, e.stmts);
    }
    candidates.clear(); // cands and origins hold what is needed
    stats.candidates = cands.length;

    // Which planned statements each candidate may help: its leading column is one they filter, join or sort on.
    const byLead = new Map<string, Stmt[]>(); // "schema.table\0column" -> statements
    for (const s of byIdx.values()) {
      const seen = new Set<string>();
      for (const a of s.accesses) {
        for (const col of [...a.eq, ...a.range, ...a.join, ...(a.sort ? [a.sort[0].name] : [])]) {
          const k = `${tableKey(a.table)}\0${col}`;
          if (seen.has(k)) continue;
          seen.add(k);
          const list = byLead.get(k) ?? [];
          list.push(s);
          byLead.set(k, list);
        }
      }
    }
    const relevant = (c: Candidate): Stmt[] => byLead.get(`${c.schema}.${c.table}\0${c.keys[0].name}`) ?? [];

    let recs: IndexRecommendation[] = [];
    const rejected: AdvisorResult['rejected'] = [];
    if (ctx.hypopgSchema) {
      // 4. Each candidate alone, as a hypothetical index. Statements on one table with the same access
      // pattern (they differ only in their select lists) are planned once per candidate and share its
      // saving. A candidate is first planned with the statements it came from; when it does not help
      // them it is not tried on the others.
      t = performance.now();
      const covers = (c: Candidate, s: Stmt) => {
        const cols = new Set([...c.keys.map((k) => k.name), ...c.include]);
        return s.accesses.some(
          (a) => a.table.schema === c.schema && a.table.name === c.table && a.used !== null && [...a.used].every((n) => cols.has(n)),
        );
      };
      const sigMemo = new Map<number, string>();
      const sigOf = (st: Stmt) => {
        let k = sigMemo.get(st.idx);
        if (k === undefined) {
          k = accessSignature(st);
          sigMemo.set(st.idx, k);
        }
        return k;
      };
      const byKey = new Map(cands.map((c) => [c.key, c]));
      const baseOf = new Map(
        cands.filter((c) => c.cand.include.length > 0).map((c) => [c.key, byKey.get(candidateKey({ ...c.cand, include: [] }))]),
      );
      const keepFraction = 1 / (1 + opts.includeMinExtraGain);
      /** Statements the candidate may help: for an INCLUDE variant, only those it covers and where its keys alone leave enough cost. */
      const eligible = (c: EvalCandidate, st: Stmt) => {
        if (c.cand.include.length === 0) return true;
        if (!covers(c.cand, st)) return false;
        const base = baseOf.get(c.key);
        const r = base?.results.get(st.idx);
        return !r || !r.used || st.costBefore - r.cost < st.costBefore * keepFraction;
      };
      /** The statements not planned with the candidate yet, grouped by signature, its own statements first. */
      const groupsFor = (c: EvalCandidate): Stmt[][] => {
        const own = origins.get(c.key);
        const bySig = new Map<string, Stmt[]>();
        for (const st of relevant(c.cand)) {
          if (c.results.has(st.idx) || !eligible(c, st)) continue;
          const k = sigOf(st);
          const list = bySig.get(k) ?? [];
          if (own?.has(st.idx)) list.unshift(st);
          else list.push(st);
          bySig.set(k, list);
        }
        return [...bySig.values()].sort((a, b) => Number(own?.has(b[0].idx) ?? false) - Number(own?.has(a[0].idx) ?? false));
      };
      let budget = opts.maxEvaluations;
      let done = 0;
      // Candidates that still have statements not planned with them (lazy: planned only when the choice may need them).
      const pending = new Set<string>();
      const planGroups = async (c: EvalCandidate, groups: Stmt[][], w: number): Promise<void> => {
        const p = sessions[w];
        const h = await p.createHypothetical(c.cand);
        try {
          for (const members of groups) {
            const rep = members[0];
            if (budget <= 0) break;
            budget--;
            stats.evaluations++;
            try {
              const plan = await p.explain(rep.text, rep.nParams);
              const used = planUsesIndex(plan, h.name);
              const after = costModel(plan);
              for (const m of members) {
                const rpc = rowsPerCall(m);
                const ratio = costAt(after, rpc) / Math.max(1e-9, costAt(rep.beforeModel!, rpc));
                c.results.set(m.idx, { cost: m.costBefore * ratio, used });
              }
            } catch {
              // planned before, so this is a timeout or a transient fault: the candidate just does not count here
              for (const m of members) c.results.set(m.idx, { cost: m.costBefore, used: false });
            }
          }
        } finally {
          await p.dropHypothetical(h).catch(() => undefined);
        }
      };
      const helpsOwn = (c: EvalCandidate, own: Set<number>) =>
        [...own].some((i) => {
          const r = c.results.get(i);
          const st = byIdx.get(i);
          return r && st && r.used && st.costBefore - r.cost >= st.costBefore * opts.minMarginalSavingFraction;
        });
      // Phase A: each candidate with the statements it came from; the others stay pending when it helps them.
      const phaseA = async (c: EvalCandidate, w: number) => {
        const own = origins.get(c.key) ?? new Set<number>();
        const groups = groupsFor(c);
        if (groups.length === 0) return;
        const ownGroups = groups.filter((g) => own.has(g[0].idx));
        if (ownGroups.length > 0) {
          await planGroups(c, ownGroups, w);
          if (!helpsOwn(c, own)) return;
        }
        if (ownGroups.length < groups.length) pending.add(c.key);
        if (++done % 100 === 0) ctx.heartbeat?.({ phase: 'evaluate', done, of: cands.length });
      };
      // Keys first; then INCLUDE variants (they need their keys' results).
      await inParallel(
        cands.filter((c) => c.cand.include.length === 0),
        sessions.length,
        phaseA,
      );
      await inParallel(
        cands.filter((c) => c.cand.include.length > 0),
        sessions.length,
        phaseA,
      );
      stats.ms.evaluate = Math.round(performance.now() - t);
      ctx.onPhase?.('evaluate');

      // 5. Greedy choice, lazily. A candidate's value alone (window time saved minus write cost) is
      // bounded above by its known value plus the time of the statements not planned with it yet.
      // Candidates are completed in order of that bound until the best F (4 x maxNewIndexes) are known
      // exactly and every other bound is below them; the greedy choice then runs over the known ones
      // (an index's value in the choice never exceeds its value alone).
      t = performance.now();
      const evalStmts = new Map<number, EvalStatement>();
      for (const st of byIdx.values()) evalStmts.set(st.idx, { idx: st.idx, costBefore: st.costBefore, totalMs: st.totalMs });
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
        alone(c) + (pending.has(c.key) ? groupsFor(c).reduce((n, g) => n + g.reduce((m, st) => m + st.totalMs, 0), 0) : 0);
      const finalistsWanted = 4 * opts.maxNewIndexes;
      const queue = cands.map((c) => ({ c, ub: bound(c) })).sort((a, b) => b.ub - a.ub);
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
      let rounds = 0;
      while (queue.length > 0 && finalists < finalistsWanted && budget > 0 && queue[0].ub > 0) {
        if (!pending.has(queue[0].c.key)) {
          queue.shift();
          finalists++;
          continue;
        }
        // The top pending candidates (one per session) are planned with their remaining statements.
        const batch: { c: EvalCandidate; ub: number }[] = [];
        for (let i = 0; i < queue.length && batch.length < sessions.length && i < 20; i++)
          if (pending.has(queue[i].c.key)) batch.push(queue[i]);
        for (const b of batch) queue.splice(queue.indexOf(b), 1);
        rounds++;
        await inParallel(batch, sessions.length, async ({ c }, w) => {
          await planGroups(c, groupsFor(c), w);
          if (groupsFor(c).length === 0) pending.delete(c.key);
        });
        for (const b of batch) insert({ c: b.c, ub: bound(b.c) });
      }
      queue.length = 0; // the bounds are no longer needed
      stats.lazyPending = pending.size;
      if (budget <= 0)
        notes.push(
          `the evaluation budget (${opts.maxEvaluations} hypothetical plans) ran out: the advice covers the statements planned so far`,
        );
      // Still pending: bounded below the finalists, never chosen; what is known of them still counts for combinations.
      const sel = greedySelect(
        cands.filter((c) => !pending.has(c.key)),
        evalStmts,
        opts,
      );
      for (const r of sel.rejected) rejected.push({ candidate: r.key, reason: r.reason });
      stats.ms.select = Math.round(performance.now() - t);
      ctx.onPhase?.('select');

      // 5b. Statements that only indexes on several tables together serve (joins, unions): try their
      // best candidates together, as Dexter does per query.
      const combos = combinationsToTry(cands, evalStmts, sel.chosen, opts);
      const chosenKeys = new Set(sel.chosen.map((c) => c.key));
      for (const combo of combos.slice(0, 50)) {
        if (sel.chosen.length >= opts.maxNewIndexes) break;
        const s = byIdx.get(combo.idx)!;
        const p = sessions[0];
        const set = combo.keys.map((k) => cands.find((c) => c.key === k)!);
        const hyps = [];
        try {
          for (const ec of set) hyps.push(await p.createHypothetical(ec.cand));
          const plan = await p.explain(s.text, s.nParams);
          const cost = effectiveCost(plan, rowsPerCall(s));
          const allUsed = hyps.every((h) => planUsesIndex(plan, h.name));
          if (allUsed && cost <= s.costBefore * (1 - opts.minSavingFraction)) {
            const gain = (s.totalMs * (s.costBefore - cost)) / s.costBefore;
            for (const ec of set) {
              if (chosenKeys.has(ec.key)) continue;
              const share = gain / set.length;
              if (share - ec.writeCostMs <= opts.minNetGainMs) continue;
              chosenKeys.add(ec.key);
              sel.chosen.push({ key: ec.key, gainMs: share, writeCostMs: ec.writeCostMs, served: new Map([[s.idx, cost]]) });
            }
            for (const ch of sel.chosen) if (combo.keys.includes(ch.key)) ch.served.set(s.idx, cost);
          }
        } catch {
          // a combination that cannot be planned is not proposed
        } finally {
          for (const h of hyps) await p.dropHypothetical(h).catch(() => undefined);
        }
      }

      // 6. Verify the chosen set together: every statement re-planned with all of them at once.
      t = performance.now();
      const chosen = sel.chosen.map((ch) => ({ ch, ec: cands.find((c) => c.key === ch.key)! }));
      if (chosen.length > 0) {
        const p = sessions[0];
        // The plans before, for the evidence: only the statements the chosen indexes serve.
        const planBefore = new Map<number, string>();
        for (const { ch } of chosen) {
          for (const idx of ch.served.keys()) {
            if (planBefore.has(idx)) continue;
            const s = byIdx.get(idx)!;
            try {
              planBefore.set(idx, planExcerpt(await p.explain(s.text, s.nParams, { verbose: true })));
            } catch {
              planBefore.set(idx, '(could not be planned again)');
            }
          }
        }
        const hyps = [];
        for (const { ec } of chosen) hyps.push(await p.createHypothetical(ec.cand));
        const servedBy = new Map<number, { idx: number; cost: number; plan: string; share: number }[]>();
        const toCheck = new Set<number>();
        for (const { ch } of chosen) for (const idx of ch.served.keys()) toCheck.add(idx);
        for (const idx of toCheck) {
          const s = byIdx.get(idx)!;
          try {
            const plan = await p.explain(s.text, s.nParams, { verbose: true });
            const cost = effectiveCost(plan, rowsPerCall(s));
            const used = hyps.map((h, i) => (planUsesIndex(plan, h.name) ? i : -1)).filter((i) => i >= 0);
            if (used.length > 0 && cost <= s.costBefore * (1 - opts.minSavingFraction)) {
              for (const i of used) {
                const list = servedBy.get(i) ?? [];
                list.push({ idx, cost, plan: planExcerpt(plan), share: 1 / used.length });
                servedBy.set(i, list);
              }
            }
          } catch {
            // not verified: it does not count
          }
        }
        for (const h of hyps) await p.dropHypothetical(h).catch(() => undefined);
        chosen.forEach(({ ch, ec }, i) => {
          const served = servedBy.get(i) ?? [];
          const k = `${ec.cand.schema}.${ec.cand.table}`;
          if (served.length === 0) {
            rejected.push({ candidate: ec.key, reason: 'with the other chosen indexes in place no statement uses it' });
            return;
          }
          const statements = served.map((v) => servedStatement(byIdx.get(v.idx)!, v.cost, planBefore.get(v.idx) ?? '', v.plan));
          const savedMs = served.reduce((sum, v) => {
            const s = byIdx.get(v.idx)!;
            return sum + (v.share * s.totalMs * (s.costBefore - v.cost)) / s.costBefore;
          }, 0);
          if (savedMs - ch.writeCostMs <= opts.minNetGainMs) {
            rejected.push({
              candidate: ec.key,
              reason: `verified together with the others it saves ${round(savedMs, 1)} ms, not more than its write cost ${round(ch.writeCostMs, 1)} ms`,
            });
            return;
          }
          recs.push(recommendation(ec.cand, catalog, writes.get(k), savedMs, ch.writeCostMs, statements, true));
        });
      }
      stats.ms.verify = Math.round(performance.now() - t);
      ctx.onPhase?.('verify');

      // 7. The tail, streamed against the chosen indexes; the detailed part's state is let go first.
      if (tail.length > 0) {
        t = performance.now();
        for (const c of cands) c.results.clear();
        byIdx.clear();
        origins.clear();
        byLead.clear();
        const tr = await adviseTail(input.statements, tail, recs, {
          sessions,
          catalog,
          writes,
          updatedColumns,
          opts,
          plannable: plannableOf,
          budget: Math.max(0, opts.maxEvaluations - stats.evaluations),
          heartbeat: ctx.heartbeat,
        });
        stats.tail = tr.stats;
        stats.fingerprints += tr.stats.fingerprints;
        stats.analyzable += tr.stats.analyzable;
        stats.planned += tr.stats.planned;
        stats.belowMinCost += tr.stats.belowMinCost;
        stats.evaluations += tr.stats.evaluations;
        recs = mergeTail(recs, tr, catalog, writes, opts, rejected);
        notes.push(
          `the ${detailed.length} heaviest statements were analyzed together; the other ${tail.length} were streamed in batches of ` +
            `${opts.tailBatchStatements} against the chosen indexes and their own candidates (${tr.stats.served} served by the chosen indexes)`,
        );
        stats.ms.tail = Math.round(performance.now() - t);
        ctx.onPhase?.('tail');
      }
    } else {
      recs = unverified(byIdx, catalog, cands, writes, opts, rejected);
      if (tail.length > 0)
        notes.push(`without hypopg only the ${detailed.length} heaviest statements were analyzed (${tail.length} lighter ones were not)`);
    }
    recs.sort((a, b) => b.savedMs - a.savedMs);
    for (const s of sessions) addPlannerStats(stats.planner, s.stats);
    return result(recs, rejected);
  } finally {
    for (const s of sessions) await s.close();
  }
}

/** Statement indices: the `max` heaviest by window time (in input order) and the rest, heaviest first. */
export function splitByWeight(statements: { totalMs: number }[], max: number): { detailed: Uint32Array; tail: Uint32Array } {
  const n = statements.length;
  const all = Uint32Array.from({ length: n }, (_, i) => i);
  if (n <= max) return { detailed: all, tail: new Uint32Array(0) };
  all.sort((a, b) => statements[b].totalMs - statements[a].totalMs || a - b);
  return { detailed: all.slice(0, max).sort(), tail: all.slice(max) };
}

/** Without hypopg: per statement whose plan scans the table sequentially, its most complete candidate. */
function unverified(
  byIdx: Map<number, Stmt>,
  catalog: Catalog,
  cands: EvalCandidate[],
  writes: Map<string, TableWrites>,
  opts: AdvisorOptions,
  rejected: AdvisorResult['rejected'],
): IndexRecommendation[] {
  const picked = new Map<string, { ec: EvalCandidate; stmts: Stmt[] }>();
  const known = new Map(cands.map((c) => [c.key, c]));
  for (const s of byIdx.values()) {
    for (const a of s.accesses) {
      if (!s.seqScans.has(tableKey(a.table))) continue;
      const first = candidatesFor(a, opts)
        .filter((c) => c.include.length === 0)
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
  return out.slice(0, opts.maxNewIndexes);
}
