// Statements with their values from a PostgreSQL stderr log (PostgreSQL 15's lines, English
// messages): log_min_duration_statement / log_statement entries (`statement: ...` with literals;
// `execute|bind <name>: ... $1` followed by `DETAIL:  parameters: $1 = '42'` from extended-protocol
// clients) and auto_explain's `plan:` entries (`Query Text:`, PostgreSQL 16+ also `Query
// Parameters:`), text or JSON format. Only lines shaped like the server's log lines are read; anything
// else in the file is skipped. Pure.
import { logLinePattern } from './log-prefix';

export interface LoggedStatement {
  /** The statement as logged: with $n when it came with parameters. */
  text: string;
  /** The parameters' values as logged (a quoted literal such as `'42'`, or NULL), $1 first; empty: none. */
  params: string[];
}

interface LogRecord {
  sev: string;
  pid: string | undefined;
  db: string | undefined;
  /** The message with its continuation lines (their leading tab removed). */
  msg: string;
}

/** The file's log records: a prefixed line and its tab-indented continuation lines. */
export function* logRecords(text: string, pattern: RegExp): Generator<LogRecord> {
  let cur: LogRecord | null = null;
  for (const line of text.split('\n')) {
    if (line.startsWith('\t') && cur) {
      cur.msg += `\n${line.slice(1)}`;
      continue;
    }
    if (cur) yield cur;
    const g = pattern.exec(line)?.groups;
    cur = g ? { sev: g.sev, pid: g.pid, db: g.db, msg: g.msg } : null;
  }
  if (cur) yield cur;
}

/** Past a value cut by log_parameter_max_length: PostgreSQL ends it with `...`. */
const TRUNCATED = "...'";
const PARAM_NAME = /\$(\d+) = /y;

/**
 * `$1 = '42', $2 = NULL` -> [`'42'`, `NULL`]; null when malformed, incomplete (a $k missing) or
 * a value was truncated (it is not the value the application sent).
 */
export function parseParameters(s: string): string[] | null {
  const out: string[] = [];
  let i = 0;
  while (i < s.length) {
    PARAM_NAME.lastIndex = i;
    const m = PARAM_NAME.exec(s);
    if (!m) return null;
    i = PARAM_NAME.lastIndex;
    let value: string;
    if (s.startsWith('NULL', i)) value = 'NULL';
    else if (s[i] === "'") {
      let j = i + 1;
      for (;;) {
        const k = s.indexOf("'", j);
        if (k < 0) return null;
        if (s[k + 1] !== "'") {
          j = k + 1;
          break;
        }
        j = k + 2;
      }
      value = s.slice(i, j);
      if (value.endsWith(TRUNCATED)) return null;
    } else return null;
    out[Number(m[1]) - 1] = value;
    i += value.length;
    if (i === s.length) break;
    if (!s.startsWith(', ', i)) return null;
    i += 2;
  }
  for (let k = 0; k < out.length; k++) if (out[k] === undefined) return null;
  return out;
}

/** A plan node line of auto_explain's text format (its costs are always shown). */
const PLAN_NODE = /\s\(cost=\d/;

/** auto_explain's `plan:` body: the query text and its parameters (PostgreSQL 16+), or null. */
export function autoExplainStatement(body: string): LoggedStatement | null {
  if (body.trimStart().startsWith('{')) {
    try {
      const j = JSON.parse(body) as Record<string, unknown>;
      const text = j['Query Text'];
      if (typeof text !== 'string') return null;
      const p = j['Query Parameters'];
      const params = typeof p === 'string' ? parseParameters(p) : [];
      return params ? { text, params } : null;
    } catch {
      return null;
    }
  }
  const lines = body.split('\n');
  const start = lines.findIndex((l) => l.startsWith('Query Text: '));
  if (start < 0) return null;
  const textLines = [lines[start].slice('Query Text: '.length)];
  let paramText: string | null = null;
  for (let i = start + 1; i < lines.length; i++) {
    const l = lines[i];
    if (PLAN_NODE.test(l)) {
      const params = paramText === null ? [] : parseParameters(paramText);
      return params ? { text: textLines.join('\n'), params } : null;
    }
    if (l.startsWith('Query Parameters: ')) {
      paramText = l.slice('Query Parameters: '.length);
    } else if (paramText !== null) {
      paramText += `\n${l}`; // a value with a newline
    } else if (!l.startsWith('Query Identifier: ')) {
      textLines.push(l);
    }
  }
  return null; // no plan: where the text ends is unknown
}

const STATEMENT = /^(?:duration: [\d.]+ ms {2})?(statement|execute [^:\n]*|bind [^:\n]*|plan):(?: |\n)([\s\S]*)$/;

export interface LogReadOptions {
  /** The server's log_line_prefix (SHOW log_line_prefix). */
  logLinePrefix: string;
  /** Only this database's entries, when the prefix has %d. */
  database?: string;
}

/** The statements of a log text with their values. Extended-protocol entries without their DETAIL line are dropped. */
export function loggedStatements(text: string, opts: LogReadOptions): LoggedStatement[] {
  const out: LoggedStatement[] = [];
  // Per backend (all one when the prefix has no %p): its DETAIL line follows its LOG line.
  const pending = new Map<string, string>();
  for (const r of logRecords(text, logLinePattern(opts.logLinePrefix))) {
    if (opts.database !== undefined && r.db !== undefined && r.db !== opts.database) continue;
    const pid = r.pid ?? '';
    const waiting = pending.get(pid);
    pending.delete(pid);
    if (waiting !== undefined && r.sev === 'DETAIL' && r.msg.startsWith('parameters: ')) {
      const params = parseParameters(r.msg.slice('parameters: '.length));
      if (params) out.push({ text: waiting, params });
      continue;
    }
    if (r.sev !== 'LOG') continue;
    const m = STATEMENT.exec(r.msg);
    if (!m) continue;
    if (m[1] === 'plan') {
      const s = autoExplainStatement(m[2]);
      if (s) out.push(s);
    } else if (m[1] === 'statement') out.push({ text: m[2], params: [] });
    else pending.set(pid, m[2]);
  }
  return out;
}
