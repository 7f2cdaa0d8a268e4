// A per-row function that keeps an index from being used: `date(ts) = X` or `ts::date = X` on a
// timestamp column that leads an index -> `ts >= X::date AND ts < X::date + 1`, a range the index
// serves; pure. Equal for every row: date(ts) = d exactly when d <= ts < d + 1 day (for timestamptz
// both sides read the session's TimeZone, the same within one session).
import { columnRef, inner, rangeVar, sval, typeOf, type Node } from '../../../postgres/sql-ast';
import { cloneTree, columnsOf } from '../../../postgres/sql-tree';
import { list, plainSelect } from './joins';
import type { KeysOf, Rewrite, TableKeys } from './types';

const TIMESTAMPS = new Set(['timestamp without time zone', 'timestamp with time zone']);

function tablesOf(n: unknown, keysOf: KeysOf, out: Map<string, TableKeys>): void {
  if (typeOf(n) === 'RangeVar') {
    const rel = rangeVar(inner(n));
    const t = keysOf(rel);
    if (t) out.set(rel.alias, t);
  } else if (typeOf(n) === 'JoinExpr') {
    tablesOf(inner(n).larg, keysOf, out);
    tablesOf(inner(n).rarg, keysOf, out);
  }
}

/** The column under `date(col)` or `col::date`, else null. */
function dateOf(n: unknown): unknown {
  const x = inner(n);
  if (typeOf(n) === 'FuncCall') {
    const name = list(x.funcname).map(sval);
    const isDate = name.length === 1 ? name[0] === 'date' : name.join('.') === 'pg_catalog.date';
    return isDate && list(x.args).length === 1 && columnRef(list(x.args)[0]) && !x.over ? list(x.args)[0] : null;
  }
  if (typeOf(n) === 'TypeCast') {
    const names = list((x.typeName as Node | undefined)?.names).map(sval);
    return names[names.length - 1] === 'date' && columnRef(x.arg) ? x.arg : null;
  }
  return null;
}

/** The table of a column reference among the FROM's tables (an unqualified name must belong to exactly one). */
function tableOfColumn(col: { qualifier: string | null; column: string }, tables: Map<string, TableKeys>): TableKeys | null {
  if (col.qualifier) return tables.get(col.qualifier) ?? null;
  const owners = [...tables.values()].filter((t) => t.columns.includes(col.column));
  return owners.length === 1 ? owners[0] : null;
}

const op = (name: string, l: unknown, r: unknown) => ({
  A_Expr: { kind: 'AEXPR_OP', name: [{ String: { sval: name } }], lexpr: l, rexpr: r },
});
const asDate = (v: unknown) => ({
  TypeCast: { arg: v, typeName: { names: [{ String: { sval: 'pg_catalog' } }, { String: { sval: 'date' } }] } },
});

export function dateOnIndexedColumn(tree: Node, keysOf: KeysOf): Rewrite | null {
  const rewritten = cloneTree(tree);
  const s = inner(rewritten);
  if (!plainSelect(s) || !s.whereClause) return null;
  const tables = new Map<string, TableKeys>();
  for (const f of list(s.fromClause)) tablesOf(f, keysOf, tables);
  const and = typeOf(s.whereClause) === 'BoolExpr' && inner(s.whereClause).boolop === 'AND_EXPR';
  const conj = and ? list(inner(s.whereClause).args) : [s.whereClause];
  for (let i = 0; i < conj.length; i++) {
    const e = inner(conj[i]);
    if (typeOf(conj[i]) !== 'A_Expr' || e.kind !== 'AEXPR_OP' || list(e.name).length !== 1 || sval(list(e.name)[0]) !== '=') continue;
    const [wrapped, value] = dateOf(e.lexpr) ? [dateOf(e.lexpr), e.rexpr] : [dateOf(e.rexpr), e.lexpr];
    if (!wrapped) continue;
    const v = columnsOf(value);
    if (v.columns.length || v.stars.length || JSON.stringify(value).includes('"SubLink"')) continue;
    const col = columnRef(wrapped)!;
    const t = tableOfColumn(col, tables);
    if (!t || !TIMESTAMPS.has(t.types?.[col.column] ?? '') || !(t.indexLeading ?? []).includes(col.column)) continue;
    const range = {
      BoolExpr: {
        boolop: 'AND_EXPR',
        args: [
          op('>=', wrapped, asDate(value)),
          op('<', cloneTree(wrapped), op('+', asDate(cloneTree(value)), { A_Const: { ival: { ival: 1 } } })),
        ],
      },
    };
    if (and) list(inner(s.whereClause).args)[i] = range;
    else s.whereClause = range;
    const name = `${t.schema}.${t.name}.${col.column}`;
    return {
      kind: 'function_on_indexed_column',
      tree: rewritten,
      table: `${t.schema}.${t.name}`,
      dropped: [],
      condition:
        `date(${col.column}) = d holds exactly when d <= ${col.column} < d + 1 day, for every row (a timestamptz reads the session's ` +
        `TimeZone on both sides); the range lets the index leading with ${name} serve the predicate, which date() per row keeps from it`,
    };
  }
  return null;
}
