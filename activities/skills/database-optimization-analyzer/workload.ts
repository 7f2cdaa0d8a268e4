// Which statements of the window the analyzer looks at: the profile's filters (calls, mean and
// total time, tables) and the cap on their number. Pure.
import type { StatementDelta } from '../../postgres/statistics';
import { tryParse } from '../../postgres/sql-parse';
import type { AnalyzerOptions } from './options';

/** `orders`, `public.orders`, `audit_*`: matched against schema.table and table. */
export function tableMatcher(patterns: string[]): (schema: string | null, table: string) => boolean {
  const res = patterns.map(
    (p) =>
      new RegExp(
        `^${p
          .split('*')
          .map((x) => x.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
          .join('.*')}$`,
        'i',
      ),
  );
  return (schema, table) => res.some((re) => re.test(table) || (schema !== null && re.test(`${schema}.${table}`)));
}

/** The window's statements after the filters, largest total time first. */
export function filterStatements(statements: StatementDelta[], opts: AnalyzerOptions, notes: string[]): StatementDelta[] {
  const include = opts.includeTables.length ? tableMatcher(opts.includeTables) : null;
  const exclude = opts.excludeTables.length ? tableMatcher(opts.excludeTables) : null;
  let dropped = 0;
  const out = statements.filter((s) => {
    const keep = s.calls >= opts.minCalls && s.totalMs / Math.max(1, s.calls) >= opts.minMeanMs && s.totalMs >= opts.minTotalMs;
    if (!keep) {
      dropped++;
      return false;
    }
    if (!include && !exclude) return true;
    const parsed = tryParse(s.query, { fingerprint: false });
    if ('error' in parsed) return !include; // unknown tables: kept only without an include list
    const rels = parsed.facts.scopes.flatMap((sc) => sc.relations);
    if (parsed.facts.writeTarget) rels.push(parsed.facts.writeTarget);
    if (exclude && rels.some((r) => exclude(r.schema, r.name))) return false;
    if (include && !rels.some((r) => include(r.schema, r.name))) return false;
    return true;
  });
  if (dropped > 0) {
    notes.push(
      `${dropped} statements below the filters (calls >= ${opts.minCalls}, mean >= ${opts.minMeanMs} ms, total >= ${opts.minTotalMs} ms) were not analyzed`,
    );
  }
  out.sort((a, b) => b.totalMs - a.totalMs);
  if (out.length > opts.maxStatements) {
    notes.push(`${out.length - opts.maxStatements} statements beyond the ${opts.maxStatements} slowest in total were not analyzed`);
    out.length = opts.maxStatements;
  }
  return out;
}
