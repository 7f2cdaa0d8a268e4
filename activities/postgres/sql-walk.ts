// Walks a statement into its query blocks (Scopes): FROM items, select list, WHERE, GROUP BY,
// HAVING, ORDER BY, LIMIT; subqueries, CTEs and set operations as blocks of their own.
import { columnRef, inner, opName, paramOf, rangeVar, sval, typeOf, type Node } from './sql-ast';
import type { RelRef, Scope, SortKey } from './sql-facts';
import { inheritSort } from './sql-alias';
import { conjunct, isOuterColumn, newScope, type Ctx } from './sql-scope';

/** Built-in aggregate functions by name (a statement calling one aggregates). */
export const AGGREGATES = new Set([
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
    const k = Number(inner(n).number ?? 0);
    ctx.maxParam = Math.max(ctx.maxParam, k);
    ctx.paramUses[k] = (ctx.paramUses[k] ?? 0) + 1;
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
    if (!rel.schema && ctx.ctes.has(rel.name)) {
      scope.derived.push({ alias: rel.alias, scope: ctx.cteScopes.get(rel.name) ?? null });
      return;
    }
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
    const sub = visitStatement(v.subquery, [...scope.outer, ...(v.lateral ? scope.relations : [])], ctx);
    const alias = (v.alias as Node | undefined)?.aliasname;
    // A LATERAL subquery runs once per outer row: its LIMIT is per row, not the statement's page.
    if (typeof alias === 'string' && !v.lateral) scope.derived.push({ alias, scope: sub });
  } else if (t === 'RangeFunction') {
    walkExpr(scope, v.functions, ctx);
  }
}

function whereClause(scope: Scope, where: unknown, ctx: Ctx): void {
  if (!where) return;
  scope.hasWhere = true;
  conjunct(scope, where, ctx);
  walkExpr(scope, where, ctx);
}

function visitSelect(v: Node, outer: RelRef[], ctx: Ctx): Scope | null {
  visitWith(v.withClause, outer, ctx);
  if (v.op && v.op !== 'SETOP_NONE') {
    visitStatement({ SelectStmt: v.larg as Node }, outer, ctx);
    visitStatement({ SelectStmt: v.rarg as Node }, outer, ctx);
    return null;
  }
  if (v.valuesLists) {
    const s = newScope(outer);
    walkExpr(s, v.valuesLists, ctx);
    return null;
  }
  const scope = newScope(outer);
  scope.nested = ctx.depth > 1;
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
      if (c) {
        scope.selectColumns.push(c);
        const name = inner(rt).name;
        scope.outputs.push({ name: typeof name === 'string' ? name : c.column, col: c });
      }
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
    const p = paramOf(v.limitCount);
    if (p.param !== null && p.location >= 0) scope.limitParam = { param: p.param, location: p.location };
    walkExpr(scope, v.limitCount, ctx);
  }
  if (v.limitOffset) {
    scope.hasOffset = true;
    walkExpr(scope, v.limitOffset, ctx);
  }
  inheritSort(scope);
  return scope;
}

function visitWith(withClause: unknown, outer: RelRef[], ctx: Ctx): void {
  const w = withClause as Node | undefined;
  for (const cte of (w?.ctes as unknown[]) ?? []) {
    const c = inner(cte);
    ctx.ctes.add(String(c.ctename));
    const qt = typeOf(c.ctequery);
    if (qt === 'InsertStmt' || qt === 'UpdateStmt' || qt === 'DeleteStmt' || qt === 'MergeStmt') ctx.modifiesData = true;
    ctx.cteScopes.set(String(c.ctename), visitStatement(c.ctequery, outer, ctx));
  }
}

/** Visits one statement block; returns its own block when it is a plain SELECT. */
export function visitStatement(n: unknown, outer: RelRef[], ctx: Ctx): Scope | null {
  ctx.depth++;
  try {
    return visitBlock(n, outer, ctx);
  } finally {
    ctx.depth--;
  }
}

function visitBlock(n: unknown, outer: RelRef[], ctx: Ctx): Scope | null {
  const t = typeOf(n);
  const v = inner(n);
  if (t === 'SelectStmt') return visitSelect(v, outer, ctx);
  if (t === 'UpdateStmt' || t === 'DeleteStmt') {
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
  return null;
}
