// N+1 lookups: one single-table lookup by equality on one parameter, run many times per request.
import type { TargetProfile } from '../../../common/profile';
import type { Finding, StatementStat } from '../../../common/types';
import { stripQuotedAndComments } from './generic-plan';

export interface SingleLookup {
  select: string;
  table: string; // as written in the statement (maybe schema-qualified, maybe quoted)
  alias: string | null;
  column: string; // as written, maybe qualified
  hasLimit: boolean;
}

const IDENT = String.raw`(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)`;
const LOOKUP = new RegExp(
  String.raw`^SELECT\s+(?<select>.+?)\s+FROM\s+(?<table>${IDENT}(?:\.${IDENT})?)` +
    String.raw`(?:\s+(?:AS\s+)?(?<alias>${IDENT}))?` +
    String.raw`\s+WHERE\s+(?<column>(?:${IDENT}\.)?${IDENT})\s*=\s*\$1(?:::[A-Za-z_][\w ]*)?` +
    String.raw`(?:\s+LIMIT\s+(?:\$2|\d+))?\s*;?$`,
  'is',
);
const KEYWORDS = new Set(['where', 'join', 'inner', 'left', 'right', 'full', 'cross', 'natural', 'on', 'using', 'limit', 'order', 'group']);

/** Recognizes `SELECT ... FROM table [alias] WHERE col = $1 [LIMIT n]` (no joins, subqueries or other predicates). */
export function parseSingleLookup(query: string): SingleLookup | null {
  const text = query.trim().replace(/\s+/g, ' ');
  const bare = stripQuotedAndComments(text);
  if (/\(\s*SELECT\b/i.test(bare)) return null; // subquery
  const m = LOOKUP.exec(text);
  if (!m?.groups) return null;
  const { select, table, alias, column } = m.groups;
  if (/\bFROM\b/i.test(stripQuotedAndComments(select))) return null;
  if (alias && KEYWORDS.has(alias.toLowerCase())) return null;
  return { select, table, alias: alias ?? null, column, hasLimit: /\bLIMIT\b/i.test(bare.slice(bare.search(/\bWHERE\b/i))) };
}

/** The batched form: one statement for all the keys of a request. */
export function batchedForm(l: SingleLookup): string {
  const colName = l.column.includes('.') ? l.column.slice(l.column.lastIndexOf('.') + 1) : l.column;
  const selected = l.select.trim() === '*' || new RegExp(String.raw`(^|[\s,.])${escapeRe(colName)}(\s*,|\s*$)`).test(l.select)
    ? l.select
    : `${l.column}, ${l.select}`;
  return `SELECT ${selected} FROM ${l.table}${l.alias ? ` ${l.alias}` : ''} WHERE ${l.column} = ANY($1)`;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export interface NPlusOneOptions {
  minCallsPerRequest: number;
  maxRowsPerCall: number;
}

const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;

/** The N+1 finding for one statement, or null when it is not one. */
export function nPlusOneFinding(stat: StatementStat, target: TargetProfile, opts: NPlusOneOptions): Finding | null {
  if (stat.callsPerRequest < opts.minCallsPerRequest || stat.calls <= 0) return null;
  const rowsPerCall = stat.rows / stat.calls;
  if (rowsPerCall > opts.maxRowsPerCall) return null;
  const lookup = parseSingleLookup(stat.query);
  if (!lookup) return null;
  const batched = batchedForm(lookup);
  const toggle = (target.actions?.featureToggles ?? []).find((t) => t.fixes === 'n_plus_one');
  const reduction = round(Math.max(0, (stat.callsPerRequest - 1) * (stat.meanMs + 0.05)));
  const evidence = [
    `${round(stat.callsPerRequest, 1)} calls per request of one single-row lookup (${stat.calls} calls in the window, ${round(rowsPerCall, 2)} rows per call)`,
    `mean ${round(stat.meanMs, 3)} ms per call, ${round(stat.totalMs, 1)} ms in total; each call also costs a network round trip`,
    `statement: ${shorten(stat.query, 200)}`,
    `batched form: ${batched}`,
  ];
  const base = {
    id: `n1-${stat.queryid}`,
    layer: 'application' as const,
    rootCause: 'n_plus_one' as const,
    title: `N+1 lookups on ${lookup.table} by ${lookup.column} (${round(stat.callsPerRequest, 1)} calls per request)`,
    estimatedLatencyReductionMs: reduction,
    source: 'database-optimization-analyzer',
  };
  if (toggle) {
    return {
      ...base,
      evidence: [...evidence, `feature toggle "${toggle.name}" fixes n_plus_one: set it to ${JSON.stringify(toggle.enabledValue)}`],
      effortDays: toggle.effortDays,
      risk: 'low',
      action: { type: 'feature_toggle', toggle: toggle.name, value: toggle.enabledValue },
      rollback: `set feature toggle ${toggle.name} back to its previous value`,
    };
  }
  return {
    ...base,
    evidence,
    effortDays: 1,
    risk: 'medium',
    action: {
      type: 'manual',
      steps: [
        `batch the lookups: collect the ${lookup.column} values needed by one request and run once: ${batched} (pass them as one array parameter)`,
        `map the returned rows back by ${lookup.column} instead of querying once per item`,
        'verify with a load test that calls per request of this statement drop to 1',
      ],
    },
    rollback: 'revert the application change (deploy the previous version)',
  };
}

export function shorten(s: string, max: number): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length <= max ? t : `${t.slice(0, max - 1)}…`;
}
