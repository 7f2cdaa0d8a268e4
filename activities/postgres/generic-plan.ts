// Text helper of the pattern-based N+1 fallback (used only when the SQL parser cannot be loaded).
// Generic plans themselves are made by planner.ts, on texts checked by the parser.

/** Blanks string literals, quoted identifiers, dollar-quoted bodies and comments (keeps positions). */
export function stripQuotedAndComments(q: string): string {
  let out = '';
  let i = 0;
  while (i < q.length) {
    const ch = q[i];
    const rest = q.slice(i);
    const dollar = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(rest);
    if (ch === "'" || ch === '"') {
      let j = i + 1;
      while (j < q.length) {
        if (q[j] === ch) {
          if (q[j + 1] === ch) j += 2;
          else break;
        } else j++;
      }
      out += ch + ' '.repeat(Math.max(0, Math.min(j, q.length) - i - 1)) + (j < q.length ? ch : '');
      i = j + 1;
    } else if (rest.startsWith('--')) {
      const nl = q.indexOf('\n', i);
      const end = nl < 0 ? q.length : nl;
      out += ' '.repeat(end - i);
      i = end;
    } else if (rest.startsWith('/*')) {
      const close = q.indexOf('*/', i + 2);
      const end = close < 0 ? q.length : close + 2;
      out += ' '.repeat(end - i);
      i = end;
    } else if (dollar && !/^\$\d/.test(rest)) {
      const tag = dollar[0];
      const close = q.indexOf(tag, i + tag.length);
      const end = close < 0 ? q.length : close + tag.length;
      out += ' '.repeat(end - i);
      i = end;
    } else {
      out += ch;
      i++;
    }
  }
  return out;
}
