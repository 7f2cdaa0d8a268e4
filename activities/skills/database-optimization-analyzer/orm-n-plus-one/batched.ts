// The batched form of a per-row statement, spliced from the statement's own text at the positions
// the parser gives: the per-row key becomes `= ANY($k)` (one array of keys), the key joins the select
// list so rows map back to their parent, a count becomes a GROUP BY per key, an existence check
// returns the keys that exist, and a per-key ORDER BY/LIMIT becomes a LATERAL join over the keys.
import type { PerRowShape } from './shape';

/** Position of a keyword at parenthesis depth 0 (quotes skipped) from `from`, or -1. */
export function topLevelKeyword(text: string, keyword: string, from = 0): number {
  const re = new RegExp(String.raw`^${keyword}\b`, 'i');
  let depth = 0;
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (c === "'" || c === '"') {
      const close = text.indexOf(c, i + 1);
      i = close < 0 ? text.length : close;
      continue;
    }
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (depth === 0 && (i === 0 || /[\s)]/.test(text[i - 1])) && re.test(text.slice(i, i + keyword.length + 1))) return i;
  }
  return -1;
}

/** The core text with the key's `= $k` / `IN ($k)` turned into `= ANY($k)` (cast `$k::t` into `$k::t[]`). */
export function withAnyKey(s: PerRowShape): string {
  const t = s.coreText;
  const at = s.key.location - s.coreStart;
  const param = `$${s.key.param}`;
  let before = t.slice(0, at);
  let after = t.slice(at + param.length);
  const cast = /^::([A-Za-z_][\w .]*?)(?=[\s),]|$)/.exec(after);
  const typed = cast ? `${param}::${cast[1]}[]` : param;
  if (cast) after = after.slice(cast[0].length);
  if (/=\s*ANY\s*\(\s*$/i.test(before)) return `${before}${param}${cast ? cast[0] : ''}${after}`; // already an array
  const inList = /\bIN\s*\(\s*$/i.exec(before);
  if (inList && /^\s*\)/.test(after)) {
    before = before.slice(0, inList.index);
    after = after.replace(/^\s*\)/, '');
    return `${before}= ANY(${typed})${after}`;
  }
  return `${before}ANY(${typed})${after}`;
}

/** The text with the key added at the head of the select list when it does not return it already. */
function keySelected(s: PerRowShape, text: string): string {
  if (s.selectsKey) return text;
  const at = s.targetStart - s.coreStart;
  return `${text.slice(0, at)}${s.key.text}, ${text.slice(at)}`;
}

/** `LIMIT ...` (and what follows) cut off the core text, for an existence check. */
function withoutLimit(text: string): string {
  const at = topLevelKeyword(text, 'limit');
  return at < 0 ? text : text.slice(0, at).trimEnd();
}

/** The per-key LATERAL form: each key's rows with their own ORDER BY / LIMIT, in one statement. */
function lateral(s: PerRowShape): string {
  const t = s.coreText;
  const at = s.key.location - s.coreStart;
  const param = `$${s.key.param}`;
  const inner = `${t.slice(0, at)}k.key${t.slice(at + param.length)}`;
  return `select k.key, t.* from unnest(${param}) as k(key) cross join lateral (${inner}) as t`;
}

/** One statement for all the rows of a request. */
export function batchedSql(s: PerRowShape): string {
  const any = withAnyKey(s);
  const fromAt = topLevelKeyword(any, 'from');
  switch (s.kind) {
    case 'per-row EXISTS':
    case 'per-row existence check': {
      if (fromAt < 0 || s.hasOrderOrOffset) return lateral(s);
      return `select distinct ${s.key.text} ${withoutLimit(any.slice(fromAt))}`;
    }
    case 'per-row count': {
      if (s.perKeyLimit || fromAt < 0) return lateral(s);
      if (s.wrapper === 'count') return `select ${s.key.text}, count(*) as "count" ${any.slice(fromAt)} group by ${s.key.text}`;
      return `${keySelected(s, any)} group by ${s.key.text}`;
    }
    case 'lazy getter by primary key':
      // One row per key: a LIMIT (Django's get() adds LIMIT 21) only guards against duplicates.
      if (s.hasLimit && !s.hasOrderOrOffset) return withoutLimit(keySelected(s, any));
      return s.perKeyLimit ? lateral(s) : keySelected(s, any);
    default:
      return s.perKeyLimit ? lateral(s) : keySelected(s, any);
  }
}
