// Query rewrites that no index makes unnecessary, decided over the parse tree and the catalog's unique
// keys; pure. Each rewrite says the condition under which it returns the same result, and only fires
// when that condition is proven from the statement and the catalog.
import type { Node } from '../../../postgres/sql-ast';
import { countOverJoins, unusedJoins } from './joins';
import { keysetPagination } from './keyset';
import { correlatedCountToJoin } from './subquery';
import { functionOnIndexedColumn } from './indexed-column';
import { wideColumns } from './wide-columns';
import type { KeysOf, Rewrite, RewriteOptions } from './types';

/** The most complete rewrite of a statement, or null; `rowsPerCall` (pg_stat_statements rows / calls) enables wide_columns. */
export function detectRewrite(tree: Node, keysOf: KeysOf, opts: RewriteOptions, rowsPerCall: number | null = null): Rewrite | null {
  return (
    countOverJoins(tree, keysOf) ??
    keysetPagination(tree, keysOf, opts) ??
    unusedJoins(tree, keysOf) ??
    correlatedCountToJoin(tree) ??
    functionOnIndexedColumn(tree, keysOf) ??
    wideColumns(tree, keysOf, opts, rowsPerCall)
  );
}
