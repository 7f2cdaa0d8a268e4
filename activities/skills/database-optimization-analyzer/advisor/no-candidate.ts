// Why a statement got no candidate index, and the note that lists the heavy ones: an index the advisor
// does not propose for a statement that weighs in the window must have its absence explained. Pure.
import type { Catalog } from '../../../postgres/catalog';
import type { StatementFacts } from '../../../postgres/sql-parse';
import { shorten } from '../n-plus-one';
import type { AdvisorOptions } from './options';

/** A statement (one fingerprint) without a candidate, with its window time summed over its texts. */
export interface NoCandidate {
  query: string;
  totalMs: number;
  reason: string;
}

/** Statements below this share of the window's statement time are counted, not listed. */
export const NO_CANDIDATE_MIN_SHARE = 0.01;
const MAX_LISTED = 5;

/** Why no block of the statement gives a table access an index could serve (accessesOf found none). */
export function noAccessReason(f: StatementFacts, catalog: Catalog, opts: Pick<AdvisorOptions, 'minTableRows'>): string {
  const parts: string[] = [];
  for (const scope of f.scopes) {
    for (const rel of scope.relations) {
      const t = catalog.resolve(rel);
      let why: string;
      if (!t) why = 'not a table of the analyzed schemas';
      else if (t.reltuples < opts.minTableRows)
        why = `${Math.round(t.reltuples)} rows (under ${opts.minTableRows}: a scan is as cheap as an index)`;
      else if (scope.predicates.some((p) => p.op === 'gin'))
        why = 'no btree candidate: its conditions need a GIN/GiST index (the GIN/GiST candidates are weighed on their own)';
      else if (!scope.hasWhere && scope.joins.length === 0)
        why = scope.sort
          ? 'no WHERE, and its ORDER BY has no LIMIT: every row is read anyway'
          : 'no WHERE, join key or ORDER BY ... LIMIT: it reads the whole table';
      else
        why =
          'no filter/sort key the advisor can index (no condition compares a column, or an immutable expression of its ' +
          'columns alone, with a parameter, constant or uncorrelated subquery: e.g. an expression that holds a parameter, ' +
          'an OR with a branch no index serves, a correlated subquery)';
      const part = `${rel.name}: ${why}`;
      if (!parts.includes(part)) parts.push(part);
    }
  }
  return parts.length > 0 ? parts.slice(0, 3).join('; ') : 'it reads no table';
}

/** Why an existing index makes every candidate of the statement unnecessary. */
export function coveredReason(covering: string[]): string {
  if (covering.length === 0) return 'no candidate index could be formed from its columns';
  return `an existing index already serves it (${[...new Set(covering)].slice(0, 3).join('; ')})`;
}

/**
 * The note: how many statements got no candidate, and the heaviest of them (at least
 * NO_CANDIDATE_MIN_SHARE of the window's statement time) with why; null when every statement got one.
 */
export function noCandidateNote(list: NoCandidate[], fingerprints: number, windowMs: number): string | null {
  if (list.length === 0) return null;
  const heavy = list.filter((x) => windowMs > 0 && x.totalMs / windowMs >= NO_CANDIDATE_MIN_SHARE).sort((a, b) => b.totalMs - a.totalMs);
  const head = `${list.length} of ${fingerprints} statement shapes got no candidate index`;
  if (heavy.length === 0) return `${head}, none of them ${NO_CANDIDATE_MIN_SHARE * 100}% of the statement time or more`;
  const items = heavy
    .slice(0, MAX_LISTED)
    .map((x) => `"${shorten(x.query, 120)}" (${Math.round(x.totalMs)} ms, ${((100 * x.totalMs) / windowMs).toFixed(1)}%): ${x.reason}`);
  const more = heavy.length > MAX_LISTED ? `; and ${heavy.length - MAX_LISTED} more` : '';
  return `${head}; the heaviest (by window time): ${items.join('; ')}${more}`;
}
