// Whether two index expressions are the same: the advisor writes `lower(email)` or `(payload ->> 'kind')`
// or `code::int4`, pg_get_indexdef prints `lower(email)`, `(payload ->> 'kind'::text)`, `(code)::integer`.
// Both are parsed as the key of `CREATE INDEX x ON t ((expr))` and their trees compared without source
// locations, with the spellings PostgreSQL adds (pg_catalog. qualifiers, `'literal'::text` casts) undone.
import { parseIndexKey } from './sql-index-definition';
import { parserReady } from './sql-parser';

const cache = new Map<string, string | null>();
const CACHE_MAX = 2_000;

/** True when `a` and `b` are the same expression (text equality when the parser is not loaded or a text does not parse). */
export function sameIndexExpression(a: string, b: string): boolean {
  if (a === b) return true;
  const na = normalizedExpression(a);
  const nb = normalizedExpression(b);
  return na !== null && na === nb;
}

/** The expression's parse tree as canonical JSON, or null when it does not parse as one expression. */
export function normalizedExpression(expr: string): string | null {
  if (!parserReady()) return null;
  const hit = cache.get(expr);
  if (hit !== undefined) return hit;
  const parsed = parseIndexKey(expr);
  const out = 'key' in parsed ? JSON.stringify(normalize(parsed.key.expr)) : null;
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(expr, out);
  return out;
}

function normalize(n: unknown): unknown {
  if (Array.isArray(n)) return n.map(normalize);
  if (!n || typeof n !== 'object') return n;
  const o = n as Record<string, unknown>;
  const cast = o.TypeCast as Record<string, unknown> | undefined;
  // 'kind'::text is how PostgreSQL prints the literal 'kind' it resolved to text.
  if (cast && isStringConstant(cast.arg) && typeNames(cast.typeName).join('.') === 'text') return normalize(cast.arg);
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o).sort()) {
    if (k === 'location') continue;
    if ((k === 'names' || k === 'funcname') && Array.isArray(o[k])) out[k] = normalize(withoutCatalog(o[k] as unknown[]));
    else out[k] = normalize(o[k]);
  }
  return out;
}

function isStringConstant(n: unknown): boolean {
  const c = (n as Record<string, Record<string, unknown>> | undefined)?.A_Const;
  return c !== undefined && c.sval !== undefined;
}

function typeNames(t: unknown): string[] {
  const names = ((t as Record<string, unknown> | undefined)?.names as unknown[]) ?? [];
  return withoutCatalog(names).map((x) => String((x as { String?: { sval?: string } }).String?.sval ?? ''));
}

/** A name list without a leading pg_catalog (int4 and pg_catalog.int4 are one type). */
function withoutCatalog(names: unknown[]): unknown[] {
  const first = (names[0] as { String?: { sval?: string } } | undefined)?.String?.sval;
  return first === 'pg_catalog' && names.length > 1 ? names.slice(1) : names;
}
