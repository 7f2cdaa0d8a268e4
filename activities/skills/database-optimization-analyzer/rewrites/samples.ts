// The profile's sample queries matched to the window's statements for the rewrites. pg_stat_statements
// prints extract(year from x) as extract($1 from x), which does not parse: date_part($1, x) is the same
// call, so both the statement and the samples are matched in that spelling, and each sample keeps its text.
import { matchSamples, type SamplesByQueryid } from '../sample-queries';

/** extract($n from x) -> date_part($n, x): the only change, so the rest of the text parses as before. */
export function parseableText(query: string): string {
  return query.replace(/\bextract\s*\(\s*(\$\d+)\s+from\s+/gi, 'date_part($1, ');
}

/** extract(field from x) -> date_part('field', x), for a sample to fingerprint like the statement above. */
function asDatePart(sample: string): string {
  return sample.replace(/\bextract\s*\(\s*([a-z]+)\s+from\s+/gi, "date_part('$1', ");
}

export function matchRewriteSamples(samples: string[], statements: { queryid: string; query: string }[]): SamplesByQueryid {
  const matched = matchSamples(
    samples.map(asDatePart),
    statements.map((s) => ({ queryid: s.queryid, query: parseableText(s.query) })),
    [],
  );
  return new Map([...matched].map(([queryid, m]) => [queryid, { text: samples[m.n - 1].trim(), n: m.n }]));
}
