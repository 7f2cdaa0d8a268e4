// Parsing of the text PostgreSQL prints in plans: Filter expressions and Sort Keys.
// Only simple, certain shapes are recognized; anything else yields nothing (never a guess).

export interface SortColumn {
  name: string;
  desc: boolean;
}

const IDENT = String.raw`(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)`;
const COLREF = new RegExp(String.raw`^(?:(${IDENT})\.)?(${IDENT})$`);

export function unquoteIdent(s: string): string {
  return s.startsWith('"') ? s.slice(1, -1).replace(/""/g, '"') : s;
}

/** Index just past the quoted section starting at i (single or double quotes, doubled to escape). */
function skipQuoted(s: string, i: number): number {
  const q = s[i];
  let j = i + 1;
  while (j < s.length) {
    if (s[j] === q) {
      if (s[j + 1] === q) j += 2;
      else return j + 1;
    } else j++;
  }
  return j;
}

/** True when s is "( ... )" with the first paren closing at the very end. */
function wrappedInParens(s: string): boolean {
  if (!s.startsWith('(') || !s.endsWith(')')) return false;
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === "'" || ch === '"') {
      i = skipQuoted(s, i) - 1;
      continue;
    }
    if (ch === '(') depth++;
    else if (ch === ')') {
      depth--;
      if (depth === 0 && i < s.length - 1) return false;
    }
  }
  return depth === 0;
}

export function stripOuterParens(s: string): string {
  let t = s.trim();
  while (wrappedInParens(t)) t = t.slice(1, -1).trim();
  return t;
}

/** Splits at a keyword (AND / OR) outside parentheses and quotes. */
export function splitTopLevel(s: string, keyword: 'AND' | 'OR'): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  const kw = ` ${keyword} `;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === "'" || ch === '"') {
      i = skipQuoted(s, i) - 1;
      continue;
    }
    if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (depth === 0 && s.startsWith(kw, i)) {
      parts.push(s.slice(start, i));
      start = i + kw.length;
      i += kw.length - 1;
    }
  }
  parts.push(s.slice(start));
  return parts.map((p) => p.trim()).filter(Boolean);
}

interface ColumnRef {
  qualifier: string | null;
  name: string;
}

/** `col`, `t.col`, `"Col"`, or a cast of one: `(col)::text`, `(t.col)::text`. */
function parseColumnSide(s: string): ColumnRef | null {
  let t = stripOuterParens(s);
  const cast = /^\((.+)\)::[A-Za-z_][\w ."[\]]*$/.exec(t);
  if (cast) t = stripOuterParens(cast[1]);
  const m = COLREF.exec(t);
  if (!m) return null;
  const name = unquoteIdent(m[2]);
  // Bare keywords/literals that look like identifiers are not columns.
  if (!m[1] && /^(true|false|null)$/i.test(name) && !m[2].startsWith('"')) return null;
  return { qualifier: m[1] ? unquoteIdent(m[1]) : null, name };
}

/** A value the index can be probed with: a parameter or a constant (optionally cast), or ANY of those. */
function isValueSide(s: string): boolean {
  let t = stripOuterParens(s);
  const any = /^ANY\s*\((.*)\)$/is.exec(t);
  if (any) t = stripOuterParens(any[1]);
  const cast = /^(.*?)::[A-Za-z_][\w ."[\]]*$/s.exec(t);
  if (cast) t = stripOuterParens(cast[1]);
  if (/^\$\d+$/.test(t)) return true; // parameter
  if (/^'(?:[^']|'')*'$/s.test(t)) return true; // string constant
  if (/^-?\d+(\.\d+)?$/.test(t)) return true; // number
  return false;
}

/**
 * Columns compared by equality with a parameter or constant in a scan's Filter, e.g.
 * `((p.category_id = $1) AND (p.price > $2))` -> ['category_id']. Only top-level AND conjuncts
 * count; a Filter with a top-level OR yields nothing. `qualifier` (the scan's alias) rejects
 * columns of other relations.
 */
export function equalityColumns(filter: string | null | undefined, qualifier?: string): string[] {
  if (!filter) return [];
  const body = stripOuterParens(filter);
  if (splitTopLevel(body, 'OR').length > 1) return [];
  const out: string[] = [];
  for (const conj of splitTopLevel(body, 'AND')) {
    const c = stripOuterParens(conj);
    // Exactly one top-level "=".
    const eqIdx = topLevelEquals(c);
    if (eqIdx < 0 || topLevelEquals(c.slice(eqIdx + 3)) >= 0) continue;
    const left = c.slice(0, eqIdx);
    const right = c.slice(eqIdx + 3);
    let col = parseColumnSide(left);
    let ok = col !== null && isValueSide(right);
    if (!ok) {
      col = parseColumnSide(right);
      ok = col !== null && isValueSide(left) && !/^\s*ANY\b/i.test(stripOuterParens(left));
    }
    if (!ok || !col) continue;
    if (qualifier && col.qualifier && col.qualifier !== qualifier) continue;
    if (!out.includes(col.name)) out.push(col.name);
  }
  return out;
}

function topLevelEquals(s: string): number {
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === "'" || ch === '"') {
      i = skipQuoted(s, i) - 1;
      continue;
    }
    if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (depth === 0 && s.startsWith(' = ', i)) return i;
  }
  return -1;
}

/**
 * Sort Key entries (`p.created_at DESC`, `name`) as plain columns of one relation, or null when any
 * key is an expression, belongs to another relation, uses a collation or operator, or asks for a
 * NULLS order a btree index in that direction does not give (ASC NULLS FIRST, DESC NULLS LAST).
 */
export function sortColumns(keys: string[] | null | undefined, qualifier?: string): SortColumn[] | null {
  if (!keys || keys.length === 0) return null;
  const out: SortColumn[] = [];
  const re = new RegExp(String.raw`^(?:(${IDENT})\.)?(${IDENT})(?:\s+(ASC|DESC))?(?:\s+NULLS\s+(FIRST|LAST))?$`, 'i');
  for (const raw of keys) {
    const m = re.exec(raw.trim());
    if (!m) return null;
    const q = m[1] ? unquoteIdent(m[1]) : null;
    if (qualifier && q && q !== qualifier) return null;
    const desc = (m[3] ?? '').toUpperCase() === 'DESC';
    const nulls = (m[4] ?? '').toUpperCase();
    if (nulls && nulls !== (desc ? 'FIRST' : 'LAST')) return null;
    out.push({ name: unquoteIdent(m[2]), desc });
  }
  return out;
}
