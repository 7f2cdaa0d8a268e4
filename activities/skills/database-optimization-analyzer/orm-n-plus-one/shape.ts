// The shapes an ORM gives a statement it runs once per row, recognised from PostgreSQL's parser:
// a one-row lookup or lazy getter by key (= $k, IN ($k), = ANY($k)), an association loader through a
// link table, a join filtered by one key, a per-key count (also over a subquery), an existence check
// (EXISTS (...) or a row by two keys), each also as a plain SELECT DISTINCT. Pure once the parser is loaded.
import * as pgQuery from 'libpg-query';
import { inner, typeOf, type Node } from '../../../postgres/sql-ast';
import { tryParse, type Predicate, type RelRef, type Scope, type StatementFacts } from '../../../postgres/sql-parse';

export type ShapeKind =
  | 'lazy getter by primary key'
  | 'lookup by key'
  | 'association loader through a link table'
  | 'per-row join by key'
  | 'per-row count'
  | 'per-row EXISTS'
  | 'per-row existence check';

export interface KeyRef {
  /** As written in the statement: `"favorites"."article_id"`, `article_id`. */
  text: string;
  column: string;
  param: number;
  /** Where `$k` (or the `IN ($k)` list) is in the statement text. */
  location: number;
  op: 'eq' | 'in';
}

export interface PerRowShape {
  kind: ShapeKind;
  /** The relation the rows come from (for a link table loader: the far table). */
  table: string;
  /** The key that changes per row (a guess when there are two: the last parameter). */
  key: KeyRef;
  /** The key that stays the same for the request (the viewer's), with two keys. */
  fixedKey: KeyRef | null;
  /** The link table of an association loader. */
  via: string | null;
  wrapper: 'none' | 'count' | 'exists';
  /** The core query block's text (inside the wrapper's parentheses). */
  coreText: string;
  coreStart: number;
  /** Where the core block's select list starts, in the statement text. */
  targetStart: number;
  /** The core block's select list already returns the per-row key. */
  selectsKey: boolean;
  /** The core block has ORDER BY, LIMIT or OFFSET (per key: the batched form needs a LATERAL join). */
  perKeyLimit: boolean;
  hasLimit: boolean;
  hasOrderOrOffset: boolean;
}

/** An identifier quoted as the statement quotes it (ORMs quote every name), or when it must be. */
function identAsWritten(text: string, name: string): string {
  const quoted = `"${name.replace(/"/g, '""')}"`;
  return /^[a-z_][a-z0-9_$]*$/.test(name) && !text.includes(quoted) ? name : quoted;
}

function keyOf(text: string, p: Predicate): KeyRef | null {
  if (p.param === null || p.paramLocation < 0 || (p.op !== 'eq' && p.op !== 'in')) return null;
  const q = (n: string) => identAsWritten(text, n);
  const colText = `${p.col.qualifier ? `${q(p.col.qualifier)}.` : ''}${q(p.col.column)}`;
  if (!text.startsWith(`$${p.param}`, p.paramLocation)) return null;
  return { text: colText, column: p.col.column, param: p.param, location: p.paramLocation, op: p.op };
}

/** The relation a column belongs to: its qualifier, or the only relation. */
function relationOf(scope: Scope, qualifier: string | null): RelRef | null {
  if (qualifier === null) return scope.relations.length === 1 ? scope.relations[0] : null;
  return scope.relations.find((r) => r.alias === qualifier || r.name === qualifier) ?? null;
}

/** The spans inside the parentheses around `pos` (quotes skipped), innermost first. */
export function enclosingParens(text: string, pos: number): { start: number; end: number }[] {
  const stack: number[] = [];
  let opened: number[] | null = null;
  const out: { start: number; end: number }[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "'" || c === '"') {
      const close = text.indexOf(c, i + 1);
      i = close < 0 ? text.length : close;
      continue;
    }
    if (i === pos) opened = [...stack];
    if (c === '(') stack.push(i);
    else if (c === ')') {
      const start = stack.pop();
      if (opened && start !== undefined && opened.includes(start)) out.push({ start: start + 1, end: i });
    }
  }
  return out;
}

/** The subquery text around `pos`: the innermost parentheses that hold a SELECT. */
function subqueryAround(text: string, pos: number): { start: number; end: number } | null {
  return enclosingParens(text, pos).find((p) => /^\s*select\b/i.test(text.slice(p.start, p.end))) ?? null;
}

/** The wrapper around the core block: `SELECT EXISTS (subquery)`, or an aggregate over `FROM (subquery)`. */
function wrapperOf(sql: string, outer: Scope): 'count' | 'exists' | null {
  if (outer.relations.length > 0) return null;
  const stmt = pgQuery.parseSync(sql).stmts?.[0]?.stmt as unknown;
  if (typeOf(stmt) !== 'SelectStmt') return null;
  const sel = inner(stmt);
  const targets = (sel.targetList as unknown[]) ?? [];
  const from = (sel.fromClause as unknown[]) ?? [];
  if (targets.length === 1 && from.length === 0) {
    const val = inner(targets[0]).val;
    if (typeOf(val) === 'SubLink' && (inner(val) as Node).subLinkType === 'EXISTS_SUBLINK') return 'exists';
  }
  if (from.length === 1 && typeOf(from[0]) === 'RangeSubselect' && outer.aggregates && !outer.groupBy && !sel.whereClause) return 'count';
  return null;
}

/** Columns the block selects other than from `rel` (its stars and plain columns). */
function selectsOtherThan(scope: Scope, rel: RelRef, allowed: string[]): boolean {
  const isRel = (q: string | null) => q !== null && (q === rel.alias || q === rel.name);
  if (scope.stars.some((q) => q === null || !isRel(q))) return true;
  return scope.selectColumns.some((c) => !isRel(c.qualifier) && !allowed.includes(c.column));
}

/** The select list returns the key column: a star over its relation, or the column itself. */
function selectsKey(scope: Scope, p: Predicate): boolean {
  const rel = relationOf(scope, p.col.qualifier);
  const ofRel = (q: string | null) => q === null || (rel !== null && (q === rel.alias || q === rel.name));
  if (scope.stars.some((q) => (q === null ? scope.relations.length === 1 : ofRel(q)))) return true;
  return scope.selectColumns.some((c) => c.column === p.col.column && ofRel(c.qualifier));
}

type CoreKind = 'lookup' | 'link' | 'join';

/** How the core block reaches its rows: one table, a link table, or joins; null for anything else. */
function coreKind(scope: Scope, key: KeyRef, keyQualifier: string | null): { kind: CoreKind; table: string; via: string | null } | null {
  const rels = scope.relations;
  if (rels.length === 1) return scope.joins.length === 0 ? { kind: 'lookup', table: rels[0].name, via: null } : null;
  if (scope.joins.length < rels.length - 1) return null; // a cross join: not a per-row load
  const keyRel = relationOf(scope, keyQualifier);
  if (!keyRel) return null;
  if (rels.length === 2) {
    const far = rels.find((r) => r !== keyRel)!;
    const j = scope.joins[0];
    const links = [j.left, j.right].map((c) => relationOf(scope, c.qualifier));
    const linksBoth = links.includes(keyRel) && links.includes(far);
    // A link table: filtered by the key, joined to the far table, and nothing of it selected but its two keys
    // (Bookshelf selects both as `_pivot_*`).
    const linkKeys = [key.column, ...[j.left, j.right].filter((c) => relationOf(scope, c.qualifier) === keyRel).map((c) => c.column)];
    if (scope.joins.length === 1 && linksBoth && !selectsOtherThan(scope, far, linkKeys) && scope.stars.length > 0) {
      return { kind: 'link', table: far.name, via: keyRel.name };
    }
  }
  return { kind: 'join', table: keyRel.name, via: null };
}

function kindOf(core: CoreKind, wrapper: PerRowShape['wrapper'], scope: Scope, keys: KeyRef[]): ShapeKind | null {
  if (wrapper === 'exists') return 'per-row EXISTS';
  if (wrapper === 'count' || scope.aggregates) return scope.groupBy ? null : 'per-row count';
  // Two keys, or `SELECT 1 ... LIMIT 1` (nothing of the rows selected): is there such a row?
  const selectsNothing = scope.stars.length === 0 && scope.selectColumns.length === 0 && scope.hasLimit && !scope.hasOrderBy;
  if (keys.length === 2 || selectsNothing) return 'per-row existence check';
  if (core === 'link') return 'association loader through a link table';
  if (core === 'join') return 'per-row join by key';
  return keys[0].column.toLowerCase() === 'id' ? 'lazy getter by primary key' : 'lookup by key';
}

/**
 * `DISTINCT ON (...)` keeps one row per group across all the keys once batched: not the same rows. A plain
 * DISTINCT (Bookshelf loads every relation with one) stays distinct per key, since the key is selected.
 */
function distinctOn(text: string, scope: Scope): boolean {
  if (!scope.distinct) return false;
  const head = text.slice(0, scope.targetStart).toLowerCase();
  return scope.targetStart < 0 || /^distinct\s+on\b/.test(head.slice(head.lastIndexOf('distinct')));
}

/** The per-row shape of one statement, or null when it is not one (or does not parse). */
export function perRowShape(sql: string): PerRowShape | null {
  const parsed = tryParse(sql, { fingerprint: false });
  return 'error' in parsed ? null : perRowShapeFromFacts(parsed.facts);
}

export function perRowShapeFromFacts(f: StatementFacts): PerRowShape | null {
  if (f.kind !== 'select' || f.locking || f.cteNames.length > 0 || f.scopes.length === 0 || f.scopes.length > 2) return null;
  const withRels = f.scopes.filter((s) => s.relations.length > 0);
  if (withRels.length !== 1) return null;
  const scope = withRels[0];
  let wrapper: PerRowShape['wrapper'] = 'none';
  if (f.scopes.length === 2) {
    if (f.scopes[0] === scope) return null;
    const w = wrapperOf(f.text, f.scopes[0]);
    if (!w) return null;
    wrapper = w;
  }
  if (distinctOn(f.text, scope) || scope.windowFunctions || scope.having || (scope.groupBy && wrapper !== 'count')) return null;
  const keyPreds = scope.predicates.filter((p) => (p.op === 'eq' || p.op === 'in') && p.param !== null);
  const keys = keyPreds.map((p) => keyOf(f.text, p));
  if (keys.length === 0 || keys.length > 2 || keys.some((k) => k === null)) return null;
  const sorted = (keys as KeyRef[]).slice().sort((a, b) => a.param - b.param);
  const key = sorted[sorted.length - 1];
  const keyPred = keyPreds[keys.indexOf(key)];
  const core = coreKind(scope, key, keyPred.col.qualifier);
  if (!core) return null;
  const kind = kindOf(core.kind, wrapper, scope, sorted);
  if (!kind) return null;
  const span = wrapper === 'none' ? { start: 0, end: f.text.length } : subqueryAround(f.text, key.location);
  if (!span) return null;
  return {
    kind,
    table: core.table,
    key,
    fixedKey: sorted.length === 2 ? sorted[0] : null,
    via: core.via,
    wrapper,
    coreText: f.text.slice(span.start, span.end),
    coreStart: span.start,
    targetStart: scope.targetStart,
    selectsKey: selectsKey(scope, keyPred),
    perKeyLimit: scope.hasLimit || scope.hasOrderBy || scope.hasOffset,
    hasLimit: scope.hasLimit,
    hasOrderOrOffset: scope.hasOrderBy || scope.hasOffset,
  };
}
