// Logged statements as value samples: each $n written as the literal the log shows for it (an
// untyped quoted literal resolves to the same type as the untyped parameter a driver such as
// node-postgres sends), then matched to the window's statements by fingerprint like the
// pg_stat_activity texts (value-samples.ts). Needs the parser loaded (ensureParser()).
import * as pgQuery from 'libpg-query';
import type { LoggedStatement } from './log-entries';
import { fingerprintOf, parserReady } from './sql-parser';
import { harvestValueSamples, VALUE_SAMPLE_MAX_LENGTH, VALUE_SAMPLES_PER_STATEMENT } from './value-samples';

/** The text with each `$k` token (not those in strings or comments) replaced by `params[k-1]`; null when one is missing. */
export function bindParameters(text: string, params: string[]): string | null {
  if (!parserReady()) return null;
  let tokens: pgQuery.ScanToken[];
  try {
    tokens = pgQuery.scanSync(text).tokens;
  } catch {
    return null;
  }
  const buf = Buffer.from(text, 'utf8'); // token offsets are bytes
  const parts: Buffer[] = [];
  let at = 0;
  for (const t of tokens) {
    if (t.tokenName !== 'PARAM') continue;
    const value = params[Number(buf.subarray(t.start + 1, t.end).toString()) - 1];
    if (value === undefined) return null;
    parts.push(buf.subarray(at, t.start), Buffer.from(value, 'utf8'));
    at = t.end;
  }
  parts.push(buf.subarray(at));
  return Buffer.concat(parts).toString('utf8');
}

/** Distinct statement shapes fingerprinted per log window: past it, new shapes are skipped (bounds the time taken). */
const MAX_SHAPES = 20_000;

/**
 * The text with its quoted strings and numbers blanked: simple-protocol calls that differ only in
 * their literals share it, so each shape is fingerprinted once. A cache key only: the harvest
 * checks the real fingerprint of what it keeps.
 */
export function literalShape(text: string): string {
  return text.replace(/'(?:[^']|'')*'?/g, "'?'").replace(/(?<![\w$"])-?\d+(\.\d+)?(e[+-]?\d+)?\b/gi, '?');
}

/**
 * The logged statements that are instances of the window's statements, with their values written in:
 * at most `perStatement` distinct value sets per statement (by queryid). Each statement shape is
 * fingerprinted once, so a log of every call stays cheap.
 */
export function harvestLogSamples(
  logged: Iterable<LoggedStatement>,
  statements: { queryid: string; query: string }[],
  perStatement = VALUE_SAMPLES_PER_STATEMENT,
): Map<string, string[]> {
  const wanted = new Set(statements.map((s) => fingerprintOf(s.query)).filter((f): f is string => f !== null));
  const fingerprints = new Map<string, string | null>();
  const kept = new Map<string, Set<string>>();
  for (const e of logged) {
    // No values logged for its $n (auto_explain before PostgreSQL 16, log_parameter_max_length = 0): no sample.
    if (e.text.length > VALUE_SAMPLE_MAX_LENGTH || (e.params.length === 0 && /\$\d/.test(e.text))) continue;
    const shape = literalShape(e.text);
    let fp = fingerprints.get(shape);
    if (fp === undefined && fingerprints.size < MAX_SHAPES) fingerprints.set(shape, (fp = fingerprintOf(e.text)));
    if (!fp || !wanted.has(fp)) continue;
    const set = kept.get(fp) ?? new Set<string>();
    kept.set(fp, set);
    if (set.size >= perStatement) continue;
    const bound = e.params.length ? bindParameters(e.text, e.params) : e.text;
    if (bound !== null && bound.length <= VALUE_SAMPLE_MAX_LENGTH) set.add(bound);
  }
  return harvestValueSamples(
    [...kept.values()].flatMap((s) => [...s]),
    statements,
    perStatement,
  );
}
