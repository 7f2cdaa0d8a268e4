// Sort keys followed through subquery and CTE aliases: ORMs page with an outer ORDER BY ... LIMIT
// over a derived table (TypeORM's DISTINCT subquery, a CTE), so the keys reach the base table only
// through the inner block's column aliases. When every key maps to a plain column of one inner
// block that neither groups, aggregates, deduplicates nor limits by itself, that block gets the sort
// (sortFromOuter): an index on those columns can return the first rows in order.
import type { ColRef, Scope, SortKey } from './sql-facts';

/** The inner block's column behind an output name, or null (an expression, or unknown). */
export function outputColumn(inner: Scope, name: string): ColRef | null {
  const out = inner.outputs.filter((o) => o.name === name);
  if (out.length === 1) return out[0].col;
  if (out.length === 0 && inner.stars.length > 0 && inner.relations.length === 1) return { qualifier: null, column: name };
  return null;
}

function derivedOf(scope: Scope, c: ColRef): Scope | null {
  const d = c.qualifier
    ? scope.derived.filter((x) => x.alias === c.qualifier)
    : scope.relations.length === 0 && scope.derived.length === 1
      ? scope.derived
      : [];
  return d.length === 1 ? d[0].scope : null;
}

/** Hands the block's ORDER BY ... LIMIT down to the derived block its keys come from (see above). */
export function inheritSort(scope: Scope): void {
  if (!scope.sort || scope.sort.length === 0 || !scope.hasLimit || scope.derived.length === 0) return;
  let target: Scope | null = null;
  const keys: SortKey[] = [];
  for (const k of scope.sort) {
    const inner = derivedOf(scope, k.col);
    if (!inner || (target && target !== inner)) return;
    target = inner;
    const col = outputColumn(inner, k.col.column);
    if (!col) return;
    keys.push({ ...k, col });
  }
  if (!target || target.sort || target.groupBy || target.aggregates || target.distinct || target.hasLimit || target.windowFunctions) return;
  target.sort = keys;
  target.sortFromOuter = true;
}
