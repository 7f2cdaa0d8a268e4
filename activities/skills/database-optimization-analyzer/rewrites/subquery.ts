// A correlated count in the select list -> one grouped count joined once; pure.
//   SELECT o.*, (SELECT count(*) FROM t WHERE t.fk = o.col AND <t only>) FROM <from>
//   -> SELECT o.*, coalesce(rw_count_1.n, 0) FROM <from> LEFT JOIN
//        (SELECT t.fk AS k, count(*) AS n FROM t WHERE <t only> GROUP BY t.fk) AS rw_count_1 ON rw_count_1.k = o.col
// Equal because GROUP BY makes k unique (the join adds no row) and a key without rows has no group:
// coalesce gives 0, the count of an empty set; a NULL o.col matches nothing either way.
import { columnRef, inner, rangeVar, sval, typeOf, type Node } from '../../../postgres/sql-ast';
import { cloneTree, columnsOf, nodesOf } from '../../../postgres/sql-tree';
import { list, plainSelect } from './joins';
import type { Rewrite } from './types';

const ALIAS = 'rw_count_1';

function fromAliases(n: unknown): string[] {
  if (typeOf(n) === 'RangeVar') return [rangeVar(inner(n)).alias];
  if (typeOf(n) === 'JoinExpr') return [...fromAliases(inner(n).larg), ...fromAliases(inner(n).rarg)];
  if (typeOf(n) === 'RangeSubselect') return [String((inner(n).alias as Node | undefined)?.aliasname ?? '')];
  return [];
}

interface Correlated {
  target: Node; // the ResTarget
  table: Node; // the subquery's RangeVar
  alias: string;
  key: ColumnPair;
  rest: unknown[]; // the other conjuncts, on the subquery's table only
}

interface ColumnPair {
  inner: unknown; // t.fk
  outer: unknown; // o.col
}

/** The correlated count(*) of a select-list item, when it has exactly the shape above. */
function correlatedCount(target: Node, outerAliases: string[]): Correlated | null {
  const v = target.val;
  if (typeOf(v) !== 'SubLink' || inner(v).subLinkType !== 'EXPR_SUBLINK') return null;
  const sub = inner(inner(v).subselect);
  if (!plainSelect(sub) || sub.groupClause || sub.havingClause || sub.sortClause || sub.limitCount || sub.limitOffset) return null;
  const targets = list(sub.targetList);
  const from = list(sub.fromClause);
  if (targets.length !== 1 || from.length !== 1 || typeOf(from[0]) !== 'RangeVar') return null;
  const fn = inner(inner(targets[0]).val);
  if (typeOf(inner(targets[0]).val) !== 'FuncCall' || !fn.agg_star || list(fn.funcname).map(sval).join('.') !== 'count' || fn.agg_filter)
    return null;
  const alias = rangeVar(inner(from[0])).alias;
  if (outerAliases.includes(alias)) return null;
  const w = sub.whereClause;
  const conj = typeOf(w) === 'BoolExpr' && inner(w).boolop === 'AND_EXPR' ? list(inner(w).args) : w ? [w] : [];
  let key: ColumnPair | null = null;
  const rest: unknown[] = [];
  for (const c of conj) {
    const e = inner(c);
    const l = columnRef(e.lexpr);
    const r = columnRef(e.rexpr);
    const isEq = typeOf(c) === 'A_Expr' && e.kind === 'AEXPR_OP' && list(e.name).length === 1 && sval(list(e.name)[0]) === '=';
    if (isEq && !key && l && r && l.qualifier === alias && r.qualifier && outerAliases.includes(r.qualifier))
      key = { inner: e.lexpr, outer: e.rexpr };
    else if (isEq && !key && l && r && r.qualifier === alias && l.qualifier && outerAliases.includes(l.qualifier))
      key = { inner: e.rexpr, outer: e.lexpr };
    else {
      const cols = columnsOf(c);
      if (cols.stars.length || cols.columns.some((x) => x.qualifier !== alias) || [...nodesOf(c)].some((x) => typeOf(x) === 'SubLink'))
        return null;
      rest.push(c);
    }
  }
  return key ? { target, table: from[0] as Node, alias, key, rest } : null;
}

export function correlatedCountToJoin(tree: Node): Rewrite | null {
  const s = inner(tree);
  const from = list(s.fromClause);
  if (!plainSelect(s) || s.groupClause || s.havingClause || from.length !== 1) return null;
  const outer = fromAliases(from[0]);
  if (outer.includes(ALIAS)) return null;
  const rewritten = cloneTree(tree);
  const r = inner(rewritten);
  const found = list(r.targetList)
    .map((t) => correlatedCount(inner(t), outer))
    .find((c) => c !== null);
  if (!found) return null;
  const where =
    found.rest.length === 0 ? undefined : found.rest.length === 1 ? found.rest[0] : { BoolExpr: { boolop: 'AND_EXPR', args: found.rest } };
  const grouped: Node = {
    SelectStmt: {
      targetList: [
        { ResTarget: { name: 'k', val: found.key.inner } },
        { ResTarget: { name: 'n', val: { FuncCall: { funcname: [{ String: { sval: 'count' } }], agg_star: true } } } },
      ],
      fromClause: [found.table],
      ...(where ? { whereClause: where } : {}),
      groupClause: [found.key.inner],
    },
  };
  const col = (name: string) => ({ ColumnRef: { fields: [{ String: { sval: ALIAS } }, { String: { sval: name } }] } });
  const on = { A_Expr: { kind: 'AEXPR_OP', name: [{ String: { sval: '=' } }], lexpr: col('k'), rexpr: found.key.outer } };
  r.fromClause = [
    {
      JoinExpr: {
        jointype: 'JOIN_LEFT',
        larg: from[0],
        rarg: { RangeSubselect: { subquery: grouped, alias: { aliasname: ALIAS } } },
        quals: on,
      },
    },
  ];
  found.target.val = { CoalesceExpr: { args: [col('n'), { A_Const: { ival: {} } }] } };
  if (!found.target.name) found.target.name = 'count';
  const t = rangeVar(inner(found.table));
  return {
    kind: 'correlated_count',
    tree: rewritten,
    table: t.schema ? `${t.schema}.${t.name}` : t.name,
    dropped: [],
    condition:
      `the grouped count has one row per ${found.alias} key (GROUP BY), so the LEFT JOIN adds no row and keeps every outer row; ` +
      'a key without rows has no group and coalesce(n, 0) gives 0, the count of an empty set; a NULL key matches nothing either way',
  };
}
