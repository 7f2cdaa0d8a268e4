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
  /** Bytes per value (pg_stats.avg_width, or the stored size of TOASTed values when larger), when known. */
  widths?: Record<string, number>;
}

export type KeysOf = (rel: { schema: string | null; name: string }) => TableKeys | null;

export type RewriteKind =
  'count_over_joins' | 'unused_join' | 'keyset_pagination' | 'correlated_count' | 'function_on_indexed_column' | 'wide_columns';

/** Which per-row function a function_on_indexed_column rewrite takes off which column. */
export interface PerRow {
  shape: 'date' | 'year' | 'date_trunc' | 'arithmetic';
  column: string;
}

export interface Keyset {
  column: string;
  desc: boolean;
  /** The OFFSET when it is a constant; null when it is a parameter. */
  offset: number | null;
  /** The parameter that carries the previous page's last key in the rewrite. */
  lastKeyParam: number;
}

/** What a wide_columns rewrite drops, and where the kept columns sit in the statement's output (for the proof). */
export interface WideColumns {
  columns: { table: string; column: string; avgWidth: number }[];
  /** The statement's output columns, `*` expanded. */
  outputCount: number;
  /** The positions (0-based) of the output columns the rewrite keeps, in order. */
  kept: number[];
  /** The statement has an ORDER BY: the rows are compared in order. */
  ordered: boolean;
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
  perRow?: PerRow;
  wide?: WideColumns;
}

export interface RewriteOptions {
  /** OFFSET pagination is flagged from this many skipped rows on. */
  minOffset: number;
  /** A column is wide from this many bytes per value on average (wide_columns). */
  wideMinWidth: number;
  /** wide_columns only looks at statements returning at least this many rows per call. */
  wideMinRowsPerCall: number;
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
  perRow?: PerRow;
  wide?: WideColumns;
  /** The profile's sample query whose values were run, by its number; null when the statement has no parameters. */
  sample: number | null;
  measured: Measurement | null;
  /** Why it was not measured or not proven (no values, a timeout, ...). */
  problem: string | null;
}
