// What may go into an HTTP/1.1 request line or header field, a URL, or a schema or table name. The
// load generator writes requests as bytes: a CR or LF in a path or header would split one request
// into two (request smuggling), so the profile schema (the CLI) and the scenario compiler (the worker,
// which trusts no input) both refuse them with these checks.

// RFC 9110 token: the characters of a field name (and of a method).
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// Control characters: C0 (a horizontal tab is allowed in field values), DEL and C1 (NEL ends a line for some parsers).
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/;
// Invisible format characters: zero-width, joiners, bidirectional overrides and isolates, soft hyphen,
// line and paragraph separators. They make text look other than what is sent.
const INVISIBLE = /[\p{Cf}\u2028\u2029]/u;

const NAMES: Record<string, string> = {
  '\r': 'CR',
  '\n': 'LF',
  '\u0000': 'NUL',
  ' ': 'a space',
  '\t': 'a tab',
  '\u200b': 'a zero-width space (U+200B)',
  '\u202e': 'a right-to-left override (U+202E)',
  '\u00ad': 'a soft hyphen (U+00AD)',
};

function codePoint(ch: string): string {
  return `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

function describe(ch: string): string {
  if (NAMES[ch]) return NAMES[ch];
  return INVISIBLE.test(ch) ? `the invisible character ${codePoint(ch)}` : `control character ${codePoint(ch)}`;
}

/** Why `value` cannot be a header field value (CR, LF, NUL, other control or invisible characters), or null. */
export function unsafeHeaderValue(value: string): string | null {
  const m = CONTROL.exec(value);
  if (m) return `contains ${describe(m[0])}, which would end the header (request splitting); remove it`;
  const inv = INVISIBLE.exec(value);
  return inv ? `contains ${describe(inv[0])}, which makes the value look other than what is sent; remove it` : null;
}

/** Why `name` cannot be a header field name (not an RFC 9110 token), or null. */
export function invalidHeaderName(name: string): string | null {
  return TOKEN.test(name) ? null : `"${name}" is not a header name: use letters, digits and !#$%&'*+.^_\`|~- only`;
}

/** Why a path template cannot be sent, placeholders included: a control character inside `{{...}}` is never meant. */
export function controlInTemplate(template: string): string | null {
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  const m = /[\u0000-\u001f\u007f-\u009f]/.exec(template);
  return m ? `contains ${describe(m[0])}, which would split the request line: remove it` : null;
}

/** Why `path` cannot be the target of a request line (whitespace, control or non-ASCII characters), or null. */
export function unsafeRequestPath(path: string): string | null {
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  const m = /[\s\u0000-\u001f\u007f-\u009f]/.exec(path);
  if (m) {
    return m[0] === ' '
      ? 'contains a space, which would end the request target: percent-encode it (%20)'
      : `contains ${describe(m[0])}, which would split the request line: remove it or percent-encode it`;
  }
  const other = /[^\x21-\x7e]/u.exec(path);
  return other
    ? `contains ${INVISIBLE.test(other[0]) ? describe(other[0]) : `${codePoint(other[0])} ("${other[0]}")`}, which is not ASCII: ` +
        'a request target is sent as it is written; percent-encode it'
    : null;
}

/**
 * Why `url` is not plain ASCII text, or null. The URL parser silently drops a tab, CR or LF and maps
 * full-width or zero-width characters in a host to other ASCII ones: what is written would not be
 * what is contacted.
 */
export function unsafeUrlText(url: string): string | null {
  const m = /[^\x21-\x7e]/u.exec(url);
  if (!m) return null;
  if (CONTROL.test(m[0]) || /\s/.test(m[0]) || INVISIBLE.test(m[0])) {
    return `contains ${describe(m[0])}, which the URL parser would silently drop or rewrite; remove it`;
  }
  return (
    `contains ${codePoint(m[0])} ("${m[0]}"), which is not ASCII (a look-alike?): write the URL in ASCII, ` +
    'a host name in punycode (xn--...) and the path percent-encoded'
  );
}

/** Why `name` cannot be a schema or table name (control or invisible characters), or null. */
export function unsafeSqlName(name: string): string | null {
  const m = CONTROL.exec(name) ?? /[^\S ]/.exec(name) ?? INVISIBLE.exec(name);
  return m ? `contains ${describe(m[0])}, which no schema or table name here has; remove it` : null;
}
