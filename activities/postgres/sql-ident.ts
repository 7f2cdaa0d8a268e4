// SQL identifier helpers shared by the database actions and the database analyzer.
// Identifiers (schema, table, column, index names) always go through quoteIdent: they come from
// the catalog or from a plan item, and are never interpolated raw into SQL text.
import { indexBodyText, indexKeysText, type IndexKeySpec, type IndexMethod } from '../../common/index-keys';

/** PostgreSQL's NAMEDATALEN - 1: longer identifiers are silently truncated by the server. */
export const MAX_IDENTIFIER_LENGTH = 63;

/** Quotes an identifier the way quote_ident() does, always (so case and keywords are preserved). */
export function quoteIdent(name: string): string {
  if (typeof name !== 'string' || name.length === 0) throw new Error('an SQL identifier must be a non-empty string');
  if (name.includes('\u0000')) throw new Error('an SQL identifier must not contain NUL characters');
  return `"${name.replace(/"/g, '""')}"`;
}

/** "schema"."name" */
export function qualifiedName(schema: string, name: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(name)}`;
}

/** Lower-case, [a-z0-9_] only: for ids and generated index names. */
export function safeToken(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/_+/g, '_')
    .replace(/^_|_$/g, '');
}

/** Small stable hash (FNV-1a, 32 bit, hex) used to keep truncated names unique. */
export function shortHash(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

/**
 * perf_<table>_<col1>_<col2>_idx, at most 63 characters; when too long it is truncated and a hash of
 * the full name keeps it unique.
 */
export function indexNameFor(table: string, columns: string[]): string {
  const full = `perf_${[table, ...columns].map(safeToken).filter(Boolean).join('_')}_idx`;
  if (full.length <= MAX_IDENTIFIER_LENGTH) return full;
  const suffix = `_${shortHash(full)}_idx`;
  return full.slice(0, MAX_IDENTIFIER_LENGTH - suffix.length).replace(/_+$/, '') + suffix;
}

/** Text of an index column list: "c1", "c2" DESC, (lower(email)) "text_pattern_ops" */
export function indexColumnList(columns: IndexKeySpec[]): string {
  for (const c of columns) if (!c.expression) quoteIdent(c.name); // the same checks as every identifier
  return indexKeysText(columns);
}

/** What follows ON table in CREATE INDEX ([USING m ](keys)[ INCLUDE (cols)]), every column name checked as an identifier. */
export function indexBody(method: IndexMethod | undefined, keys: IndexKeySpec[], include: string[] = []): string {
  indexColumnList(keys);
  include.forEach(quoteIdent);
  return indexBodyText(method, keys, include);
}
