// The key of an index as the advisor proposes it and the create_index action builds it: columns or
// expressions, each with its direction, operator class and collation, under an access method.

export const INDEX_METHODS = ['btree', 'gin', 'gist'] as const;
export type IndexMethod = (typeof INDEX_METHODS)[number];

export interface IndexKeySpec {
  /** A column name; for an expression key (`expression: true`), the expression's SQL text, e.g. lower(email). */
  name: string;
  desc?: boolean;
  /** `name` is an expression over the table's columns: rendered in parentheses, never quoted. */
  expression?: boolean;
  /** Operator class, e.g. text_pattern_ops (prefix LIKE under a non-C collation), jsonb_path_ops, gin_trgm_ops. */
  opclass?: string;
  /** Collation of the key, e.g. C. */
  collation?: string;
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** One key as CREATE INDEX writes it: "email" COLLATE "C" "text_pattern_ops" DESC, (lower(email)). */
export function indexKeyText(k: IndexKeySpec): string {
  const head = k.expression ? `(${k.name})` : quote(k.name);
  return `${head}${k.collation ? ` COLLATE ${quote(k.collation)}` : ''}${k.opclass ? ` ${quote(k.opclass)}` : ''}${k.desc ? ' DESC' : ''}`;
}

/** The keys as a column list: "c1", "c2" DESC */
export function indexKeysText(keys: IndexKeySpec[]): string {
  return keys.map(indexKeyText).join(', ');
}

/** What follows ON table in CREATE INDEX: [USING gin ](keys)[ INCLUDE (cols)] (btree is the default and not written). */
export function indexBodyText(method: IndexMethod | undefined, keys: IndexKeySpec[], include: string[] = []): string {
  const using = method && method !== 'btree' ? `USING ${method} ` : '';
  return `${using}(${indexKeysText(keys)})${include.length ? ` INCLUDE (${include.map(quote).join(', ')})` : ''}`;
}

/** A key for people: lower(email) text_pattern_ops, created_at DESC. */
export function describeIndexKey(k: IndexKeySpec): string {
  return `${k.name}${k.collation ? ` COLLATE "${k.collation}"` : ''}${k.opclass ? ` ${k.opclass}` : ''}${k.desc ? ' DESC' : ''}`;
}

/** Keys for people, comma-separated. */
export function describeIndexKeys(keys: IndexKeySpec[]): string {
  return keys.map(describeIndexKey).join(', ');
}
