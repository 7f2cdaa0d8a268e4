// The order of equality keys in a candidate: most selective first, from pg_stats (shared by the
// candidates of a table access and the OR sets' branch keys).
import { Catalog, type CatalogTable } from '../../../postgres/catalog';
import type { IndexColumn } from '../../../postgres/index-model';
import { EXPRESSION_EQ_SELECTIVITY } from './expression-keys';

/**
 * Equality keys, most selective first (ties in their order): the columns by pg_stats, then the expression
 * keys, which have no pg_stats before their index exists (PostgreSQL's default selectivity orders them).
 */
export function eqKeysBySelectivity(t: CatalogTable, names: string[], exprs: IndexColumn[] = []): IndexColumn[] {
  return [
    ...names.map((name, i) => ({ key: { name } as IndexColumn, i, sel: Catalog.eqSelectivity(t, name) })),
    ...exprs.map((key, i) => ({ key, i: names.length + i, sel: EXPRESSION_EQ_SELECTIVITY })),
  ]
    .sort((x, y) => x.sel - y.sel || x.i - y.i)
    .map((x) => x.key);
}
