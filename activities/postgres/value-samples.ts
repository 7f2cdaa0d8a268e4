// Statements with their real values. Applications that interpolate values client-side (psycopg2,
// Django) send literals, and pg_stat_activity shows them; extended-protocol clients (node-postgres,
// Knex) show $n and give nothing here. A literal-bearing text is an instance of the
// pg_stat_statements entry with the same fingerprint (pg_query's fingerprint ignores constants and
// parameters alike). A few distinct value sets per statement are kept; values may be personal data,
// so they stay in worker-side artifacts and are only planned (EXPLAIN), never shown.
import { normalizeForEvidence, tryParse } from './sql-parse';

/** Longer texts are skipped (pg_stat_activity truncates at track_activity_query_size; a cut text does not parse anyway). */
export const VALUE_SAMPLE_MAX_LENGTH = 4000;
export const VALUE_SAMPLES_PER_STATEMENT = 3;

/** Where a value sample was seen: a running query in pg_stat_activity, or an entry of the server's log. */
export type ValueSampleSource = 'activity' | 'log';

export interface ValueSample {
  text: string;
  source: ValueSampleSource;
}

/**
 * Distinct literal-bearing texts by fingerprint, at most `perStatement` each: one statement, no $n,
 * some constant. A bare text is one from pg_stat_activity; a text seen in both sources counts once.
 */
export function sampleSetsByFingerprint(
  samples: Iterable<string | ValueSample>,
  perStatement = VALUE_SAMPLES_PER_STATEMENT,
): Map<string, ValueSample[]> {
  const out = new Map<string, ValueSample[]>();
  const seen = new Set<string>();
  for (const raw of samples) {
    const sample: ValueSample = typeof raw === 'string' ? { text: raw, source: 'activity' } : raw;
    const t = typeof sample.text === 'string' ? sample.text.trim() : '';
    if (!t || t.length > VALUE_SAMPLE_MAX_LENGTH || seen.has(t)) continue;
    seen.add(t);
    const parsed = tryParse(t);
    if ('error' in parsed) continue;
    const f = parsed.facts;
    if (f.statementCount !== 1 || f.maxParam > 0 || !f.fingerprint || f.kind === 'other' || f.kind === 'insert') continue;
    if (!/\$\d/.test(normalizeForEvidence(f.text, Infinity))) continue; // no literal: its plan is the generic one
    const list = out.get(f.fingerprint) ?? [];
    if (list.length < perStatement && !list.some((x) => x.text === f.text)) list.push({ text: f.text, source: sample.source });
    out.set(f.fingerprint, list);
  }
  return out;
}

/** Distinct literal-bearing texts by fingerprint, at most `perStatement` each (sampleSetsByFingerprint's texts). */
export function samplesByFingerprint(texts: Iterable<string>, perStatement = VALUE_SAMPLES_PER_STATEMENT): Map<string, string[]> {
  return new Map([...sampleSetsByFingerprint(texts, perStatement)].map(([fp, list]) => [fp, list.map((x) => x.text)]));
}

/** The texts that are instances of the window's statements (matched by fingerprint), at most `perStatement` per statement. */
export function harvestValueSamples(
  texts: Iterable<string>,
  statements: { queryid: string; query: string }[],
  perStatement = VALUE_SAMPLES_PER_STATEMENT,
): Map<string, string[]> {
  const byFp = samplesByFingerprint(texts, perStatement);
  const out = new Map<string, string[]>();
  if (byFp.size === 0) return out;
  for (const s of statements) {
    const parsed = tryParse(s.query);
    if ('error' in parsed || !parsed.facts.fingerprint) continue;
    const list = byFp.get(parsed.facts.fingerprint);
    if (list) out.set(s.queryid, list);
  }
  return out;
}
