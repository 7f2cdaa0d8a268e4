// The start of a PostgreSQL stderr log line, read from the server's own log_line_prefix: what comes
// before `LOG:  `, `DETAIL:  `... A line the pattern does not match is no log line (or a
// continuation, which starts with a tab). Pure.

/** The default log_line_prefix of PostgreSQL 15 (Debian's adds `%q%u@%d `). */
export const DEFAULT_LOG_LINE_PREFIX = '%m [%p] ';

const TIMESTAMP = String.raw`\d{4}-\d\d-\d\d \d\d:\d\d:\d\d`;

/** Each escape's text; %d and %p are captured (the database filter, pairing a DETAIL with its LOG line). */
const ESCAPES: Record<string, string> = {
  m: `${TIMESTAMP}\\.\\d+ \\S+`,
  t: `${TIMESTAMP} \\S+`,
  s: `${TIMESTAMP} \\S+`,
  n: String.raw`\d+\.\d+`,
  p: String.raw`(?<pid>\d+)`,
  P: String.raw`\d*`,
  d: '(?<db>.*?)',
  l: String.raw`\d+`,
  c: String.raw`[0-9a-f]+\.[0-9a-f]+`,
  v: String.raw`[0-9/]*`,
  x: String.raw`\d+`,
  e: '[0-9A-Z]{5}',
  Q: String.raw`-?\d+`,
};

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** One escape (`%d`, `%-10u`, `%%`) as a regex fragment; padded ones match their padding too. A group is named once. */
function escapeFragment(padding: string, letter: string, named: Set<string>): string {
  if (letter === '%') return '%';
  let body = ESCAPES[letter] ?? '.*?'; // %u %a %r %h %i %b and unknown letters: any text
  if (body.startsWith('(?<')) {
    if (named.has(letter)) body = body.replace(/^\(\?<\w+>/, '(?:');
    named.add(letter);
  }
  return padding ? ` *${body} *` : body;
}

/**
 * The regex of a log line written with `logLinePrefix`: groups `sev` (LOG, DETAIL, ...), `msg`, and
 * `db`/`pid` when the prefix has %d/%p. The part after %q is optional (background processes omit it).
 */
export function logLinePattern(logLinePrefix: string): RegExp {
  let out = '';
  let optionalFrom = -1;
  const named = new Set<string>();
  const re = /%(-?\d*)([A-Za-z%])|([^%]+)|%$/g;
  for (const m of logLinePrefix.matchAll(re)) {
    if (m[3] !== undefined) out += escapeRegExp(m[3]);
    else if (m[2] === 'q') optionalFrom = out.length;
    else if (m[2] !== undefined) out += escapeFragment(m[1], m[2], named);
  }
  if (optionalFrom >= 0) out = `${out.slice(0, optionalFrom)}(?:${out.slice(optionalFrom)})?`;
  return new RegExp(`^${out}(?<sev>[A-Z]+[0-9]?):  (?<msg>.*)$`);
}

/** Whether the prefix names the database (`%d`): otherwise entries of every database are read. */
export function prefixHasDatabase(logLinePrefix: string): boolean {
  return /%-?\d*d/.test(logLinePrefix.replace(/%%/g, ''));
}
