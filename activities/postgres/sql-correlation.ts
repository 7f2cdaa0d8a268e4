// Whether a subquery reads columns of the blocks around it (correlated: PostgreSQL runs it once per
// outer row, a SubPlan) or not (uncorrelated: run once per execution, an InitPlan, whose result is a
// value like a parameter). Pure.
import { inner, typeOf, type Node } from './sql-ast';
import { columnsOf, nodesOf } from './sql-tree';

/** The names a qualified column inside `n` can use for its own FROM items: aliases, else table names; CTE names. */
function ownNames(n: unknown): Set<string> {
  const names = new Set<string>();
  for (const x of nodesOf(n)) {
    const t = typeOf(x);
    const v = inner(x);
    const alias = (v.alias as Node | undefined)?.aliasname;
    if (typeof alias === 'string') names.add(alias);
    // An aliased table is known by its alias only: `articles.x` then names an outer `articles`.
    else if (t === 'RangeVar') names.add(String(v.relname));
    if (t === 'CommonTableExpr') names.add(String(v.ctename));
  }
  return names;
}

/**
 * True when some column inside the subquery is qualified by a name none of its own FROM items has: a
 * reference to an enclosing block. An unqualified name is taken as the subquery's own (PostgreSQL looks
 * it up in the innermost block first; without the catalog a name of an outer table only is not told
 * apart): a wrong guess adds a candidate index that the hypothetical plans then find unused.
 */
export function refersOutside(subselect: unknown): boolean {
  const own = ownNames(subselect);
  const { columns, stars } = columnsOf(subselect);
  return columns.some((c) => c.qualifier !== null && !own.has(c.qualifier)) || stars.some((q) => q !== null && !own.has(q));
}
