// The query rewrites' shared types: the catalog facts they rest on and what a rewrite is.
import type { Node } from '../../../postgres/sql-ast';

export interface TableKeys {
  schema: string;
  name: string;
  columns: string[];
  notNull: string[];
  /** Valid, non-partial unique indexes (and the primary key) over plain columns. */
  uniqueKeys: string[][];
}

export type KeysOf = (rel: { schema: string | null; name: string }) => TableKeys | null;

export type RewriteKind = 'count_over_joins' | 'unused_join' | 'keyset_pagination';

export interface Keyset {
  column: string;
  desc: boolean;
  /** The OFFSET when it is a constant; null when it is a parameter. */
  offset: number | null;
  /** The parameter that carries the previous page's last key in the rewrite. */
  lastKeyParam: number;
}

export interface Rewrite {
  kind: RewriteKind;
  /** The rewritten statement's tree (deparse it with sql-deparse). */
  tree: Node;
  /** Why both return the same result: the proven condition, in words. */
  condition: string;
  /** The base table, schema.table. */
  table: string;
  /** Aliases of the joins the rewrite drops. */
  dropped: string[];
  keyset?: Keyset;
}

export interface RewriteOptions {
  /** OFFSET pagination is flagged from this many skipped rows on. */
  minOffset: number;
}
