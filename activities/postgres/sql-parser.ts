// libpg-query, PostgreSQL's own parser compiled to wasm: loaded once (ensureParser()), then used
// synchronously by the SQL modules; plus the statement fingerprint.
import * as pgQuery from 'libpg-query';

let loading: Promise<boolean> | null = null;
let ready = false;
let loadError: string | null = null;

/** Loads the wasm parser once. Resolves false (with parserProblem()) when it cannot be loaded. */
export function ensureParser(): Promise<boolean> {
  if (!loading) {
    loading = pgQuery
      .loadModule()
      .then(() => {
        ready = true;
        return true;
      })
      .catch((err: Error) => {
        loadError = err.message;
        return false;
      });
  }
  return loading;
}

export function parserReady(): boolean {
  return ready;
}

export function parserProblem(): string | null {
  return loadError;
}

export class SqlParseError extends Error {}

/** Throws SqlParseError when the wasm parser is not loaded yet. */
export function assertParserReady(): void {
  if (!ready) throw new SqlParseError('the SQL parser is not loaded (call ensureParser() first)');
}

/** pg_query fingerprint (constants and parameters ignored), null when it cannot be computed. */
export function fingerprintOf(sql: string): string | null {
  try {
    return pgQuery.fingerprintSync(sql);
  } catch {
    return null;
  }
}
