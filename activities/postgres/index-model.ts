// Index candidates and existing indexes: what an index is, when an existing one already serves a
// candidate (prefix coverage), when one candidate serves another.

export interface IndexColumn {
  name: string;
  desc?: boolean;
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
}

/**
 * An index the advisor considers: `keys` in order, of which the first `eqCount` are compared by
 * equality (their order does not matter to the statements that produced it), then at most one range
 * column or the ORDER BY columns; `include` are non-key columns for index-only scans.
 */
export interface Candidate {
  schema: string;
  table: string;
  keys: IndexColumn[];
  eqCount: number;
  include: string[];
}

export function candidateKey(c: Pick<Candidate, 'schema' | 'table' | 'keys' | 'include'>): string {
  const keys = c.keys.map((k) => `${k.name}${k.desc ? ' DESC' : ''}`).join(',');
  return `${c.schema}.${c.table}(${keys})${c.include.length ? ` INCLUDE (${c.include.join(',')})` : ''}`;
}

/**
 * The existing index that already serves the candidate, or null: a valid, non-partial btree whose
 * leading key columns are the candidate's equality columns (in any order) followed by the rest of its
 * key columns in order, with the directions of that tail all equal or all reversed (a backward scan
 * serves both), and that contains the candidate's INCLUDE columns (as key or INCLUDE columns).
 */
export function coveredBy(c: Candidate, indexes: ExistingIndex[]): string | null {
  for (const idx of indexes) {
    if (!idx.valid || idx.partial || idx.method !== 'btree') continue;
    if (idx.columns.length < c.keys.length) continue;
    const eq = new Set(c.keys.slice(0, c.eqCount).map((k) => k.name));
    let ok = true;
    for (let i = 0; i < c.eqCount && ok; i++) {
      const col = idx.columns[i];
      if (!col || !eq.has(col.name)) ok = false;
    }
    if (!ok) continue;
    let same = true;
    let reversed = true;
    for (let i = c.eqCount; i < c.keys.length; i++) {
      const col = idx.columns[i];
      if (!col || col.name !== c.keys[i].name) {
        ok = false;
        break;
      }
      const d = col.desc === Boolean(c.keys[i].desc);
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
    method: 'btree',
    columns: b.keys.map((k) => ({ name: k.name, desc: Boolean(k.desc) })),
    include: b.include,
  };
  return coveredBy(a, [asIndex]) !== null;
}
