// What may go into an HTTP/1.1 request line or header field. The load generator writes requests
// as bytes: a CR or LF in a path or header would split one request into two (request smuggling), so
// the profile schema (the CLI) and the scenario compiler (the worker, which trusts no input) both
// refuse them with this one check.

// RFC 9110 token: the characters of a field name (and of a method).
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// Control characters: CR, LF, NUL and the rest of C0 and DEL; a horizontal tab is allowed in field values.
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f]/;

const NAMES: Record<string, string> = { '\r': 'CR', '\n': 'LF', '\u0000': 'NUL', ' ': 'a space', '\t': 'a tab' };

function describe(ch: string): string {
  return NAMES[ch] ?? `control character U+${ch.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Why `value` cannot be a header field value (CR, LF, NUL, other control characters), or null. */
export function unsafeHeaderValue(value: string): string | null {
  const m = CONTROL.exec(value);
  return m ? `contains ${describe(m[0])}, which would end the header (request splitting); remove it` : null;
}

/** Why `name` cannot be a header field name (not an RFC 9110 token), or null. */
export function invalidHeaderName(name: string): string | null {
  return TOKEN.test(name) ? null : `"${name}" is not a header name: use letters, digits and !#$%&'*+.^_\`|~- only`;
}

/** Why `path` cannot be the target of a request line (whitespace or control characters), or null. */
export function unsafeRequestPath(path: string): string | null {
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  const m = /[\s\u0000-\u001f\u007f]/.exec(path);
  if (!m) return null;
  return m[0] === ' '
    ? 'contains a space, which would end the request target: percent-encode it (%20)'
    : `contains ${describe(m[0])}, which would split the request line: remove it or percent-encode it`;
}
