// The advisor's model: its input, options and result, the table accesses of a statement and the
// candidate indexes derived from them, write costs, and the evidence rows of a recommendation.
// Shared by the detailed advisor (advisor.ts) and its streamed tail (advisor-tail.ts).
import { Catalog, type CatalogTable } from '../../postgres/catalog';
import type { Candidate, IndexColumn } from '../../postgres/index-model';
import type { PlannerOptions, PlannerStats } from '../../postgres/planner';
import type { CostModel } from '../../postgres/plan-walk';
import type { ColRef, RelRef, Scope, StatementFacts } from '../../postgres/sql-parse';
export interface WorkloadStatement {
  queryid: string;
  query: string; // normalized text ($1 parameters), as pg_stat_statements shows it
  calls: number;
  totalMs: number;
  rows: number;
}

/** Rows written to a table during the window (pg_stat_user_tables deltas). */
export interface TableWrites {
  schema: string;
  table: string;
  inserted: number;
  updated: number;
  hotUpdated: number;
  deleted: number;
}

export interface AdvisorInput {
  statements: WorkloadStatement[];
  schemas: string[];
  tableWrites?: TableWrites[];
}

export interface AdvisorOptions {
  /** Tables with fewer rows than this (pg_class.reltuples) get no index. */
  minTableRows: number;
  /** Dexter's anchors: a statement's generic plan must cost at least this... */
  minPlanCost: number;
  /** ...and an index must cut it by at least this fraction to count for that statement. */
  minSavingFraction: number;
  /** Saving assumed for an unverified proposal (no hypopg). */
  unverifiedSavingFraction: number;
  maxKeyColumns: number;
  maxIncludeColumns: number;
  /** Summed average width (bytes, pg_stats) the INCLUDE columns may have. */
  maxIncludeWidth: number;
  /** An INCLUDE variant must save this much more window time than the same keys without INCLUDE. */
  includeMinExtraGain: number;
  /** With other indexes (on other tables) an index counts for a statement if it cuts at least this fraction of its cost. */
  minMarginalSavingFraction: number;
  maxIndexesPerTable: number;
  maxNewIndexes: number;
  /** Index maintenance cost per written row, in ms (measured ~0.002-0.003 ms on this machine's PostgreSQL 15 for a 2-column btree; 0.01 is conservative). */
  indexWriteCostMsPerRow: number;
  /** A chosen index must save at least this many ms of window time net of its write cost. */
  minNetGainMs: number;
  /** Also plan UPDATE/DELETE (their WHERE clauses; EXPLAIN only, never executed). */
  planWrites: boolean;
  /** Planning sessions used in parallel (each one connection). */
  parallelism: number;
  /** Upper bound of hypothetical plans, to bound the analysis time on huge workloads. */
  maxEvaluations: number;
  /**
   * The heaviest statements (by window time) analyzed together, workload-wide; the others are streamed
   * in batches of tailBatchStatements with only totals kept (advisor-tail.ts), so memory stays flat.
   */
  detailedStatements: number;
  tailBatchStatements: number;
  planner: Partial<PlannerOptions>;
}

export const DEFAULT_ADVISOR_OPTIONS: AdvisorOptions = {
  minTableRows: 10_000,
  minPlanCost: 100,
  minSavingFraction: 0.5,
  unverifiedSavingFraction: 0.5,
  maxKeyColumns: 3,
  maxIncludeColumns: 3,
  maxIncludeWidth: 64,
  includeMinExtraGain: 0.2,
  minMarginalSavingFraction: 0.1,
  maxIndexesPerTable: 3,
  maxNewIndexes: 10,
  indexWriteCostMsPerRow: 0.01,
  minNetGainMs: 0,
  planWrites: true,
  parallelism: 2,
  maxEvaluations: 200_000,
  detailedStatements: 2000,
  tailBatchStatements: 500,
  planner: {},
};

export interface ServedStatement {
  queryids: string[];
  query: string;
  calls: number;
  totalMs: number;
  rows: number;
  costBefore: number;
  costAfter: number;
  planBefore: string;
  planAfter: string;
}

export interface IndexRecommendation {
  schema: string;
  table: string;
  reltuples: number;
  keys: IndexColumn[];
  eqCount: number;
  include: string[];
  verified: boolean;
  /** Window time saved (ms) over the statements that use it. */
  savedMs: number;
  writeCostMs: number;
  writes: { inserted: number; updated: number; hotUpdated: number; deleted: number } | null;
  /** The statements it serves, heaviest first (from the tail, only the heaviest few are listed). */
  statements: ServedStatement[];
  /** How many statements it serves in all. */
  statementCount: number;
  /** Why the columns are in this order (selectivity, sort, range). */
  columnNotes: string[];
}

export interface AdvisorStats {
  statementsIn: number;
  fingerprints: number;
  parseErrors: number;
  analyzable: number;
  planned: number;
  planErrors: number;
  belowMinCost: number;
  candidates: number;
  evaluations: number;
  /** Candidates never planned with all their statements because the choice did not need them. */
  lazyPending: number;
  ms: { parse: number; catalog: number; plan: number; evaluate: number; select: number; verify: number; tail: number; total: number };
  planner: PlannerStats;
  /** The streamed part beyond the detailedStatements heaviest (null when there was none). */
  tail: TailStats | null;
}

export interface TailStats {
  statements: number;
  /** Distinct fingerprints per batch, summed. */
  fingerprints: number;
  /** With a table access an index could serve. */
  analyzable: number;
  planned: number;
  belowMinCost: number;
  /** Tail statements the indexes chosen from the heavy statements serve. */
  served: number;
  evaluations: number;
  /** Distinct tail candidates with a saving, and whether the smallest were dropped to bound memory. */
  candidates: number;
  pruned: boolean;
}

export interface AdvisorResult {
  recommendations: IndexRecommendation[];
  /** Candidates that had a gain but were not chosen, with the reason (write cost, thresholds). */
  rejected: { candidate: string; reason: string }[];
  notes: string[];
  stats: AdvisorStats;
  hypopg: boolean;
}

// ---------------------------------------------------------------------------------------------
// Statements and their table accesses

export interface Access {
  table: CatalogTable;
  eq: string[];
  range: string[];
  join: string[];
  sort: IndexColumn[] | null;
  limit: boolean;
  /** Columns of the table the block references; null when it selects `*`. */
  used: Set<string> | null;
}

export interface Stmt {
  idx: number;
  queryids: string[];
  text: string;
  nParams: number;
  kind: StatementFacts['kind'];
  calls: number;
  totalMs: number;
  rows: number;
  accesses: Access[];
  /** One relation in the whole statement: statements that differ only in their select lists plan alike. */
  singleRelation: boolean;
  costBefore: number;
  beforeModel: CostModel | null;
  planBefore: string;
  seqScans: Set<string>;
}

/** A statement as the advisor keeps it before it is planned. */
export function newStmt(idx: number, s: WorkloadStatement, f: StatementFacts, accesses: Access[]): Stmt {
  // Every field listed in one order (no spread): the objects share one hidden class and stay in
  // fast mode (a spread of this many properties leaves them in dictionary mode, ~4x bigger).
  return {
    idx,
    queryids: [s.queryid],
    text: f.text,
    nParams: f.maxParam,
    kind: f.kind,
    calls: s.calls,
    totalMs: s.totalMs,
    rows: s.rows,
    accesses,
    singleRelation: f.scopes.length === 1 && f.scopes[0].relations.length === 1,
    costBefore: 0,
    beforeModel: null,
    planBefore: '',
    seqScans: NO_SEQ_SCANS,
  };
}

/**
 * Statements on one table with the same access pattern (they differ only in their select lists) plan
 * alike: they are planned once per candidate and share its saving. Other statements stand alone.
 */
export function accessSignature(s: Stmt): string {
  if (!s.singleRelation) return `#${s.idx}`;
  const a = s.accesses[0];
  return JSON.stringify([s.kind, tableKey(a.table), [...a.eq].sort(), [...a.range].sort(), a.sort, a.limit]);
}

/** Rows each call returned in the window (it scales LIMIT $n plans), null when unknown. */
export function rowsPerCall(s: Pick<Stmt, 'calls' | 'rows' | 'kind'>): number | null {
  return s.kind === 'select' && s.calls > 0 ? s.rows / s.calls : null;
}

/** Shared by the statements whose sequential scans are not needed (with hypopg); never mutated. */
export const NO_SEQ_SCANS: Set<string> = new Set();

export function tableKey(t: { schema: string; name: string }): string {
  return `${t.schema}.${t.name}`;
}

/** The relation of the block a column belongs to, or null when unknown/ambiguous/another block's. */
function resolveColumn(scope: Scope, c: ColRef, tables: Map<RelRef, CatalogTable | null>): RelRef | null {
  if (c.qualifier) {
    const byAlias = scope.relations.filter((r) => r.alias === c.qualifier);
    if (byAlias.length === 1) return byAlias[0];
    const byName = scope.relations.filter((r) => r.name === c.qualifier);
    return byName.length === 1 ? byName[0] : null;
  }
  if (scope.relations.length === 1) return scope.relations[0];
  const owners = scope.relations.filter((r) => tables.get(r)?.columns.has(c.column));
  return owners.length === 1 ? owners[0] : null;
}

/** Per relation of each block: the columns that an index could serve. */
export function accessesOf(facts: StatementFacts, catalog: Catalog, opts: Pick<AdvisorOptions, 'minTableRows'>): Access[] {
  const out: Access[] = [];
  for (const scope of facts.scopes) {
    const tables = new Map<RelRef, CatalogTable | null>();
    for (const r of scope.relations) tables.set(r, catalog.resolve(r));
    for (const rel of scope.relations) {
      const t = tables.get(rel);
      if (!t || t.reltuples < opts.minTableRows) continue;
      const mine = (c: ColRef) => resolveColumn(scope, c, tables) === rel && t.columns.has(c.column);
      const eq: string[] = [];
      const range: string[] = [];
      for (const p of scope.predicates) {
        if (!mine(p.col)) continue;
        if (p.op === 'eq' || p.op === 'in' || p.op === 'isnull') {
          if (!eq.includes(p.col.column)) eq.push(p.col.column);
        } else if (p.op === 'range' && !range.includes(p.col.column)) range.push(p.col.column);
      }
      const join: string[] = [];
      for (const j of scope.joins) {
        for (const [a, b] of [
          [j.left, j.right],
          [j.right, j.left],
        ]) {
          if (mine(a) && !(resolveColumn(scope, b, tables) === rel) && !join.includes(a.column)) join.push(a.column);
        }
      }
      let sort: IndexColumn[] | null = null;
      if (scope.sort && !scope.groupBy && !scope.aggregates && !scope.distinct && scope.sort.every((k) => mine(k.col))) {
        // A btree gives ASC NULLS LAST / DESC NULLS FIRST (or both reversed by a backward scan).
        const ok = scope.sort.every((k) => k.nulls === 'default' || k.nulls === (k.desc ? 'first' : 'last'));
        if (ok) sort = scope.sort.map((k) => (k.desc ? { name: k.col.column, desc: true } : { name: k.col.column }));
      }
      let used: Set<string> | null = new Set<string>();
      if (scope.stars.some((q) => q === null || q === rel.alias || q === rel.name)) used = null;
      else for (const c of scope.columns) if (mine(c)) used.add(c.column);
      if (eq.length === 0 && range.length === 0 && join.length === 0 && !(sort && scope.hasLimit)) continue;
      out.push({
        table: t,
        eq,
        range: range.filter((r) => !eq.includes(r)),
        join: join.filter((j) => !eq.includes(j)),
        sort,
        limit: scope.hasLimit,
        used,
      });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Candidates

export function candidatesFor(
  a: Access,
  opts: Pick<AdvisorOptions, 'maxKeyColumns' | 'maxIncludeColumns' | 'maxIncludeWidth'>,
): Candidate[] {
  const t = a.table;
  const base = { schema: t.schema, table: t.name, include: [] as string[] };
  const eq = [...a.eq]
    .map((name, i) => ({ name, i, sel: Catalog.eqSelectivity(t, name) }))
    .sort((x, y) => x.sel - y.sel || x.i - y.i)
    .map((x) => x.name)
    .slice(0, opts.maxKeyColumns);
  const eqCols: IndexColumn[] = eq.map((name) => ({ name }));
  const out: Candidate[] = [];
  const push = (keys: IndexColumn[], eqCount: number, into: Candidate[] = out) => {
    if (keys.length === 0 || keys.length > opts.maxKeyColumns) return;
    if (new Set(keys.map((k) => k.name)).size !== keys.length) return;
    into.push({ ...base, keys, eqCount });
  };
  if (a.sort) {
    const tail = a.sort.filter((s) => !eq.includes(s.name));
    if (tail.length > 0 && (eq.length > 0 || a.limit)) push([...eqCols, ...tail], eqCols.length);
  }
  for (const r of a.range.slice(0, 2)) push([...eqCols, { name: r }], eqCols.length);
  if (eqCols.length > 0) push(eqCols, eqCols.length);
  // Covering variants: the block's other columns of this table as INCLUDE, for index-only scans.
  if (a.used) {
    for (const c of [...out]) {
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

export function writeCostMs(c: Candidate, w: TableWrites | undefined, updatedColumns: Set<string> | undefined, msPerRow: number): number {
  if (!w) return 0;
  const cols = [...c.keys.map((k) => k.name), ...c.include];
  // HOT updates stay HOT unless they change an indexed column; without UPDATE texts, assume they do.
  const hotBroken = updatedColumns === undefined || cols.some((n) => updatedColumns.has(n)) ? w.hotUpdated : 0;
  const rows = w.inserted + Math.max(0, w.updated - w.hotUpdated) + hotBroken;
  const width = 1 + 0.15 * (cols.length - 1);
  return rows * msPerRow * width;
}

export async function inParallel<T>(items: T[], n: number, fn: (item: T, worker: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(n, items.length)) }, async (_, w) => {
      while (next < items.length) {
        const item = items[next++];
        await fn(item, w);
      }
    }),
  );
}

/** A statement's line in a recommendation's evidence. */
export function servedStatement(
  s: Pick<Stmt, 'queryids' | 'text' | 'calls' | 'totalMs' | 'rows' | 'costBefore'>,
  costAfter: number,
  planBefore: string,
  planAfter: string,
): ServedStatement {
  return {
    queryids: s.queryids,
    query: s.text,
    calls: s.calls,
    totalMs: s.totalMs,
    rows: s.rows,
    costBefore: s.costBefore,
    costAfter,
    planBefore,
    planAfter,
  };
}

export function recommendation(
  c: Candidate,
  catalog: Catalog,
  w: TableWrites | undefined,
  savedMs: number,
  writeCost: number,
  statements: ServedStatement[],
  verified: boolean,
): IndexRecommendation {
  const tbl = catalog.get(c.schema, c.table)!;
  const columnNotes: string[] = [];
  const eq = c.keys.slice(0, c.eqCount);
  if (eq.length > 0) {
    const desc = eq.map((k) => {
      const nd = tbl.columns.get(k.name)?.nDistinct;
      return `${k.name} (${nd ? `~${Math.round(nd)} distinct values` : 'no statistics'})`;
    });
    columnNotes.push(`equality columns, most selective first (pg_stats): ${desc.join(', ')}`);
  }
  const tail = c.keys.slice(c.eqCount);
  if (tail.length > 0)
    columnNotes.push(`then ${tail.map((k) => `${k.name}${k.desc ? ' DESC' : ''}`).join(', ')} (ORDER BY or range after the equalities)`);
  if (c.include.length > 0) columnNotes.push(`INCLUDE (${c.include.join(', ')}) lets the statements read only the index (index-only scan)`);
  return {
    schema: c.schema,
    table: c.table,
    reltuples: tbl.reltuples,
    keys: c.keys,
    eqCount: c.eqCount,
    include: c.include,
    verified,
    savedMs,
    writeCostMs: writeCost,
    writes: w ? { inserted: w.inserted, updated: w.updated, hotUpdated: w.hotUpdated, deleted: w.deleted } : null,
    statements: statements.sort((a, b) => b.totalMs - a.totalMs),
    statementCount: statements.length,
    columnNotes,
  };
}
