// One query block's facts (Scope): which column references belong to it, and the predicates and
// join keys of the conjuncts of its WHERE and JOIN ... ON.
import { columnRef, inner, opName, paramOf, typeOf, type Node } from './sql-ast';
import { refersOutside } from './sql-correlation';
import { ginPredicate } from './sql-gin-predicate';
import { expressionConjunct } from './sql-expression-predicate';
import type { ColRef, Predicate, RelRef, Scope } from './sql-facts';

/** What the walk of one statement collects besides each block's own facts. */
export interface Ctx {
  scopes: Scope[];
  ctes: Set<string>;
  maxParam: number;
  modifiesData: boolean;
  /** Nesting of the statement blocks being walked (1: the statement's top). */
  depth: number;
  /** CTE name -> its block. */
  cteScopes: Map<string, Scope | null>;
  paramUses: Record<number, number>;
}

export function newScope(outer: RelRef[]): Scope {
  return {
    relations: [],
    outer,
    predicates: [],
    orGroups: [],
    exprPredicates: [],
    hasWhere: false,
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
    outputs: [],
    derived: [],
    sortFromOuter: false,
    nested: false,
    limitParam: null,
  };
}

/** True when `qualifier` names one of the relations (alias, or bare name). */
function qualifies(rels: RelRef[], qualifier: string): boolean {
  return rels.some((r) => r.alias === qualifier || r.name === qualifier);
}

/** A column of an enclosing block (correlated reference), not of this block. */
export function isOuterColumn(scope: Scope, c: ColRef): boolean {
  return c.qualifier !== null && !qualifies(scope.relations, c.qualifier) && qualifies(scope.outer, c.qualifier);
}

/**
 * A value the index can be probed with: parameters, constants, functions of those, outer columns, and
 * uncorrelated scalar or ARRAY subqueries (`author = (SELECT id FROM users WHERE username = $1)`: one
 * InitPlan value per execution). A correlated subquery is not one: it is re-run for each row.
 */
export function isValue(scope: Scope, n: unknown): boolean {
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
    case 'SubLink':
      return (v.subLinkType === 'EXPR_SUBLINK' || v.subLinkType === 'ARRAY_SUBLINK') && !refersOutside(v.subselect);
    default:
      return false;
  }
}

/** `IN ($k)`: a list of exactly one parameter (how ORMs write a single-key load), else no parameter. */
function singleParamList(n: unknown): { param: number | null; location: number } {
  const items = typeOf(n) === 'List' ? ((inner(n).items as unknown[]) ?? []) : [];
  return items.length === 1 ? paramOf(items[0]) : { param: null, location: -1 };
}

const COMMUTE: Record<string, string> = { '<': '>', '>': '<', '<=': '>=', '>=': '<=', '=': '=' };

/** Adds the predicates of one top-level conjunct. */
export function conjunct(scope: Scope, n: unknown, ctx: Ctx): void {
  const t = typeOf(n);
  const v = inner(n);
  if (t === 'BoolExpr') boolConjunct(scope, v, ctx);
  else if (t === 'A_Expr') operatorConjunct(scope, v);
  else {
    const p = testPredicate(t, n, v);
    if (p) scope.predicates.push(p);
  }
}

/** AND: each argument is a conjunct; OR: an IN list when every branch tests the same column, else an OR group. */
function boolConjunct(scope: Scope, v: Node, ctx: Ctx): void {
  const args = (v.args as unknown[]) ?? [];
  if (v.boolop === 'AND_EXPR') {
    for (const a of args) conjunct(scope, a, ctx);
    return;
  }
  if (v.boolop !== 'OR_EXPR') return;
  const branches: Predicate[][] = [];
  for (const a of orArgs(args)) {
    const tmp = newScope(scope.outer);
    tmp.relations = scope.relations;
    conjunct(tmp, a, { ...ctx, scopes: [] });
    // A branch an index cannot probe (no predicate, a join, a nested OR) leaves the whole OR to a scan.
    if (tmp.predicates.length === 0 || tmp.joins.length > 0 || tmp.orGroups.length > 0) return;
    branches.push(tmp.predicates);
  }
  if (branches.length < 2) return;
  // a = 1 OR a = 2 OR a IN (3, 4): an IN list on one column.
  const col = sameColumnList(branches);
  if (col) scope.predicates.push({ col, op: 'in', param: null, paramLocation: -1 });
  else scope.orGroups.push({ branches });
}

/** The branches of an OR, with `a OR (b OR c)` flattened to `a OR b OR c`. */
function orArgs(args: unknown[]): unknown[] {
  return args.flatMap((a) =>
    typeOf(a) === 'BoolExpr' && inner(a).boolop === 'OR_EXPR' ? orArgs((inner(a).args as unknown[]) ?? []) : [a],
  );
}

/** The column when every branch is one equality/IN on that same column, else null. */
function sameColumnList(branches: Predicate[][]): ColRef | null {
  const first = branches[0][0].col;
  const same = branches.every(
    (b) =>
      b.length === 1 &&
      (b[0].op === 'eq' || b[0].op === 'in') &&
      b[0].col.column === first.column &&
      b[0].col.qualifier === first.qualifier,
  );
  return same ? first : null;
}

/** A column used as a test: bare boolean column, IS TRUE/FALSE, IS NULL, IN (subquery). */
function testPredicate(t: string | null, n: unknown, v: Node): Predicate | null {
  if (t === 'ColumnRef') {
    const c = columnRef(n);
    return c ? { col: c, op: 'eq', param: null, paramLocation: -1 } : null; // WHERE is_active
  }
  if (t === 'BooleanTest') {
    const c = columnRef(v.arg);
    return c && (v.booltesttype === 'IS_TRUE' || v.booltesttype === 'IS_FALSE')
      ? { col: c, op: 'eq', param: null, paramLocation: -1 }
      : null;
  }
  if (t === 'NullTest') {
    const c = columnRef(v.arg);
    return c && v.nulltesttype === 'IS_NULL' ? { col: c, op: 'isnull', param: null, paramLocation: -1 } : null;
  }
  if (t === 'SubLink') {
    // col IN (SELECT ...): a semi-join on col.
    const c = columnRef(v.testexpr);
    return c && v.subLinkType === 'ANY_SUBLINK' ? { col: c, op: 'in', param: null, paramLocation: -1 } : null;
  }
  return null;
}

/** An operator expression (A_Expr): comparison, = ANY/IN, BETWEEN, LIKE; GIN/GiST operators (sql-gin-predicate.ts). */
function operatorConjunct(scope: Scope, v: Node): void {
  const kind = v.kind as string;
  const op = opName(v.name);
  const value = (x: unknown) => isValue(scope, x);
  expressionConjunct(scope, v, value);
  const l = columnRef(v.lexpr);
  const r = columnRef(v.rexpr);
  if (kind === 'AEXPR_OP' && op && op in COMMUTE) {
    comparison(scope, v, op, l, r);
    return;
  }
  if ((kind === 'AEXPR_OP_ANY' || kind === 'AEXPR_IN') && op === '=' && l && isValue(scope, v.rexpr)) {
    const p = kind === 'AEXPR_OP_ANY' ? paramOf(v.rexpr) : singleParamList(v.rexpr);
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
  const g = ginPredicate(v, value);
  if (g) scope.predicates.push(g);
}

/** col op value (either side): a join key between two columns of the block, else an eq/range predicate. */
function comparison(scope: Scope, v: Node, op: string, l: ColRef | null, r: ColRef | null): void {
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
}
