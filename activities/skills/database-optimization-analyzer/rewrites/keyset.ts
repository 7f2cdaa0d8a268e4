// OFFSET pagination deep into a table -> keyset pagination; pure. ORDER BY one unique NOT NULL column
// of the only table, LIMIT n OFFSET m (m a constant at or above the threshold, or a parameter whose
// value a sample gives) -> WHERE col > $last ORDER BY col LIMIT n: the page after the previous page's
// last key. The app must pass that key instead of the page number.
import { columnRef, inner, rangeVar, sval, typeOf, type Node } from '../../../postgres/sql-ast';
import { cloneTree, maxParamOf, nodesOf } from '../../../postgres/sql-tree';
import { coversUniqueKey, list, plainSelect, tableName } from './joins';
import type { KeysOf, Rewrite, RewriteOptions } from './types';
import { AGGREGATES } from '../../../postgres/sql-walk';

function hasAggregate(n: unknown): boolean {
  for (const x of nodesOf(n)) {
    if (typeOf(x) !== 'FuncCall') continue;
    const f = inner(x);
    if (f.over || f.agg_star || AGGREGATES.has(list(f.funcname).map(sval).join('.').toLowerCase())) return true;
  }
  return false;
}

/** The OFFSET as a number, a parameter, or null when it is neither. */
function offsetOf(n: unknown): { value: number } | { param: number } | null {
  if (typeOf(n) === 'A_Const' && inner(n).ival !== undefined) return { value: Number((inner(n).ival as Node).ival ?? 0) };
  if (typeOf(n) === 'ParamRef') return { param: Number(inner(n).number) };
  return null;
}

export function keysetPagination(tree: Node, keysOf: KeysOf, opts: RewriteOptions): Rewrite | null {
  const s = inner(tree);
  if (!plainSelect(s) || s.groupClause || s.havingClause || !s.limitCount || !s.limitOffset || hasAggregate(s.targetList)) return null;
  const from = list(s.fromClause);
  const sort = list(s.sortClause);
  if (from.length !== 1 || typeOf(from[0]) !== 'RangeVar' || sort.length !== 1) return null;
  const rel = rangeVar(inner(from[0]));
  const t = keysOf(rel);
  const by = inner(sort[0]);
  const col = columnRef(by.node);
  if (!t || !col || (col.qualifier !== null && col.qualifier !== rel.alias) || by.sortby_nulls !== 'SORTBY_NULLS_DEFAULT' || by.useOp)
    return null;
  if (!t.notNull.includes(col.column) || !coversUniqueKey(t, new Set([col.column]))) return null;
  const offset = offsetOf(s.limitOffset);
  if (!offset || ('value' in offset && offset.value < opts.minOffset)) return null;
  const desc = by.sortby_dir === 'SORTBY_DESC';
  const lastKeyParam = 'param' in offset ? offset.param : maxParamOf(tree) + 1;
  const rewritten = cloneTree(tree);
  const r = inner(rewritten);
  const after: Node = {
    A_Expr: {
      kind: 'AEXPR_OP',
      name: [{ String: { sval: desc ? '<' : '>' } }],
      lexpr: cloneTree(by.node),
      rexpr: { ParamRef: { number: lastKeyParam } },
    },
  };
  r.whereClause = r.whereClause ? { BoolExpr: { boolop: 'AND_EXPR', args: [r.whereClause, after] } } : after;
  r.limitOffset = undefined;
  return {
    kind: 'keyset_pagination',
    tree: rewritten,
    table: tableName(t),
    dropped: [],
    keyset: { column: col.column, desc, offset: 'value' in offset ? offset.value : null, lastKeyParam },
    condition:
      `${tableName(t)}.${col.column} is unique and NOT NULL, so the rows ${desc ? 'before' : 'after'} the previous page's last ` +
      `${col.column} in ${col.column} order are exactly the rows after the first OFFSET ones: the page is the same when the app passes ` +
      `that last ${col.column} as $${lastKeyParam} (while rows before the page are inserted or deleted, keyset is the steadier of the two)`,
  };
}

/** The statement that gives the previous page's last key: the same FROM/WHERE/ORDER BY, the key only, LIMIT 1 OFFSET m-1. */
export function previousKeyTree(tree: Node, offset: number): Node | null {
  if (offset < 1) return null;
  const copy = cloneTree(tree);
  const s = inner(copy);
  const by = inner(list(s.sortClause)[0]);
  s.targetList = [{ ResTarget: { name: 'last_key', val: cloneTree(by.node) } }];
  s.limitCount = { A_Const: { ival: { ival: 1 } } };
  s.limitOffset = { A_Const: { ival: { ival: offset - 1 } } };
  return copy;
}
