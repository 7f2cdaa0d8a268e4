// Which foreign key an index serves: ON DELETE/UPDATE of a referenced row looks up the referencing rows with
// `WHERE fk_cols = $1`, which an index can serve when the foreign key's columns are its leading key columns
// (in any order), it covers every row (no predicate) and its method can look up equality (btree, or hash on one column).
import type { HealthForeignKey, HealthIndex } from '../snapshot';
import { count } from './format';

/** True when the first `fk.attnums.length` key columns of the index are exactly the foreign key's columns, in any order. */
export function fkLeadsIndex(keyAttnums: number[], fkAttnums: number[]): boolean {
  const n = fkAttnums.length;
  if (n === 0 || keyAttnums.length < n) return false;
  const lead = new Set(keyAttnums.slice(0, n));
  return lead.size === n && fkAttnums.every((a) => lead.has(a));
}

/** The foreign key (first by name) whose referencing columns lead the index, or null. */
export function leadingForeignKey(i: HealthIndex, fks: HealthForeignKey[]): HealthForeignKey | null {
  if (!i.keyAttnums || i.predicate || !i.valid) return null;
  if (i.method !== 'btree' && !(i.method === 'hash' && i.keyAttnums.length === 1)) return null;
  const matching = fks
    .filter((f) => f.schema === i.schema && f.table === i.table && fkLeadsIndex(i.keyAttnums!, f.attnums))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return matching[0] ?? null;
}

/** The indexes with `foreignKey` set from the foreign keys. */
export function withForeignKeys(indexes: HealthIndex[], fks: HealthForeignKey[]): HealthIndex[] {
  return indexes.map((i) => ({ ...i, foreignKey: leadingForeignKey(i, fks)?.name ?? null }));
}

const ACTIONS: Record<string, string> = { a: 'NO ACTION', r: 'RESTRICT', c: 'CASCADE', n: 'SET NULL', d: 'SET DEFAULT' };

/** What would scan the table without the index, e.g. "ON DELETE/UPDATE of public.parent rows would scan child (1,000 rows) ...". */
export function fkScanText(fk: HealthForeignKey, tableRows: number): string {
  const actions = `ON DELETE ${ACTIONS[fk.onDelete] ?? fk.onDelete}, ON UPDATE ${ACTIONS[fk.onUpdate] ?? fk.onUpdate}`;
  return (
    `it serves foreign key ${fk.name} (${fk.columns.join(', ')}) -> ${fk.refSchema}.${fk.refTable} (${actions}): without it, ` +
    `ON DELETE/UPDATE of ${fk.refSchema}.${fk.refTable} rows would scan ${fk.schema}.${fk.table} (${count(tableRows)} rows) ` +
    'for each deleted/updated key'
  );
}
