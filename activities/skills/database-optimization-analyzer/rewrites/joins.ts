// Joins that cannot change the result, decided over the parse tree and the catalog's unique keys; pure.
//   count_over_joins   count(DISTINCT base.key) over LEFT JOINs, or over the table alone -> count(*) on it
//   unused_join        a LEFT JOIN to a unique key that nothing else reads -> dropped
import { columnRef, inner, rangeVar, sval, typeOf, type Node } from '../../../postgres/sql-ast';
import { cloneTree, columnsOf } from '../../../postgres/sql-tree';
import type { KeysOf, Rewrite, TableKeys } from './types';

const select = (tree: Node): Node => inner(tree);
export const list = (x: unknown): unknown[] => (Array.isArray(x) ? x : []);

/** Whether `cols` cover one of the table's unique keys. */
export function coversUniqueKey(t: TableKeys, cols: Set<string>): boolean {
  return t.uniqueKeys.some((k) => k.length > 0 && k.every((c) => cols.has(c)));
}

/** The references to `alias` in `n` (qualified ones; unqualified names of the table's columns count too; `*` counts). */
function refsTo(n: unknown, alias: string, t: TableKeys): number {
  const { columns, stars } = columnsOf(n);
  const q = columns.filter((c) => c.qualifier === alias || (c.qualifier === null && t.columns.includes(c.column))).length;
  return q + stars.filter((s) => s === null || s === alias).length;
}

/** The columns of `alias` that a LEFT JOIN's ON equates to expressions not reading `alias`; null if the ON is anything else. */
function equatedColumns(quals: unknown, alias: string, t: TableKeys): Set<string> | null {
  const conj = typeOf(quals) === 'BoolExpr' && inner(quals).boolop === 'AND_EXPR' ? list(inner(quals).args) : [quals];
  const cols = new Set<string>();
  for (const c of conj) {
    const e = inner(c);
    if (typeOf(c) !== 'A_Expr' || e.kind !== 'AEXPR_OP' || sval(list(e.name)[0]) !== '=' || list(e.name).length !== 1) return null;
    const l = columnRef(e.lexpr);
    const r = columnRef(e.rexpr);
    const mine = l?.qualifier === alias ? { col: l, other: e.rexpr } : r?.qualifier === alias ? { col: r, other: e.lexpr } : null;
    if (!mine || refsTo(mine.other, alias, t) > 0) return null;
    cols.add(mine.col.column);
  }
  return cols;
}

/** A LEFT JOIN whose right side is a table joined on one of its unique keys and read nowhere else: it changes no row. */
function droppable(join: Node, stmt: Node, keysOf: KeysOf): string | null {
  if (join.jointype !== 'JOIN_LEFT' || typeOf(join.rarg) !== 'RangeVar' || join.usingClause || join.isNatural) return null;
  const rel = rangeVar(inner(join.rarg));
  const t = keysOf(rel);
  if (!t) return null;
  const cols = equatedColumns(join.quals, rel.alias, t);
  if (!cols || !coversUniqueKey(t, cols)) return null;
  // Read anywhere but its own ON: needed.
  return refsTo({ SelectStmt: stmt }, rel.alias, t) === refsTo(join.quals, rel.alias, t) ? rel.alias : null;
}

/** Drops the droppable LEFT JOINs of a FROM item (in place), until none is left; returns the dropped aliases. */
function dropJoins(stmt: Node, keysOf: KeysOf): string[] {
  const dropped: string[] = [];
  const visit = (n: unknown): unknown => {
    if (typeOf(n) !== 'JoinExpr') return n;
    const j = inner(n);
    const alias = droppable(j, stmt, keysOf);
    if (alias) {
      dropped.push(alias);
      return visit(j.larg);
    }
    j.larg = visit(j.larg);
    j.rarg = visit(j.rarg);
    return n;
  };
  for (let changed = true; changed;) {
    const before = dropped.length;
    stmt.fromClause = list(stmt.fromClause).map(visit);
    changed = dropped.length > before;
  }
  return dropped;
}

export function plainSelect(s: Node): boolean {
  return (!s.op || s.op === 'SETOP_NONE') && !s.withClause && !s.lockingClause && !s.intoClause && !s.valuesLists && !s.distinctClause;
}

/** LEFT JOIN chain down to its base table: the base, or null when another kind of join or FROM item is on the way. */
function leftChainBase(n: unknown): Node | null {
  if (typeOf(n) === 'RangeVar') return inner(n);
  if (typeOf(n) !== 'JoinExpr') return null;
  const j = inner(n);
  return j.jointype === 'JOIN_LEFT' ? leftChainBase(j.larg) : null;
}

export function tableName(t: TableKeys): string {
  return `${t.schema}.${t.name}`;
}

/**
 * count(DISTINCT base.key) over LEFT JOINs only, WHERE on the base only -> count(*) FROM base WHERE ...;
 * and over the one table alone (Bookshelf's fetchPage counts so), with any WHERE: each of its rows is
 * counted once either way.
 */
export function countOverJoins(tree: Node, keysOf: KeysOf): Rewrite | null {
  const s = select(tree);
  const targets = list(s.targetList);
  if (!plainSelect(s) || targets.length !== 1 || s.groupClause || s.havingClause || s.sortClause || s.limitCount || s.limitOffset)
    return null;
  const from = list(s.fromClause);
  const single = from.length === 1 && typeOf(from[0]) === 'RangeVar';
  if (from.length !== 1 || (!single && typeOf(from[0]) !== 'JoinExpr')) return null;
  const base = leftChainBase(from[0]);
  if (!base) return null;
  const rel = rangeVar(base);
  const t = keysOf(rel);
  const fn = inner(inner(targets[0]).val);
  if (!t || typeOf(inner(targets[0]).val) !== 'FuncCall' || !fn.agg_distinct || fn.over || fn.agg_filter) return null;
  if (list(fn.funcname).map(sval).join('.') !== 'count' || list(fn.args).length !== 1) return null;
  const key = columnRef(list(fn.args)[0]);
  // Over the table alone, an unqualified name is its column (the statement has no other block to name).
  const ownKey = key && (key.qualifier === rel.alias || (single && key.qualifier === null && t.columns.includes(key.column)));
  if (!key || !ownKey || !t.notNull.includes(key.column) || !coversUniqueKey(t, new Set([key.column]))) return null;
  if (s.whereClause && !single) {
    const w = columnsOf(s.whereClause);
    if (w.stars.length || w.columns.some((c) => c.qualifier !== rel.alias) || JSON.stringify(s.whereClause).includes('"SubLink"'))
      return null;
  }
  const rewritten = cloneTree(tree);
  const r = select(rewritten);
  r.fromClause = [{ RangeVar: cloneTree(base) }];
  inner(inner(list(r.targetList)[0]).val).agg_distinct = undefined;
  inner(inner(list(r.targetList)[0]).val).args = undefined;
  inner(inner(list(r.targetList)[0]).val).agg_star = true;
  const dropped = single ? [] : joinedAliases(from[0]);
  const keyText = `${key.qualifier ? `${key.qualifier}.` : ''}${key.column}`;
  return {
    kind: 'count_over_joins',
    tree: rewritten,
    table: tableName(t),
    dropped,
    condition: single
      ? `the statement reads ${tableName(t)} alone, and ${keyText} is unique and NOT NULL: the rows the WHERE clause keeps ` +
        `have distinct, non-null ${key.column} values, so count(DISTINCT ${keyText}) counts each of them once, as count(*) does`
      : `every join is a LEFT JOIN, which keeps every row of ${tableName(t)}; the WHERE clause reads only the columns of ${rel.alias}; ` +
        `${keyText} is unique and NOT NULL: count(DISTINCT ${keyText}) counts each row of ` +
        `${tableName(t)} once, as count(*) on ${tableName(t)} alone does (${dropped.join(', ')} only multiply rows that DISTINCT folds again)`,
  };
}

function joinedAliases(n: unknown): string[] {
  if (typeOf(n) === 'RangeVar') return [];
  const j = inner(n);
  const right = typeOf(j.rarg) === 'RangeVar' ? [rangeVar(inner(j.rarg)).alias] : joinedAliases(j.rarg);
  return [...joinedAliases(j.larg), ...right];
}

/** LEFT JOINs to a unique key that nothing reads -> dropped (the rest of the statement unchanged). */
export function unusedJoins(tree: Node, keysOf: KeysOf): Rewrite | null {
  const rewritten = cloneTree(tree);
  const s = select(rewritten);
  if (!plainSelect(s)) return null;
  const dropped = dropJoins(s, keysOf);
  if (dropped.length === 0) return null;
  return {
    kind: 'unused_join',
    tree: rewritten,
    table: dropped.join(', '),
    dropped,
    condition:
      `each dropped LEFT JOIN (${dropped.join(', ')}) matches at most one row (its ON equates a unique key of the joined table), ` +
      'keeps every row of its left side, and none of its columns is read anywhere else: it changes no row of the result',
  };
}
