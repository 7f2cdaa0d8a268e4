// Statement texts safe to show in reports: literals out (they may carry personal data).
import * as pgQuery from 'libpg-query';
import { parserReady } from './sql-parser';

/**
 * A statement text safe to show as evidence: literal values replaced by $n (pg_query's normalize),
 * or, when it does not parse (e.g. truncated by track_activity_query_size), quoted strings and
 * numbers blanked out. Running queries may carry personal data in their literals.
 */
export function normalizeForEvidence(sql: string, max = 300): string {
  let out: string | null = null;
  if (parserReady()) {
    try {
      // normalizeSync answers a syntax error with the error message (which quotes the literal): parse first.
      pgQuery.parseSync(sql);
      out = pgQuery.normalizeSync(sql);
    } catch {
      out = null;
    }
  }
  if (out === null) {
    out = sql
      .replace(/'(?:[^']|'')*'?/g, "'?'")
      .replace(/\$([A-Za-z_]*)\$[\s\S]*?(\$\1\$|$)/g, "'?'")
      .replace(/(?<![\w$"])-?\d+(\.\d+)?(e[+-]?\d+)?\b/gi, '?');
  }
  const t = out.replace(/\s+/g, ' ').trim();
  return t.length <= max ? t : `${t.slice(0, max - 1)}…`;
}
