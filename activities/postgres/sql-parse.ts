// SQL facts from PostgreSQL's own parser (libpg-query: the server's grammar compiled to wasm, so it
// accepts exactly what PostgreSQL accepts): statement kind, fingerprint, relations, predicates
// (=, IN/ANY, ranges, IS NULL), join keys, ORDER BY/LIMIT, referenced columns. Columns are kept as
// written (qualifier + name); resolving them to tables needs the catalog and happens in the advisor.
// Everything here is pure once the wasm module is loaded (ensureParser()).
import * as pgQuery from 'libpg-query';

let loading: Promise<boolean> | null = null;
let ready = false;
let loadError: string | null = null;

/** Loads the wasm parser once. Resolves false (with parserProblem()) when it cannot be loaded. */
export function ensureParser(): Promise<boolean> {
  if (!loading) {
    loading = pgQuery
      .loadModule()
      .then(() => {
        ready = true;
        return true;
      })
      .catch((err: Error) => {
        loadError = err.message;
        return false;
      });
  }
  return loading;
}

export function parserReady(): boolean {
  return ready;
}

export function parserProblem(): string | null {
  return loadError;
}

export type StatementKind = 'select' | 'insert' | 'update' | 'delete' | 'other';
export type PredicateOp = 'eq' | 'in' | 'range' | 'isnull' | 'like';

export interface RelRef {
  schema: string | null;
  name: string;
  /** How columns refer to it: the alias, or the relation name. */
  alias: string;
}

export interface ColRef {
  qualifier: string | null;
  column: string;
}

export interface Predicate {
  col: ColRef;
  op: PredicateOp;
  /** $k when the compared value is exactly a parameter (maybe cast), else null. */
  param: number | null;
  /** Position of that parameter in the statement text (for rewriting), -1 when none. */
  paramLocation: number;
}

export interface JoinKey {
  left: ColRef;
  right: ColRef;
}

export interface SortKey {
  col: ColRef;
  desc: boolean;
  nulls: 'default' | 'first' | 'last';
}

/** One query block: a SELECT (each side of a UNION is its own), or the WHERE of an UPDATE/DELETE. */
export interface Scope {
  relations: RelRef[];
  /** Relations of enclosing blocks, for correlated references. */
  outer: RelRef[];
  predicates: Predicate[];
  joins: JoinKey[];
  /** ORDER BY as plain columns; null when there is no ORDER BY or some key is an expression. */
  sort: SortKey[] | null;
  hasOrderBy: boolean;
  hasLimit: boolean;
  hasOffset: boolean;
  /** Every plain column reference of the block (select list, WHERE, ON, GROUP BY, ORDER BY, ...). */
  columns: ColRef[];
  /** `*` in the select list: qualifiers of `t.*`, null for a bare `*`. */
  stars: (string | null)[];
  groupBy: boolean;
  having: boolean;
  aggregates: boolean;
  distinct: boolean;
  windowFunctions: boolean;
  /** Location of the first select-list entry (-1 when none). */
  targetStart: number;
  /** Plain column names in the select list (for N+1 rewriting). */
  selectColumns: ColRef[];
}

export interface StatementFacts {
  kind: StatementKind;
  /** pg_query fingerprint (constants and parameters ignored), null when it could not be computed. */
  fingerprint: string | null;
  /** The exact text of the (single) statement, without a trailing semicolon. */
  text: string;
  statementCount: number;
  scopes: Scope[];
  /** INSERT/UPDATE/DELETE target. */
  writeTarget: RelRef | null;
  /** Columns an UPDATE sets (an index on one of them makes its updates non-HOT). */
  updatedColumns: string[];
  /** SELECT ... FOR UPDATE/SHARE. */
  locking: boolean;
  /** Highest $k. */
  maxParam: number;
  /** Relation names of CTEs (they shadow tables). */
  cteNames: string[];
  /** A WITH query that inserts, updates or deletes (planned only as a write). */
  modifiesData: boolean;
}

export class SqlParseError extends Error {}

type Node = Record<string, unknown>;
type AnyNode = { [type: string]: Node };

const AGGREGATES = new Set([
  'count',
  'sum',
  'avg',
  'min',
  'max',
  'array_agg',
  'string_agg',
  'bool_and',
  'bool_or',
  'every',
  'json_agg',
  'jsonb_agg',
  'json_object_agg',
  'jsonb_object_agg',
  'stddev',
  'stddev_pop',
  'stddev_samp',
  'variance',
  'var_pop',
  'var_samp',
  'bit_and',
  'bit_or',
  'percentile_cont',
  'percentile_disc',
  'mode',
  'xmlagg',
  'corr',
  'covar_pop',
  'covar_samp',
  'regr_count',
]);

function typeOf(n: unknown): string | null {
  if (!n || typeof n !== 'object' || Array.isArray(n)) return null;
  const keys = Object.keys(n);
  return keys.length === 1 ? keys[0] : null;
}

function inner(n: unknown): Node {
  return (n as AnyNode)[typeOf(n)!] ?? {};
}

function sval(n: unknown): string | null {
  if (typeOf(n) !== 'String') return null;
  return String(inner(n).sval ?? '');
}

function opName(nameList: unknown): string | null {
  if (!Array.isArray(nameList) || nameList.length === 0) return null;
  return sval(nameList[nameList.length - 1]);
}

/** A plain column reference: `col`, `t.col`, `s.t.col` (not `*`, not a cast or expression). */
export function columnRef(n: unknown): ColRef | null {
  if (typeOf(n) !== 'ColumnRef') return null;
  const fields = (inner(n).fields as unknown[]) ?? [];
  const names = fields.map(sval);
  if (names.length === 0 || names.some((x) => x === null)) return null;
  const parts = names as string[];
  if (parts.length === 1) return { qualifier: null, column: parts[0] };
  return { qualifier: parts[parts.length - 2], column: parts[parts.length - 1] };
}

function rangeVar(n: Node): RelRef {
  const alias = (n.alias as Node | undefined)?.aliasname as string | undefined;
  const name = String(n.relname);
  return { schema: (n.schemaname as string | undefined) ?? null, name, alias: alias ?? name };
}

interface Ctx {
  scopes: Scope[];
  ctes: Set<string>;
  maxParam: number;
  modifiesData: boolean;
}

function newScope(outer: RelRef[]): Scope {
  return {
    relations: [],
    outer,
    predicates: [],
    joins: [],
    sort: null,
    hasOrderBy: false,
    hasLimit: false,
    hasOffset: false,
    columns: [],
    stars: [],
    groupBy: false,
    having: false,
    aggregates: false,
    distinct: false,
    windowFunctions: false,
    targetStart: -1,
    selectColumns: [],
  };
}

/** True when `qualifier` names one of the relations (alias, or bare name). */
function qualifies(rels: RelRef[], qualifier: string): boolean {
  return rels.some((r) => r.alias === qualifier || r.name === qualifier);
}

/** A column of an enclosing block (correlated reference), not of this block. */
function isOuterColumn(scope: Scope, c: ColRef): boolean {
  return c.qualifier !== null && !qualifies(scope.relations, c.qualifier) && qualifies(scope.outer, c.qualifier);
}

/** A value the index can be probed with: parameters, constants, functions of those, outer columns. */
function isValue(scope: Scope, n: unknown): boolean {
  const t = typeOf(n);
  const v = inner(n);
  switch (t) {
    case 'ParamRef':
    case 'A_Const':
    case 'SQLValueFunction':
      return true;
    case 'TypeCast':
      return isValue(scope, v.arg);
    case 'FuncCall':
      if (v.over || v.agg_star) return false;
      return ((v.args as unknown[]) ?? []).every((a) => isValue(scope, a));
    case 'A_ArrayExpr':
      return ((v.elements as unknown[]) ?? []).every((a) => isValue(scope, a));
    case 'A_Expr':
      return v.kind === 'AEXPR_OP' && (v.lexpr === undefined || isValue(scope, v.lexpr)) && isValue(scope, v.rexpr);
    case 'ColumnRef': {
      const c = columnRef(n);
      return c !== null && isOuterColumn(scope, c);
    }
    case 'List':
      return ((v.items as unknown[]) ?? []).every((a) => isValue(scope, a));
    default:
      return false;
  }
}

function paramOf(n: unknown): { param: number | null; location: number } {
  let cur = n;
  while (typeOf(cur) === 'TypeCast') cur = inner(cur).arg;
  if (typeOf(cur) === 'ParamRef') return { param: Number(inner(cur).number), location: Number(inner(cur).location ?? -1) };
  return { param: null, location: -1 };
}

const COMMUTE: Record<string, string> = { '<': '>', '>': '<', '<=': '>=', '>=': '<=', '=': '=' };

/** Adds the predicates of one top-level conjunct. */
function conjunct(scope: Scope, n: unknown, ctx: Ctx): void {
  const t = typeOf(n);
  const v = inner(n);
  if (t === 'BoolExpr') {
    const args = (v.args as unknown[]) ?? [];
    if (v.boolop === 'AND_EXPR') {
      for (const a of args) conjunct(scope, a, ctx);
      return;
    }
    if (v.boolop === 'OR_EXPR') {
      // a = 1 OR a = 2 OR a IN (3, 4): an IN list on one column.
      let col: ColRef | null = null;
      for (const a of args) {
        const tmp = newScope(scope.outer);
        tmp.relations = scope.relations;
        conjunct(tmp, a, { ...ctx, scopes: [] });
        const p = tmp.predicates;
        if (p.length !== 1 || (p[0].op !== 'eq' && p[0].op !== 'in') || tmp.joins.length > 0) return;
        if (col && (col.column !== p[0].col.column || col.qualifier !== p[0].col.qualifier)) return;
        col = p[0].col;
      }
      if (col) scope.predicates.push({ col, op: 'in', param: null, paramLocation: -1 });
    }
    return;
  }
  if (t === 'ColumnRef') {
    const c = columnRef(n);
    if (c) scope.predicates.push({ col: c, op: 'eq', param: null, paramLocation: -1 }); // WHERE is_active
    return;
  }
  if (t === 'BooleanTest') {
    const c = columnRef(v.arg);
    if (c && (v.booltesttype === 'IS_TRUE' || v.booltesttype === 'IS_FALSE'))
      scope.predicates.push({ col: c, op: 'eq', param: null, paramLocation: -1 });
    return;
  }
  if (t === 'NullTest') {
    const c = columnRef(v.arg);
    if (c && v.nulltesttype === 'IS_NULL') scope.predicates.push({ col: c, op: 'isnull', param: null, paramLocation: -1 });
    return;
  }
  if (t === 'SubLink') {
    // col IN (SELECT ...): a semi-join on col.
    const c = columnRef(v.testexpr);
    if (c && v.subLinkType === 'ANY_SUBLINK') scope.predicates.push({ col: c, op: 'in', param: null, paramLocation: -1 });
    return;
  }
  if (t !== 'A_Expr') return;
  const kind = v.kind as string;
  const op = opName(v.name);
  const l = columnRef(v.lexpr);
  const r = columnRef(v.rexpr);
  if (kind === 'AEXPR_OP' && op && op in COMMUTE) {
    if (l && r && !isOuterColumn(scope, l) && !isOuterColumn(scope, r)) {
      if (op === '=') scope.joins.push({ left: l, right: r });
      return;
    }
    let col: ColRef | null = null;
    let value: unknown;
    if (l && !isOuterColumn(scope, l) && isValue(scope, v.rexpr)) {
      col = l;
      value = v.rexpr;
    } else if (r && !isOuterColumn(scope, r) && isValue(scope, v.lexpr)) {
      col = r;
      value = v.lexpr;
    }
    if (!col) return;
    const outerCol = columnRef(value);
    if (op === '=' && outerCol && isOuterColumn(scope, outerCol)) {
      scope.joins.push({ left: col, right: outerCol }); // correlated: sub.fk = outer.id
      return;
    }
    const p = paramOf(value);
    scope.predicates.push({ col, op: op === '=' ? 'eq' : 'range', param: p.param, paramLocation: p.location });
    return;
  }
  if ((kind === 'AEXPR_OP_ANY' || kind === 'AEXPR_IN') && op === '=' && l && isValue(scope, v.rexpr)) {
    const p = kind === 'AEXPR_OP_ANY' ? paramOf(v.rexpr) : { param: null, location: -1 };
    scope.predicates.push({ col: l, op: 'in', param: p.param, paramLocation: p.location });
    return;
  }
  if ((kind === 'AEXPR_BETWEEN' || kind === 'AEXPR_BETWEEN_SYM') && l && isValue(scope, v.rexpr)) {
    scope.predicates.push({ col: l, op: 'range', param: null, paramLocation: -1 });
    return;
  }
  if (kind === 'AEXPR_LIKE' && op === '~~' && l && isValue(scope, v.rexpr)) {
    scope.predicates.push({ col: l, op: 'like', param: null, paramLocation: -1 });
  }
}

/**
 * Walks an expression of a block: collects its column references and aggregate/window calls, and
 * visits subqueries (SubLinks) as blocks of their own.
 */
function walkExpr(scope: Scope, n: unknown, ctx: Ctx): void {
  if (Array.isArray(n)) {
    for (const x of n) walkExpr(scope, x, ctx);
    return;
  }
  if (!n || typeof n !== 'object') return;
  const t = typeOf(n);
  if (t === 'SubLink') {
    const v = inner(n);
    walkExpr(scope, v.testexpr, ctx);
    visitStatement(v.subselect, [...scope.outer, ...scope.relations], ctx);
    return;
  }
  if (t === 'ColumnRef') {
    const c = columnRef(n);
    if (c && !isOuterColumn(scope, c)) scope.columns.push(c);
    return;
  }
  if (t === 'ParamRef') {
    ctx.maxParam = Math.max(ctx.maxParam, Number(inner(n).number ?? 0));
    return;
  }
  if (t === 'FuncCall') {
    const v = inner(n);
    const name = opName(v.funcname);
    if (v.over) scope.windowFunctions = true;
    else if (v.agg_star || v.agg_distinct || v.agg_filter || (name && AGGREGATES.has(name.toLowerCase()))) scope.aggregates = true;
  }
  if (t === null) {
    for (const x of Object.values(n as Node)) walkExpr(scope, x, ctx);
    return;
  }
  for (const x of Object.values(inner(n))) if (x && typeof x === 'object') walkExpr(scope, x, ctx);
}

/** FROM items: relations, joins (ON quals become predicates/join keys), subqueries as blocks. */
function fromItem(scope: Scope, n: unknown, ctx: Ctx): void {
  const t = typeOf(n);
  const v = inner(n);
  if (t === 'RangeVar') {
    const rel = rangeVar(v);
    if (!rel.schema && ctx.ctes.has(rel.name)) return;
    scope.relations.push(rel);
  } else if (t === 'JoinExpr') {
    fromItem(scope, v.larg, ctx);
    fromItem(scope, v.rarg, ctx);
    if (v.quals) {
      conjunct(scope, v.quals, ctx);
      walkExpr(scope, v.quals, ctx);
    }
    for (const u of (v.usingClause as unknown[]) ?? []) {
      const name = sval(u);
      if (name) scope.columns.push({ qualifier: null, column: name });
    }
  } else if (t === 'RangeSubselect') {
    visitStatement(v.subquery, [...scope.outer, ...(v.lateral ? scope.relations : [])], ctx);
  } else if (t === 'RangeFunction') {
    walkExpr(scope, v.functions, ctx);
  }
}

function whereClause(scope: Scope, where: unknown, ctx: Ctx): void {
  if (!where) return;
  conjunct(scope, where, ctx);
  walkExpr(scope, where, ctx);
}

function visitSelect(v: Node, outer: RelRef[], ctx: Ctx): void {
  visitWith(v.withClause, outer, ctx);
  if (v.op && v.op !== 'SETOP_NONE') {
    visitStatement({ SelectStmt: v.larg as Node }, outer, ctx);
    visitStatement({ SelectStmt: v.rarg as Node }, outer, ctx);
    return;
  }
  if (v.valuesLists) {
    const s = newScope(outer);
    walkExpr(s, v.valuesLists, ctx);
    return;
  }
  const scope = newScope(outer);
  ctx.scopes.push(scope);
  for (const f of (v.fromClause as unknown[]) ?? []) fromItem(scope, f, ctx);
  const targets = (v.targetList as unknown[]) ?? [];
  for (const [i, rt] of targets.entries()) {
    const val = inner(rt).val;
    if (i === 0) scope.targetStart = Number(inner(rt).location ?? -1);
    if (typeOf(val) === 'ColumnRef') {
      const fields = (inner(val).fields as unknown[]) ?? [];
      if (typeOf(fields[fields.length - 1]) === 'A_Star') {
        scope.stars.push(fields.length > 1 ? sval(fields[fields.length - 2]) : null);
        continue;
      }
      const c = columnRef(val);
      if (c) scope.selectColumns.push(c);
    }
    walkExpr(scope, val, ctx);
  }
  whereClause(scope, v.whereClause, ctx);
  if (v.groupClause) {
    scope.groupBy = true;
    walkExpr(scope, v.groupClause, ctx);
  }
  if (v.havingClause) {
    scope.having = true;
    walkExpr(scope, v.havingClause, ctx);
  }
  if (v.distinctClause) scope.distinct = true;
  walkExpr(scope, v.windowClause, ctx);
  const sortBy = (v.sortClause as unknown[]) ?? [];
  if (sortBy.length > 0) {
    scope.hasOrderBy = true;
    const keys: SortKey[] = [];
    let plain = true;
    for (const s of sortBy) {
      const sv = inner(s);
      walkExpr(scope, sv.node, ctx);
      const c = columnRef(sv.node);
      if (!c || sv.sortby_dir === 'SORTBY_USING') {
        plain = false;
        continue;
      }
      const desc = sv.sortby_dir === 'SORTBY_DESC';
      const nulls = sv.sortby_nulls === 'SORTBY_NULLS_FIRST' ? 'first' : sv.sortby_nulls === 'SORTBY_NULLS_LAST' ? 'last' : 'default';
      keys.push({ col: c, desc, nulls });
    }
    scope.sort = plain ? keys : null;
  }
  if (v.limitCount) {
    scope.hasLimit = true;
    walkExpr(scope, v.limitCount, ctx);
  }
  if (v.limitOffset) {
    scope.hasOffset = true;
    walkExpr(scope, v.limitOffset, ctx);
  }
}

function visitWith(withClause: unknown, outer: RelRef[], ctx: Ctx): void {
  const w = withClause as Node | undefined;
  for (const cte of (w?.ctes as unknown[]) ?? []) {
    const c = inner(cte);
    ctx.ctes.add(String(c.ctename));
    const qt = typeOf(c.ctequery);
    if (qt === 'InsertStmt' || qt === 'UpdateStmt' || qt === 'DeleteStmt' || qt === 'MergeStmt') ctx.modifiesData = true;
    visitStatement(c.ctequery, outer, ctx);
  }
}

function visitStatement(n: unknown, outer: RelRef[], ctx: Ctx): void {
  const t = typeOf(n);
  const v = inner(n);
  if (t === 'SelectStmt') visitSelect(v, outer, ctx);
  else if (t === 'UpdateStmt' || t === 'DeleteStmt') {
    visitWith(v.withClause, outer, ctx);
    const scope = newScope(outer);
    ctx.scopes.push(scope);
    scope.relations.push(rangeVar(v.relation as Node));
    for (const f of ((t === 'UpdateStmt' ? v.fromClause : v.usingClause) as unknown[]) ?? []) fromItem(scope, f, ctx);
    whereClause(scope, v.whereClause, ctx);
    walkExpr(scope, v.targetList, ctx);
  } else if (t === 'InsertStmt') {
    visitWith(v.withClause, outer, ctx);
    if (v.selectStmt) visitStatement(v.selectStmt, outer, ctx);
  } else if (t === 'ExplainStmt') {
    visitStatement(v.query, outer, ctx);
  }
}

const KIND: Record<string, StatementKind> = { SelectStmt: 'select', InsertStmt: 'insert', UpdateStmt: 'update', DeleteStmt: 'delete' };

/** Parses one statement. Throws SqlParseError on a syntax error or when the parser is not loaded. */
export function parseStatement(sql: string, opts: { fingerprint?: boolean } = {}): StatementFacts {
  if (!ready) throw new SqlParseError('the SQL parser is not loaded (call ensureParser() first)');
  let tree: { stmts?: { stmt?: unknown; stmt_location?: number; stmt_len?: number }[] };
  try {
    tree = pgQuery.parseSync(sql);
  } catch (err) {
    throw new SqlParseError(`syntax error: ${(err as Error).message}`);
  }
  const stmts = tree.stmts ?? [];
  if (stmts.length === 0) throw new SqlParseError('no statement');
  const first = stmts[0];
  const start = first.stmt_location ?? 0;
  const text = (first.stmt_len ? sql.slice(start, start + first.stmt_len) : sql.slice(start)).trim().replace(/;\s*$/, '');
  const t = typeOf(first.stmt) ?? 'unknown';
  const ctx: Ctx = { scopes: [], ctes: new Set(), maxParam: 0, modifiesData: false };
  visitStatement(first.stmt, [], ctx);
  let writeTarget: RelRef | null = null;
  if (t === 'InsertStmt' || t === 'UpdateStmt' || t === 'DeleteStmt') writeTarget = rangeVar(inner(first.stmt).relation as Node);
  const updatedColumns =
    t === 'UpdateStmt'
      ? (((inner(first.stmt).targetList as unknown[]) ?? []).map((rt) => inner(rt).name).filter((x) => typeof x === 'string') as string[])
      : [];
  let fingerprint: string | null = null;
  if (opts.fingerprint !== false) {
    try {
      fingerprint = pgQuery.fingerprintSync(sql);
    } catch {
      fingerprint = null;
    }
  }
  // SELECT ... INTO creates a table: not a query to plan.
  const selectInto = t === 'SelectStmt' && inner(first.stmt).intoClause !== undefined;
  return {
    kind: selectInto ? 'other' : (KIND[t] ?? 'other'),
    fingerprint,
    text,
    statementCount: stmts.length,
    scopes: ctx.scopes,
    writeTarget,
    updatedColumns,
    locking: t === 'SelectStmt' && Array.isArray(inner(first.stmt).lockingClause),
    maxParam: ctx.maxParam,
    cteNames: [...ctx.ctes],
    modifiesData: ctx.modifiesData,
  };
}

/** parseStatement, or null with the reason. */
export function tryParse(sql: string, opts: { fingerprint?: boolean } = {}): { facts: StatementFacts } | { error: string } {
  try {
    return { facts: parseStatement(sql, opts) };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

/**
 * A statement text safe to show as evidence: literal values replaced by $n (pg_query's normalize),
 * or, when it does not parse (e.g. truncated by track_activity_query_size), quoted strings and
 * numbers blanked out. Running queries may carry personal data in their literals.
 */
export function normalizeForEvidence(sql: string, max = 300): string {
  let out: string | null = null;
  if (ready) {
    try {
      // normalizeSync answers a syntax error with the error message (which quotes the literal): parse first.
      pgQuery.parseSync(sql);
      out = pgQuery.normalizeSync(sql);
    } catch {
      out = null;
    }
  }
  if (out === null) {
    out = sql
      .replace(/'(?:[^']|'')*'?/g, "'?'")
      .replace(/\$([A-Za-z_]*)\$[\s\S]*?(\$\1\$|$)/g, "'?'")
      .replace(/(?<![\w$"])-?\d+(\.\d+)?(e[+-]?\d+)?\b/gi, '?');
  }
  const t = out.replace(/\s+/g, ' ').trim();
  return t.length <= max ? t : `${t.slice(0, max - 1)}…`;
}

export interface IndexDefinition {
  schema: string | null;
  table: string;
  indexName: string | null;
  unique: boolean;
  concurrent: boolean;
}

/** The facts of a CREATE INDEX statement (e.g. pg_get_indexdef's), or null when the text is not exactly one. */
export function parseIndexDefinition(sql: string): IndexDefinition | null {
  if (!ready) throw new SqlParseError('the SQL parser is not loaded (call ensureParser() first)');
  let tree: { stmts?: { stmt?: unknown }[] };
  try {
    tree = pgQuery.parseSync(sql);
  } catch {
    return null;
  }
  const stmts = tree.stmts ?? [];
  if (stmts.length !== 1 || typeOf(stmts[0].stmt) !== 'IndexStmt') return null;
  const v = inner(stmts[0].stmt);
  const rel = (v.relation ?? {}) as Record<string, unknown>; // a RangeVar, not wrapped in a node type
  if (typeof rel.relname !== 'string') return null;
  return {
    schema: typeof rel.schemaname === 'string' ? rel.schemaname : null,
    table: rel.relname,
    indexName: typeof v.idxname === 'string' ? v.idxname : null,
    unique: v.unique === true,
    concurrent: v.concurrent === true,
  };
}
