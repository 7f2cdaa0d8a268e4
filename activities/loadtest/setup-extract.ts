// Taking a setup step's values from its answer: a JSON path into the body, a response header, or a
// cookie the answer sets. Values are secrets: messages name the value and where it was looked for,
// never what was found.
import { parseJsonPath, valueAt } from '../../common/json-path';
import { unsafeHeaderValue } from '../../common/request-text';
import type { Extract } from '../../common/setup-step';

export interface SetupAnswer {
  status: number;
  /** Lower-case names; repeated headers (set-cookie) as arrays. */
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

const first = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

/** The value of cookie `name` among the answer's Set-Cookie headers (without its attributes), or undefined. */
export function cookieValue(setCookie: string | string[] | undefined, name: string): string | undefined {
  for (const line of [setCookie ?? []].flat()) {
    const pair = line.split(';', 1)[0];
    const eq = pair.indexOf('=');
    if (eq > 0 && pair.slice(0, eq).trim() === name)
      return pair
        .slice(eq + 1)
        .trim()
        .replace(/^"(.*)"$/, '$1');
  }
  return undefined;
}

function where(e: Extract): string {
  return 'json' in e ? `JSON path ${e.json}` : 'header' in e ? `header ${e.header}` : `cookie ${e.cookie}`;
}

/** One value from the answer, or why there is none (the reason names no value). */
export function extractValue(
  answer: SetupAnswer,
  e: Extract,
  parsed: { json?: unknown; jsonError?: boolean },
): string | { problem: string } {
  let v: unknown;
  if ('json' in e) {
    if (!('json' in parsed) && !parsed.jsonError) {
      try {
        parsed.json = JSON.parse(answer.body);
      } catch {
        parsed.jsonError = true;
      }
    }
    if (parsed.jsonError) return { problem: `the answer is not JSON (content-type ${first(answer.headers['content-type']) ?? 'none'})` };
    const steps = parseJsonPath(e.json);
    if (typeof steps === 'string') return { problem: steps };
    v = valueAt(parsed.json, steps);
    if (v === undefined) return { problem: `${e.json} is not in the answer` };
    if (v === null || typeof v === 'object')
      return { problem: `${e.json} is ${v === null ? 'null' : Array.isArray(v) ? 'an array' : 'an object'}, not a string or number` };
  } else if ('header' in e) {
    v = first(answer.headers[e.header.toLowerCase()]);
    if (v === undefined) return { problem: `the answer has no ${e.header} header` };
  } else {
    v = cookieValue(answer.headers['set-cookie'], e.cookie);
    if (v === undefined) return { problem: `the answer sets no cookie ${e.cookie}` };
  }
  const text = String(v);
  if (text === '') return { problem: `${where(e)} is empty` };
  const unsafe = unsafeHeaderValue(text);
  return unsafe ? { problem: `the value at ${where(e)} ${unsafe.replace(/; remove it$/, '')}: refused` } : text;
}

/** Every value a step extracts, or the first problem, named by the value's name. */
export function extractAll(
  answer: SetupAnswer,
  extract: Record<string, Extract>,
): { values: Record<string, string> } | { failed: { name: string; problem: string } } {
  const values: Record<string, string> = {};
  const parsed = {};
  for (const [name, e] of Object.entries(extract)) {
    const v = extractValue(answer, e, parsed);
    if (typeof v !== 'string') return { failed: { name, problem: v.problem } };
    values[name] = v;
  }
  return { values };
}
