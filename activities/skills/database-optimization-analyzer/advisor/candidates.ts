// Candidate indexes: derived from the table accesses of the detailed statements (grouped by
// fingerprint), without those an existing index already serves, with shared-prefix variants.
import { describeIndexKey } from '../../../../common/index-keys';
import type { Catalog } from '../../../postgres/catalog';
import { candidateKey, coveredBy, type Candidate, type IndexColumn } from '../../../postgres/index-model';
import { tryParse } from '../../../postgres/sql-parse';
import { sampleSetsByFingerprint } from '../../../postgres/value-samples';
import { coveredReason, noAccessReason, noCandidateNote, type NoCandidate } from './no-candidate';
import { EXPRESSION_MAX_SELECTIVITY } from './expression-keys';
import type { AdvisorOptions } from './options';
import type { AdvisorRun } from './run';
import { eqKeysBySelectivity } from './eq-keys';
import { orSetsFor, type OrSet } from './or-sets';
import { accessesOf, newStmt, type Access, type Stmt } from './statement';
import type { Tables } from './tables';
import { isPlannable } from './workload';

export function candidatesFor(
  a: Access,
  opts: Pick<AdvisorOptions, 'maxKeyColumns' | 'maxIncludeColumns' | 'maxIncludeWidth'>,
): Candidate[] {
  const t = a.table;
  const base = { schema: t.schema, table: t.name, include: [] as string[] };
  const eqCols = eqKeysBySelectivity(t, a.eq, a.exprEq).slice(0, opts.maxKeyColumns);
  const eq = eqCols.filter((k) => !k.expression).map((k) => k.name);
  const out: Candidate[] = [];
  const push = (keys: IndexColumn[], eqCount: number, into: Candidate[] = out) => {
    if (keys.length === 0 || keys.length > opts.maxKeyColumns) return;
    if (new Set(keys.map((k) => k.name)).size !== keys.length) return;
    into.push({ ...base, keys, eqCount });
  };
  if (a.sort) {
    const tail = a.sort.filter((s) => !eq.includes(s.name));
    if (tail.length > 0 && (eqCols.length > 0 || a.limit)) push([...eqCols, ...tail], eqCols.length);
  }
  for (const r of [...a.range.map((name): IndexColumn => ({ name })), ...(a.exprRange ?? [])].slice(0, 2))
    push([...eqCols, r], eqCols.length);
  if (eqCols.length > 0) push(eqCols, eqCols.length);
  // Covering variants: the block's other columns of this table as INCLUDE, for index-only scans.
  if (a.used) {
    for (const c of [...out]) {
      // An expression key already stores a value of its columns: with them again as INCLUDE the index is twice as wide.
      if (c.keys.some((k) => k.expression)) continue;
      const keys = new Set(c.keys.map((k) => k.name));
      const rest = [...a.used].filter((n) => !keys.has(n)).sort();
      if (rest.length === 0 || rest.length > opts.maxIncludeColumns) continue;
      const width = rest.reduce((sum, n) => sum + (t.columns.get(n)?.avgWidth ?? 1000), 0);
      if (width > opts.maxIncludeWidth) continue;
      out.push({ ...c, include: rest });
    }
  }
  // Join keys: the inner side of a nested loop probes by the join column (and the equalities).
  for (const j of a.join.slice(0, 2))
    push([{ name: j }, ...eqCols].slice(0, opts.maxKeyColumns), Math.min(opts.maxKeyColumns, 1 + eqCols.length));
  return out;
}

/** Variants that let one index serve statements whose equality columns nest: (a) and (a, b) -> (a, b). */
function sharedPrefixVariants(cands: Candidate[], maxKeyColumns: number): Candidate[] {
  const eqOnly = cands.filter((c) => c.include.length === 0 && c.eqCount > 0);
  const out: Candidate[] = [];
  for (const small of eqOnly) {
    if (small.eqCount !== small.keys.length) continue;
    const smallSet = new Set(small.keys.map((k) => k.name));
    for (const big of eqOnly) {
      if (big === small || big.table !== small.table || big.schema !== small.schema) continue;
      const bigEq = big.keys.slice(0, big.eqCount);
      const bigNames = bigEq.map((k) => k.name);
      if (bigEq.length <= small.keys.length || !small.keys.every((k) => bigNames.includes(k.name))) continue;
      if (bigNames[0] === small.keys[0].name && bigNames.slice(0, small.keys.length).every((n) => smallSet.has(n))) continue; // already ordered
      const keys = [...small.keys, ...bigEq.filter((k) => !smallSet.has(k.name)), ...big.keys.slice(big.eqCount)];
      if (keys.length <= maxKeyColumns) out.push({ ...big, keys });
    }
  }
  return out;
}

/** The detailed statements, one per fingerprint, and the candidate indexes derived from them. */
export interface DetailedWorkload {
  /** The statements with at least one candidate. */
  stmts: Stmt[];
  /** By candidate key: the candidate and the statements it was derived from. */
  candidates: Map<string, { cand: Candidate; stmts: Set<number> }>;
  /** By set key: the OR sets (or-sets.ts) and the statements they were derived from. */
  orSets: Map<string, { set: OrSet; stmts: Set<number> }>;
}

/** What collecting the candidates keeps along the way. */
interface Collector {
  opts: AdvisorOptions;
  candidates: DetailedWorkload['candidates'];
  orSets: DetailedWorkload['orSets'];
  /** Candidates are many (several per statement): their column lists are shared, not copied. */
  interned: Map<string, IndexColumn[] | string[]>;
  coveredSkips: number;
  coveredExamples: string[];
}

/**
 * The detailed statements grouped by fingerprint, their table accesses and candidates; the candidates
 * an existing index already serves are dropped, and shared-prefix variants added.
 */
export function collectCandidates(run: AdvisorRun, detailed: Uint32Array, tables: Tables): DetailedWorkload {
  const { input, opts } = run;
  const stmts: Stmt[] = [];
  const collector: Collector = {
    opts,
    candidates: new Map(),
    orSets: new Map(),
    interned: new Map(),
    coveredSkips: 0,
    coveredExamples: [],
  };
  // Fingerprint -> its statement (null: no candidate); later texts only add figures.
  const groups = new Map<string, Stmt | null>();
  // Fingerprint -> why it got no candidate, for the note on the heavy ones.
  const none = new Map<string, NoCandidate>();
  const samples = sampleSetsByFingerprint(input.samples ?? []);
  let prefixWithoutValues = 0;
  const unselective = new Set<string>();
  for (let j = 0; j < detailed.length; j++) {
    const s = input.statements[detailed[j]];
    const parsed = tryParse(s.query);
    if ('error' in parsed) continue; // counted in the first pass
    const f = parsed.facts;
    if (f.statementCount !== 1 || !isPlannable(f, opts)) continue;
    const key = f.fingerprint ?? `q:${s.queryid}`;
    const seen = groups.get(key);
    if (seen !== undefined) {
      if (seen) {
        seen.calls += s.calls;
        seen.totalMs += s.totalMs;
        seen.rows += s.rows;
        if (seen.queryids.length < 10) seen.queryids.push(s.queryid);
      } else none.get(key)!.totalMs += s.totalMs;
      continue;
    }
    const idx = groups.size;
    const accesses = accessesOf(f, tables.catalog, opts);
    if (accesses.length === 0) {
      groups.set(key, null);
      none.set(key, { query: s.query, totalMs: s.totalMs, reason: noAccessReason(f, tables.catalog, opts) });
      continue;
    }
    const stmt = newStmt(idx, s, f, accesses);
    if (f.fingerprint && samples.has(f.fingerprint)) stmt.samples = samples.get(f.fingerprint)!;
    else if (accesses.some((a) => a.prefixParam)) prefixWithoutValues++;
    for (const a of accesses) for (const u of a.unselective ?? []) unselective.add(u);
    const covering = addCandidates(collector, stmt);
    groups.set(key, covering ? null : stmt);
    if (covering) none.set(key, { query: s.query, totalMs: s.totalMs, reason: coveredReason(covering) });
    else stmts.push(stmt);
  }
  run.stats.fingerprints = groups.size;
  groups.clear();
  if (unselective.size > 0)
    run.notes.push(
      `no expression key for ${[...unselective].slice(0, 5).join('; ')}: the expression has at most that many values, so a value ` +
        `matches more than ${EXPRESSION_MAX_SELECTIVITY * 100}% of the rows on average, too many for an index to pay`,
    );
  if (prefixWithoutValues > 0)
    run.notes.push(
      `${prefixWithoutValues} statements match a pattern given as a parameter (LIKE $n, ~ $n) and no sampled values: ` +
        'a prefix-pattern index needs real values to verify (a generic plan never uses it), so none is proposed for them',
    );
  addSharedPrefixVariants(collector.candidates, tables.catalog, opts);
  collector.interned.clear();
  if (collector.coveredSkips > 0)
    run.notes.push(
      `${collector.coveredSkips} candidate indexes are already served by an existing index (e.g. ${collector.coveredExamples.join('; ')})`,
    );
  const windowMs = input.statements.reduce((sum, x) => sum + x.totalMs, 0);
  const note = noCandidateNote([...none.values()], run.stats.fingerprints, windowMs);
  if (note) run.notes.push(note);
  run.stats.analyzable = stmts.length;
  return { stmts, candidates: collector.candidates, orSets: collector.orSets };
}

/** The statement's candidates join the collection; when an existing index serves all of them, the covering indexes. */
function addCandidates(collector: Collector, stmt: Stmt): string[] | null {
  const { candidates } = collector;
  let any = false;
  const coveringAll: string[] = [];
  for (const a of stmt.accesses) {
    for (const c of candidatesFor(a, collector.opts)) {
      // An existing index already serves the keys: a covering twin of it is not worth a second index.
      const covering = coveredBy(c, a.table.indexes) ?? (c.include.length > 0 ? coveredBy({ ...c, include: [] }, a.table.indexes) : null);
      const key = candidateKey(c);
      if (covering) {
        collector.coveredSkips++;
        coveringAll.push(`${key} by ${covering}`);
        if (collector.coveredExamples.length < 5 && !collector.coveredExamples.some((e) => e.startsWith(key)))
          collector.coveredExamples.push(`${key} by ${covering}`);
        continue;
      }
      any = true;
      const e = candidates.get(key) ?? { cand: compact(collector.interned, c), stmts: new Set<number>() };
      e.stmts.add(stmt.idx);
      candidates.set(key, e);
    }
    for (const set of orSetsFor(a, collector.opts)) {
      if (set.members.length === 0) {
        coveringAll.push(`a BitmapOr of ${set.existing.join(' and ')}`);
        continue;
      }
      any = true;
      const e = collector.orSets.get(set.key) ?? { set, stmts: new Set<number>() };
      e.stmts.add(stmt.idx);
      collector.orSets.set(set.key, e);
    }
  }
  return any ? null : coveringAll;
}

/** The candidate with column lists shared with the other candidates that have the same ones. */
function compact(interned: Collector['interned'], c: Candidate): Candidate {
  const kk = c.keys.map((k) => `${k.expression ? 'e:' : ''}${describeIndexKey(k)}`).join(',');
  let keys = interned.get(`k:${kk}`) as IndexColumn[] | undefined;
  if (!keys) interned.set(`k:${kk}`, (keys = c.keys.map((k) => ({ ...k }))));
  const ik = c.include.join(',');
  let include = interned.get(`i:${ik}`) as string[] | undefined;
  if (!include) interned.set(`i:${ik}`, (include = [...c.include]));
  return { schema: c.schema, table: c.table, keys, eqCount: c.eqCount, include };
}

/** One index for several statements: (a) and (b, a) -> (a, b). */
function addSharedPrefixVariants(candidates: DetailedWorkload['candidates'], catalog: Catalog, opts: AdvisorOptions): void {
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
}
