// A statement rewritten to read another relation in place of one table: every reference to the table
// (a RangeVar, found by its parse location) is replaced by the other relation, aliased with the
// table's name when the reference had no alias, so that columns qualified by the table's name still
// resolve. The statement's other tables stay. Used to plan a statement against a sampled copy.
import * as pgQuery from 'libpg-query';
import { assertParserReady } from './sql-parser';

interface Ref {
  start: number;
  parts: number;
  alias: boolean;
}

/** The references to schema.name (or an unqualified name) anywhere in the parse tree. */
function refsTo(node: unknown, schema: string, name: string, out: Ref[]): void {
  if (Array.isArray(node)) {
    for (const x of node) refsTo(x, schema, name, out);
    return;
  }
  if (!node || typeof node !== 'object') return;
  // A RangeVar's fields (relname, schemaname, location), wrapped in { RangeVar } or not (CREATE INDEX's relation).
  const rv = node as Record<string, unknown>;
  if (rv.relname === name && (rv.schemaname === undefined || rv.schemaname === schema) && typeof rv.location === 'number')
    out.push({ start: rv.location, parts: 1 + (rv.schemaname ? 1 : 0) + (rv.catalogname ? 1 : 0), alias: rv.alias !== undefined });
  for (const v of Object.values(rv)) refsTo(v, schema, name, out);
}

/** Where the dotted name that starts at `start` ends (quoted or plain identifiers, spaces around dots). */
export function dottedNameEnd(sql: string, start: number, parts: number): number {
  let i = start;
  for (let p = 0; p < parts; p++) {
    if (p > 0) {
      while (/\s/.test(sql[i] ?? '')) i++;
      if (sql[i] !== '.') return -1;
      i++;
      while (/\s/.test(sql[i] ?? '')) i++;
    }
    if (sql[i] === '"') {
      i++;
      while (i < sql.length && !(sql[i] === '"' && sql[i + 1] !== '"')) i += sql[i] === '"' ? 2 : 1;
      if (i >= sql.length) return -1;
      i++;
    } else {
      const m = /^[A-Za-z_\u0080-\uffff][A-Za-z0-9_$\u0080-\uffff]*/.exec(sql.slice(i));
      if (!m) return -1;
      i += m[0].length;
    }
  }
  return i;
}

/**
 * `sql` with every reference to schema.name replaced by `replacement` (already quoted), or null when the
 * statement does not parse or has no such reference. Unqualified references are taken to name the
 * table (the caller resolved them so). `quotedName` null: no alias is added (CREATE INDEX ... ON has none).
 */
export function swapRelation(sql: string, schema: string, name: string, replacement: string, quotedName: string | null): string | null {
  assertParserReady();
  let tree: unknown;
  try {
    tree = pgQuery.parseSync(sql);
  } catch {
    return null;
  }
  const refs: Ref[] = [];
  refsTo(tree, schema, name, refs);
  if (refs.length === 0) return null;
  // Locations are byte offsets in the UTF-8 text: work on its bytes.
  const bytes = Buffer.from(sql, 'utf8');
  const text = bytes.toString('latin1');
  let out = text;
  for (const r of refs.sort((a, b) => b.start - a.start)) {
    const end = dottedNameEnd(text, r.start, r.parts);
    if (end < 0) return null;
    const by = r.alias || quotedName === null ? replacement : `${replacement} AS ${quotedName}`;
    out = out.slice(0, r.start) + Buffer.from(by, 'utf8').toString('latin1') + out.slice(end);
  }
  return Buffer.from(out, 'latin1').toString('utf8');
}
