// Field checks of the target profile that are more than a zod type: URLs that must be contacted as
// they are written, schema and table names, and the range of every number.
import { z } from 'zod';
import { unsafeSqlName, unsafeUrlText } from './request-text';

/** `http://host...` or `https://host...` that the URL parser takes as it is written (not `http:/x`, `ftp:`, `file:`). */
function isAbsoluteUrl(u: string, protocols: RegExp): boolean {
  return new RegExp(`^${protocols.source}://[^/?#]`, 'i').test(u) && URL.canParse(u);
}

/**
 * A URL the worker contacts: plain ASCII, absolute with one of `protocols`, without credentials
 * (they would be stored in workflow histories and reports). `wrong` says what is expected.
 */
export function contactUrl(protocols: RegExp, wrong: string) {
  return z.string().superRefine((u, ctx) => {
    const text = unsafeUrlText(u);
    if (text) return ctx.addIssue({ code: 'custom', message: text });
    if (!isAbsoluteUrl(u, protocols)) return ctx.addIssue({ code: 'custom', message: wrong });
    const url = new URL(u);
    if (url.username || url.password) {
      ctx.addIssue({
        code: 'custom',
        message: 'must not carry credentials (user:password@): they would be stored in workflow histories and reports; remove them',
      });
    }
  });
}

/** A schema or table name (or pattern) the database analyzer matches. */
export const sqlName = z.string().superRefine((name, ctx) => {
  const problem = unsafeSqlName(name);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/** Why `p` is not an absolute file path written plainly (`/var/log/x.log`: no `.`, `..` or empty segment), or null. */
export function filePathProblem(p: string): string | null {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(p)) return 'must not contain control characters';
  if (p.length > 1024) return 'is too long (at most 1,024 characters)';
  const segments = p.split('/');
  if (segments[0] !== '' || segments.length < 2) {
    return "must be an absolute path on the worker's host, e.g. /var/log/postgresql/postgresql-15-main.log";
  }
  if (segments.slice(1).some((x) => x === '' || x === '.' || x === '..')) {
    return 'must name a file plainly: no ".", ".." or empty segment, no trailing "/" (e.g. /var/log/postgresql/postgresql-15-main.log)';
  }
  return null;
}

/** A file on the worker's host (the operator's policy says which directories it may be in). */
export const filePath = z.string().superRefine((p, ctx) => {
  const problem = filePathProblem(p);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/** Marks the out-of-range issues, which give way to a field's own issue at the same path. */
export const OUT_OF_RANGE = 'out_of_range';

/** Every number whose size is past 2^53 - 1 (where integers stop being exact), with its path. */
export function outOfRangeNumbers(value: unknown, path: (string | number)[] = []): { path: (string | number)[]; message: string }[] {
  if (typeof value === 'number') {
    return Math.abs(value) > Number.MAX_SAFE_INTEGER
      ? [{ path, message: `${value} is out of range: a number in a profile is at most ${Number.MAX_SAFE_INTEGER} in size` }]
      : [];
  }
  if (Array.isArray(value)) return value.flatMap((v, i) => outOfRangeNumbers(v, [...path, i]));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => outOfRangeNumbers(v, [...path, k]));
  return [];
}

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/** What py-spy needs of a profile: a target process on this host, and no Node.js inspector beside it. */
export function pySpyIssues(p: {
  http: { baseUrl: string };
  process?: { port?: number; inspectorUrl?: string; pySpy?: unknown };
}): { path: (string | number)[]; message: string }[] {
  if (!p.process?.pySpy) return [];
  const issues: { path: (string | number)[]; message: string }[] = [];
  if (p.process.inspectorUrl) {
    issues.push({
      path: ['process', 'pySpy'],
      message:
        'profile a target either through the Node.js inspector (process.inspectorUrl) or with py-spy (process.pySpy), not both: remove one',
    });
  }
  const local = URL.canParse(p.http.baseUrl) && LOCAL_HOSTS.has(new URL(p.http.baseUrl).hostname.toLowerCase());
  if (!p.process.port && !local) {
    issues.push({
      path: ['process', 'pySpy'],
      message:
        "py-spy attaches to the target's processes on the worker's host, found by the port they listen on: " +
        'set process.port (http.baseUrl is not on this host)',
    });
  }
  return issues;
}
