// N+1 lookups: one single-table lookup by equality on one parameter, run many times per request.
import type { TargetProfile } from '../../../common/profile';
import type { Finding, StatementStat } from '../../../common/types';
import { stripQuotedAndComments } from '../../postgres/generic-plan';
import { parserReady, tryParse, type StatementFacts } from '../../postgres/sql-parse';
import { round } from '../../../common/round';
import { effortDays } from '../../../common/rules/effort';

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
  const selected =
    l.select.trim() === '*' || new RegExp(String.raw`(^|[\s,.])${escapeRe(colName)}(\s*,|\s*$)`).test(l.select)
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

/** What the N+1 finding needs about the lookup statement. */
export interface LookupShape {
  table: string; // as written
  column: string; // as written (maybe qualified)
  batched: string;
  /** The statement aggregates per key (count/avg per parent): rows per call are 1 whatever the data. */
  aggregates: boolean;
}

/**
 * A single-table lookup by one parameter (`... FROM t WHERE col = $k [AND other conditions]`) from the
 * parser's facts, with its batched form: `col = ANY($k)` (the key added to the select list, GROUP BY
 * the key for an aggregate), or, with ORDER BY / LIMIT per key, a LATERAL join over the keys.
 */
export function lookupFromFacts(f: StatementFacts, columnType?: (table: string, column: string) => string | null): LookupShape | null {
  if (f.kind !== 'select' || f.scopes.length !== 1 || f.locking) return null;
  const s = f.scopes[0];
  if (s.relations.length !== 1 || s.joins.length > 0 || s.groupBy || s.having || s.windowFunctions || s.distinct) return null;
  const keys = s.predicates.filter((p) => p.op === 'eq' && p.param !== null);
  if (keys.length !== 1) return null;
  const key = keys[0];
  const rel = s.relations[0];
  if (key.col.qualifier && key.col.qualifier !== rel.alias && key.col.qualifier !== rel.name) return null;
  const text = f.text;
  const paramText = `$${key.param}`;
  const loc = key.paramLocation;
  if (loc < 0 || text.slice(loc, loc + paramText.length) !== paramText) return null;
  const colText = key.col.qualifier ? `${rel.alias}.${key.col.column}` : key.col.column;
  const tableText = `${rel.schema ? `${rel.schema}.` : ''}${rel.name}`;
  const after = text.slice(loc + paramText.length);
  const simple = /=\s*$/.test(text.slice(0, loc)) && !/^\s*::/.test(after) && !/^\d/.test(after);
  let batched: string;
  if (simple && !s.hasOrderBy && !s.hasLimit && !s.hasOffset) {
    let t = `${text.slice(0, loc)}ANY(${paramText})${after}`;
    const selectsKey = s.stars.length > 0 || s.selectColumns.some((c) => c.column === key.col.column);
    if (!selectsKey && s.targetStart >= 0) t = `${t.slice(0, s.targetStart)}${colText}, ${t.slice(s.targetStart)}`;
    if (s.aggregates) t = `${t} GROUP BY ${colText}`;
    batched = t;
  } else {
    const type = columnType?.(rel.name, key.col.column) ?? null;
    const inner = `${text.slice(0, loc)}k.key${after}`;
    batched = `SELECT k.key, t.* FROM unnest(${paramText}${type ? `::${type}[]` : ''}) AS k(key) CROSS JOIN LATERAL (${inner}) AS t`;
  }
  return { table: tableText, column: colText, batched, aggregates: s.aggregates };
}

/** The lookup shape from the parser when it is loaded, else from the regular expression. */
export function lookupShape(query: string, columnType?: (table: string, column: string) => string | null): LookupShape | null {
  if (parserReady()) {
    const parsed = tryParse(query, { fingerprint: false });
    if ('error' in parsed) return null;
    return lookupFromFacts(parsed.facts, columnType);
  }
  const l = parseSingleLookup(query);
  return l ? { table: l.table, column: l.column, batched: batchedForm(l), aggregates: false } : null;
}

/** The N+1 finding for one statement (or all statements of one fingerprint, summed), or null when it is not one. */
export function nPlusOneFinding(
  stat: StatementStat,
  target: TargetProfile,
  opts: NPlusOneOptions,
  extra: { shape?: LookupShape | null; queryids?: number } = {},
): Finding | null {
  if (stat.callsPerRequest < opts.minCallsPerRequest || stat.calls <= 0) return null;
  const rowsPerCall = stat.rows / stat.calls;
  const lookup = extra.shape !== undefined ? extra.shape : lookupShape(stat.query);
  if (!lookup) return null;
  if (rowsPerCall > opts.maxRowsPerCall && !lookup.aggregates) return null;
  const batched = lookup.batched;
  const reduction = round(Math.max(0, (stat.callsPerRequest - 1) * (stat.meanMs + 0.05)), 3);
  const evidence = [
    `${round(stat.callsPerRequest, 1)} calls per request of one ${lookup.aggregates ? 'per-key aggregate' : 'single-row lookup'} by key ` +
      `(${stat.calls} calls in the window, ${round(rowsPerCall, 2)} rows per call)`,
    `mean ${round(stat.meanMs, 3)} ms per call, ${round(stat.totalMs, 1)} ms in total; each call also costs a network round trip`,
    `statement: ${shorten(stat.query, 200)}` +
      `${extra.queryids && extra.queryids > 1 ? ` (and ${extra.queryids - 1} more statement texts with the same fingerprint)` : ''}`,
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
  const byToggle = toggleFinding(base, evidence, target);
  if (byToggle) return byToggle;
  return {
    ...base,
    evidence,
    effortDays: effortDays('batch_loading'),
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

/**
 * N+1 findings over the whole window: statements are grouped by fingerprint (the same lookup with
 * different literal texts counts once, with the calls summed), then checked one by one.
 */
export function nPlusOneFindings(
  stats: StatementStat[],
  target: TargetProfile,
  opts: NPlusOneOptions,
  columnType?: (table: string, column: string) => string | null,
): Finding[] {
  const groups = new Map<string, { stat: StatementStat; n: number; shape: LookupShape | null }>();
  for (const st of stats) {
    let key = `q:${st.queryid}`;
    let shape: LookupShape | null;
    if (parserReady()) {
      const parsed = tryParse(st.query);
      if ('error' in parsed) continue;
      key = parsed.facts.fingerprint ?? key;
      shape = lookupFromFacts(parsed.facts, columnType);
    } else shape = lookupShape(st.query);
    if (!shape) continue;
    const g = groups.get(key);
    if (!g) {
      groups.set(key, { stat: { ...st }, n: 1, shape });
      continue;
    }
    const s = g.stat;
    const calls = s.calls + st.calls;
    const totalMs = s.totalMs + st.totalMs;
    g.stat = {
      ...(st.calls > s.calls ? { ...s, queryid: st.queryid, query: st.query } : s),
      calls,
      totalMs,
      rows: s.rows + st.rows,
      meanMs: calls > 0 ? totalMs / calls : 0,
      callsPerRequest: s.callsPerRequest + st.callsPerRequest,
    };
    g.n++;
  }
  const out: Finding[] = [];
  for (const g of groups.values()) {
    const f = nPlusOneFinding(g.stat, target, opts, { shape: g.shape, queryids: g.n });
    if (f) out.push(f);
  }
  return out;
}

export function shorten(s: string, max: number): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length <= max ? t : `${t.slice(0, max - 1)}…`;
}

/** The finding as the target's feature toggle that fixes n_plus_one, when it declares one. */
export function toggleFinding(
  base: Omit<Finding, 'evidence' | 'effortDays' | 'risk' | 'action' | 'rollback'>,
  evidence: string[],
  target: TargetProfile,
): Finding | null {
  const toggle = (target.actions?.featureToggles ?? []).find((t) => t.fixes === 'n_plus_one');
  if (!toggle) return null;
  return {
    ...base,
    evidence: [...evidence, `feature toggle "${toggle.name}" fixes n_plus_one: set it to ${JSON.stringify(toggle.enabledValue)}`],
    effortDays: toggle.effortDays ?? effortDays('feature_toggle'),
    risk: 'low',
    action: { type: 'feature_toggle', toggle: toggle.name, value: toggle.enabledValue },
    rollback: `set feature toggle ${toggle.name} back to its previous value`,
  };
}
