// Text from a profile shown back to a person: control characters (a CR could rewrite the terminal
// line, an ESC start an escape sequence) and invisible format characters (zero-width, right-to-left
// override) are written as escapes, so the message shows what the file really holds.

const SHORT: Record<string, string> = { '\r': '\\r', '\n': '\\n', '\t': '\\t' };

/** `text` with every control or format character (C0, DEL, C1, Cf, line/paragraph separators) escaped. */
export function printable(text: string): string {
  return text.replace(
    /[\p{Cc}\p{Cf}\u2028\u2029]/gu,
    (c) => SHORT[c] ?? `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`,
  );
}
