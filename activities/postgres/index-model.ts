// Index candidates and existing indexes: what an index is, when an existing one already serves a
// candidate (prefix coverage), when one candidate serves another.
import { describeIndexKey, type IndexKeySpec, type IndexMethod } from '../../common/index-keys';
import { sameIndexExpression } from './sql-expression-equal';

/** A key of a candidate: a column or an expression, with its direction, operator class and collation. */
export type IndexColumn = IndexKeySpec;

/** A key of an existing index as the catalog prints it: pg_get_indexdef's column text, non-default operator class and collation. */
export interface ExistingKey {
  text: string;
  opclass: string | null;
  collation: string | null;
}

export interface ExistingIndex {
  name: string;
  valid: boolean;
  partial: boolean;
  method: string;
  /** Key columns in order; null for an expression column. */
  columns: ({ name: string; desc: boolean } | null)[];
  /** INCLUDE columns (non-key). */
  include?: string[];
  unique?: boolean;
  primary?: boolean;
  /** pg_get_indexdef */
  definition?: string;
  /** Per key column (absent in figures recorded before expression and operator-class keys). */
  keys?: ExistingKey[];
}

/**
 * An index the advisor considers: `keys` in order, of which the first `eqCount` are compared by
 * equality (their order does not matter to the statements that produced it), then at most one range
 * column or the ORDER BY columns; `include` are non-key columns for index-only scans.
 */
export interface Candidate {
  schema: string;
  table: string;
  /** Absent: btree. */
  method?: IndexMethod;
  keys: IndexColumn[];
  eqCount: number;
  include: string[];
}

export function candidateKey(c: Pick<Candidate, 'schema' | 'table' | 'keys' | 'include' | 'method'>): string {
  const keys = c.keys.map(describeIndexKey).join(',');
  const using = c.method && c.method !== 'btree' ? ` USING ${c.method}` : '';
  return `${c.schema}.${c.table}${using}(${keys})${c.include.length ? ` INCLUDE (${c.include.join(',')})` : ''}`;
}

/** A plain column key: no expression, default operator class and collation. */
export function isPlainKey(k: IndexColumn): boolean {
  return !k.expression && !k.opclass && !k.collation;
}

/**
 * Whether an existing index's key at one position is the candidate's key: a plain column by name; an
 * expression, operator class or collation only when the catalog's key says the same (expression text
 * compared by parse tree: sql-expression-equal.ts).
 */
function sameKey(k: IndexColumn, col: { name: string } | null, existing: ExistingKey | undefined): boolean {
  if (isPlainKey(k)) return col !== null && col.name === k.name && (!existing || (!existing.opclass && !existing.collation));
  if (!existing) return false;
  const text = k.expression ? sameIndexExpression(existing.text, k.name) : col !== null && col.name === k.name;
  return text && (existing.opclass ?? undefined) === k.opclass && (existing.collation ?? undefined) === k.collation;
}

/**
 * The existing index that already serves the candidate, or null: a valid, non-partial btree whose
 * leading key columns are the candidate's equality columns (in any order) followed by the rest of its
 * key columns in order, with the directions of that tail all equal or all reversed (a backward scan
 * serves both), and that contains the candidate's INCLUDE columns (as key or INCLUDE columns).
 */
export function coveredBy(c: Candidate, indexes: ExistingIndex[]): string | null {
  for (const idx of indexes) {
    if (!idx.valid || idx.partial || idx.method !== (c.method ?? 'btree')) continue;
    if (idx.columns.length < c.keys.length) continue;
    const eq = c.keys.slice(0, c.eqCount);
    let ok = true;
    for (let i = 0; i < c.eqCount && ok; i++) {
      if (!eq.some((k) => sameKey(k, idx.columns[i], idx.keys?.[i]))) ok = false;
    }
    if (!ok) continue;
    let same = true;
    let reversed = true;
    for (let i = c.eqCount; i < c.keys.length; i++) {
      const col = idx.columns[i];
      if (!sameKey(c.keys[i], col, idx.keys?.[i])) {
        ok = false;
        break;
      }
      const d = Boolean(col?.desc) === Boolean(c.keys[i].desc);
      same &&= d;
      reversed &&= !d;
    }
    if (!ok || !(same || reversed)) continue;
    if (c.include.length > 0) {
      const has = new Set([...idx.columns.filter((x) => x !== null).map((x) => x!.name), ...(idx.include ?? [])]);
      if (!c.include.every((n) => has.has(n))) continue;
    }
    return idx.name;
  }
  return null;
}

/** True when `a` is served by `b` as well (same table; `a`'s keys a prefix of `b`'s in the sense of coveredBy). */
export function candidateServedBy(a: Candidate, b: Candidate): boolean {
  if (a.schema !== b.schema || a.table !== b.table) return false;
  const asIndex: ExistingIndex = {
    name: 'b',
    valid: true,
    partial: false,
    method: b.method ?? 'btree',
    columns: b.keys.map((k) => (k.expression ? null : { name: k.name, desc: Boolean(k.desc) })),
    include: b.include,
    keys: b.keys.map((k) => ({ text: k.name, opclass: k.opclass ?? null, collation: k.collation ?? null })),
  };
  return coveredBy(a, [asIndex]) !== null;
}
