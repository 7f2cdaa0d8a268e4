// A per-row function that keeps an index from being used (per-row-shapes.ts: date(), extract(year),
// date_trunc(), col + c) compared with a value, on a column that leads an index -> the predicate on
// the bare column that selects the same rows, which the index serves; pure. lower(col) and other
// functions an expression index would serve are left to the index advisor.
import { columnRef, inner, rangeVar, sval, typeOf, type Node } from '../../../postgres/sql-ast';
import { cloneTree, columnsOf } from '../../../postgres/sql-tree';
import { list, plainSelect } from './joins';
import { perRowMatch } from './per-row-shapes';
import type { KeysOf, Rewrite, TableKeys } from './types';

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

/** The table of a column reference among the FROM's tables (an unqualified name must belong to exactly one). */
export function tableOfColumn(col: { qualifier: string | null; column: string }, tables: Map<string, TableKeys>): TableKeys | null {
  if (col.qualifier) return tables.get(col.qualifier) ?? null;
  const owners = [...tables.values()].filter((t) => t.columns.includes(col.column));
  return owners.length === 1 ? owners[0] : null;
}

/** A value the rewrite may move: no column, no `*`, no subquery. */
function constantSide(value: unknown): boolean {
  const v = columnsOf(value);
  return v.columns.length === 0 && v.stars.length === 0 && !JSON.stringify(value).includes('"SubLink"');
}

export function functionOnIndexedColumn(tree: Node, keysOf: KeysOf): Rewrite | null {
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
    const left = perRowMatch(e.lexpr);
    const [match, value] = left ? [left, e.rexpr] : [perRowMatch(e.rexpr), e.lexpr];
    if (!match || !constantSide(value)) continue;
    const col = columnRef(match.column)!;
    const t = tableOfColumn(col, tables);
    const type = t?.types?.[col.column] ?? '';
    if (!t || !match.types.has(type) || !(t.indexLeading ?? []).includes(col.column)) continue;
    const replacement = match.replace(value, type);
    if (!replacement) continue;
    // An AND in an AND is spliced in: the parser flattens it, so the printed SQL parses back to the same tree.
    const parts =
      typeOf(replacement) === 'BoolExpr' && inner(replacement).boolop === 'AND_EXPR' ? list(inner(replacement).args) : [replacement];
    if (and) list(inner(s.whereClause).args).splice(i, 1, ...parts);
    else s.whereClause = replacement;
    const name = `${t.schema}.${t.name}.${col.column}`;
    const tz = type === 'timestamp with time zone' ? " (a timestamptz reads the session's TimeZone on both sides)" : '';
    return {
      kind: 'function_on_indexed_column',
      tree: rewritten,
      table: `${t.schema}.${t.name}`,
      dropped: [],
      perRow: { shape: match.shape, column: col.column },
      condition:
        `${match.condition(col.column)}, for every row${tz}; ` +
        `the bare column lets the index leading with ${name} serve the predicate, which the function per row keeps from it`,
    };
  }
  return null;
}
