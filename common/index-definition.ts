// Index definitions as pg_get_indexdef prints them (CREATE [UNIQUE] INDEX name ON schema.table ...).

/** The definition as a build that does not block writes: CREATE [UNIQUE] INDEX CONCURRENTLY [IF NOT EXISTS] ... */
export function concurrentDefinition(def: string, opts: { ifNotExists?: boolean } = {}): string {
  return def.replace(
    /^\s*CREATE (UNIQUE )?INDEX /i,
    (_m, u: string | undefined) => `CREATE ${u ?? ''}INDEX CONCURRENTLY ${opts.ifNotExists ? 'IF NOT EXISTS ' : ''}`,
  );
}
