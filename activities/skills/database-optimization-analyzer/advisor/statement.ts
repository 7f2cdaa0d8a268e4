// Statements as the advisor keeps them, and their table accesses: per relation of each query block,
// the columns an index could serve (equalities, ranges, joins, ORDER BY).
import type { Catalog, CatalogTable } from '../../../postgres/catalog';
import type { IndexColumn } from '../../../postgres/index-model';
import { bindNestedLimits } from '../../../postgres/limit-binding';
import type { CostModel } from '../../../postgres/plan-walk';
import type { ColRef, RelRef, Scope, StatementFacts } from '../../../postgres/sql-parse';
import type { ValueSample } from '../../../postgres/value-samples';
import { accessKeys } from './expression-keys';
import type { AdvisorOptions } from './options';
import type { WorkloadStatement } from './types';

export interface Access {
  table: CatalogTable;
  eq: string[];
  range: string[];
  join: string[];
  sort: IndexColumn[] | null;
  /** Expression keys compared by equality/IN (expression-keys.ts). */
  exprEq?: IndexColumn[];
  /** Expression keys compared by a range, and the keys of prefix patterns (maybe with a pattern operator class). */
  exprRange?: IndexColumn[];
  /** A prefix pattern compared with a parameter: a generic plan cannot use its index, only custom plans with samples. */
  prefixParam?: boolean;
  /** Expressions left out as unselective, with why (for a note). */
  unselective?: string[];
  limit: boolean;
  /** Columns of the table the block references; null when it selects `*`. */
  used: Set<string> | null;
  /** ORs over different columns of this table (or-sets.ts): per group, each branch's columns. */
  or?: OrBranch[][];
}

/** One branch of an OR, as the columns of the table an index could serve. */
export interface OrBranch {
  eq: string[];
  range: string[];
}

export interface Stmt {
  idx: number;
  queryids: string[];
  /** The text planned: nested `LIMIT $k` bound to the rows a call returns (limit-binding.ts). */
  text: string;
  nParams: number;
  /** PREPARE's parameter types when some are bound, else undefined. */
  paramTypes: string[] | undefined;
  /** Literal-bearing instances of the statement (sampled value sets), planned as custom plans. */
  samples: ValueSample[];
  /** Their custom plans' costs before (aligned with samples once planned). */
  sampleCosts: number[];
  /** The statement's own text when `text` has bound LIMITs, else null. */
  shownText: string | null;
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
  /**
   * Measured at least slowMeanMs per call while its plan's LIMIT looks cheap (cost-gate.ts): the LIMIT did not
   * stop the scan early, so plans are costed as if it read to the end.
   */
  scansToEnd: boolean;
}

/** A statement as the advisor keeps it before it is planned. */
export function newStmt(idx: number, s: WorkloadStatement, f: StatementFacts, accesses: Access[]): Stmt {
  const bound = f.kind === 'select' ? bindNestedLimits(s.query, f, rowsPerCall({ calls: s.calls, rows: s.rows, kind: f.kind })) : null;
  // Every field listed in one order (no spread): the objects share one hidden class and stay in
  // fast mode (a spread of this many properties leaves them in dictionary mode, ~4x bigger).
  return {
    idx,
    queryids: [s.queryid],
    text: bound?.text ?? f.text,
    nParams: f.maxParam,
    paramTypes: bound?.paramTypes,
    samples: NO_SAMPLES,
    sampleCosts: NO_COSTS,
    shownText: bound ? f.text : null,
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
    scansToEnd: false,
  };
}

/**
 * Statements on one table with the same access pattern (they differ only in their select lists) plan
 * alike: they are planned once per candidate and share its saving. Other statements stand alone.
 */
export function accessSignature(s: Stmt): string {
  if (!s.singleRelation) return `#${s.idx}`;
  const a = s.accesses[0];
  return JSON.stringify([
    s.kind,
    tableKey(a.table),
    [...a.eq].sort(),
    [...a.range].sort(),
    a.sort,
    a.limit,
    a.or ?? null,
    a.exprEq,
    a.exprRange,
  ]);
}

/** Rows each call returned in the window (it scales LIMIT $n plans), null when unknown. */
export function rowsPerCall(s: Pick<Stmt, 'calls' | 'rows' | 'kind'> & { scansToEnd?: boolean }): number | null {
  if (s.scansToEnd) return Number.MAX_SAFE_INTEGER; // a LIMIT scales the cost by rows / its input's rows: here all of it
  return s.kind === 'select' && s.calls > 0 ? s.rows / s.calls : null;
}

/** Shared by the statements without samples; never mutated. */
export const NO_SAMPLES: ValueSample[] = [];
export const NO_COSTS: number[] = [];

/** Shared by the statements whose sequential scans are not needed (with hypopg); never mutated. */
export const NO_SEQ_SCANS: Set<string> = new Set();

export function tableKey(t: { schema: string; name: string }): string {
  return `${t.schema}.${t.name}`;
}

/** The relation of the block a column belongs to, or null when unknown/ambiguous/another block's. */
export function resolveColumn(scope: Scope, c: ColRef, tables: Map<RelRef, CatalogTable | null>): RelRef | null {
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

/** The block's OR groups whose every branch has a column of this relation an index could serve. */
function orBranches(scope: Scope, mine: (c: ColRef) => boolean): OrBranch[][] {
  const out: OrBranch[][] = [];
  for (const g of scope.orGroups) {
    const branches: OrBranch[] = [];
    for (const preds of g.branches) {
      const b: OrBranch = { eq: [], range: [] };
      for (const p of preds) {
        if (!mine(p.col)) continue;
        const into = p.op === 'eq' || p.op === 'in' || p.op === 'isnull' ? b.eq : p.op === 'range' ? b.range : null;
        if (into && !into.includes(p.col.column)) into.push(p.col.column);
      }
      b.range = b.range.filter((r) => !b.eq.includes(r));
      if (b.eq.length === 0 && b.range.length === 0) break;
      branches.push(b);
    }
    if (branches.length === g.branches.length) out.push(branches);
  }
  return out;
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
      const limit = scope.hasLimit || scope.sortFromOuter;
      if (scope.sort && !scope.groupBy && !scope.aggregates && !scope.distinct && scope.sort.every((k) => mine(k.col))) {
        // A btree gives ASC NULLS LAST / DESC NULLS FIRST (or both reversed by a backward scan).
        const ok = scope.sort.every((k) => k.nulls === 'default' || k.nulls === (k.desc ? 'first' : 'last'));
        if (ok) sort = scope.sort.map((k) => (k.desc ? { name: k.col.column, desc: true } : { name: k.col.column }));
      }
      let used: Set<string> | null = new Set<string>();
      if (scope.stars.some((q) => q === null || q === rel.alias || q === rel.name)) used = null;
      else for (const c of scope.columns) if (mine(c)) used.add(c.column);
      const or = orBranches(scope, mine);
      const keys = accessKeys(scope.exprPredicates, t, (p) => p.columns.every((c) => resolveColumn(scope, c, tables) === rel));
      const exprKeys = keys.eq.length + keys.range.length + keys.unselective.length;
      if (eq.length === 0 && range.length === 0 && join.length === 0 && !(sort && limit) && or.length === 0 && exprKeys === 0) continue;
      out.push({
        ...(or.length > 0 ? { or } : {}),
        exprEq: keys.eq,
        exprRange: keys.range,
        prefixParam: keys.prefixParam,
        unselective: keys.unselective,
        table: t,
        eq,
        range: range.filter((r) => !eq.includes(r)),
        join: join.filter((j) => !eq.includes(j)),
        sort,
        limit,
        used,
      });
    }
  }
  return out;
}
