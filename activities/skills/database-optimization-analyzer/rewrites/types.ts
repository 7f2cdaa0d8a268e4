// The query rewrites' shared types: the catalog facts they rest on and what a rewrite is.
import type { Node } from '../../../postgres/sql-ast';
import type { Measurement } from './measure';

export interface TableKeys {
  schema: string;
  name: string;
  columns: string[];
  notNull: string[];
  /** Valid, non-partial unique indexes (and the primary key) over plain columns. */
  uniqueKeys: string[][];
  /** Column types (format_type), when known. */
  types?: Record<string, string>;
  /** Columns that lead a valid, non-partial index. */
  indexLeading?: string[];
}

export type KeysOf = (rel: { schema: string | null; name: string }) => TableKeys | null;

export type RewriteKind = 'count_over_joins' | 'unused_join' | 'keyset_pagination' | 'correlated_count' | 'function_on_indexed_column';

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

/** One proposed rewrite with what was measured (JSON-safe: stored in the skill's evidence). */
export interface RewriteEvidence {
  queryid: string;
  /** The window's statement (normalized by pg_stat_statements). */
  query: string;
  calls: number;
  totalMs: number;
  kind: RewriteKind;
  /** The statement rewritten, printed from its parse tree. */
  rewritten: string;
  condition: string;
  table: string;
  dropped: string[];
  keyset: Keyset | null;
  /** The profile's sample query whose values were run, by its number; null when the statement has no parameters. */
  sample: number | null;
  measured: Measurement | null;
  /** Why it was not measured or not proven (no values, a timeout, ...). */
  problem: string | null;
}
