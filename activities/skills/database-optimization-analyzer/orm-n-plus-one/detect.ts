// N+1 per endpoint: over each endpoint's own statements (the attribution pass: the endpoint alone,
// its own pg_stat_statements diff), statements of one fingerprint run at least `minCallsPerRequest`
// times per request in a per-row shape. Pure once the SQL parser is loaded.
import type { TargetProfile } from '../../../../common/profile';
import { round } from '../../../../common/round';
import type { Finding } from '../../../../common/types';
import { tryParse } from '../../../postgres/sql-parse';
import { toggleFinding } from '../n-plus-one';
import { batchedSql } from './batched';
import { ormHint } from './orm-hint';
import { perRowShapeFromFacts, type PerRowShape } from './shape';
import { effortDays } from '../../../../common/rules/effort';

export interface EndpointStatement {
  queryid: string;
  query: string;
  calls: number;
  totalMs: number;
  rows: number;
}

/** One endpoint's statements, measured alone (or the whole mix when `endpoint` is null). */
export interface EndpointStatements {
  endpoint: string | null;
  requests: number;
  dbMsPerRequest: number | null;
  /** Mean latency of the endpoint's requests in its pass. */
  wallMsPerRequest: number | null;
  statements: EndpointStatement[];
  /** Why the endpoint's pass may not be its work alone (the attribution's exactness flags). */
  flags?: string[];
}

export interface EndpointNPlusOneOptions {
  minCallsPerRequest: number;
  maxRowsPerCall: number;
}

/**
 * Slack under the threshold: an endpoint that loads 5 rows runs exactly 5 statements per request, but a
 * request that failed or was answered from a cache runs fewer; the average may then read 4.9.
 */
export const THRESHOLD_SLACK = 0.95;

export interface PerRowGroup {
  stat: EndpointStatement;
  texts: number;
  shape: PerRowShape;
  callsPerRequest: number;
  msPerRequest: number;
}

/** The endpoint's statements grouped by fingerprint (texts summed), with a per-row shape, at or above the threshold. */
export function perRowGroups(e: EndpointStatements, opts: EndpointNPlusOneOptions): PerRowGroup[] {
  if (e.requests <= 0) return [];
  const groups = new Map<string, { stat: EndpointStatement; texts: number; shape: PerRowShape }>();
  for (const st of e.statements) {
    if (st.calls <= 0) continue;
    const parsed = tryParse(st.query);
    if ('error' in parsed) continue;
    const shape = perRowShapeFromFacts(parsed.facts);
    if (!shape) continue;
    const key = parsed.facts.fingerprint ?? `q:${st.queryid}`;
    const g = groups.get(key);
    if (!g) {
      groups.set(key, { stat: { ...st }, texts: 1, shape });
      continue;
    }
    const s = g.stat;
    const lead = st.calls > s.calls || (st.calls === s.calls && st.queryid < s.queryid);
    if (lead) g.shape = shape;
    g.stat = { ...(lead ? st : s), calls: s.calls + st.calls, totalMs: s.totalMs + st.totalMs, rows: s.rows + st.rows };
    g.texts++;
  }
  const out: PerRowGroup[] = [];
  for (const g of groups.values()) {
    const callsPerRequest = g.stat.calls / e.requests;
    if (callsPerRequest < opts.minCallsPerRequest * THRESHOLD_SLACK) continue;
    const rowsPerCall = g.stat.rows / g.stat.calls;
    const loads = g.shape.kind !== 'per-row count' && g.shape.kind !== 'per-row EXISTS' && g.shape.kind !== 'per-row existence check';
    if (loads && rowsPerCall > opts.maxRowsPerCall) continue;
    out.push({ ...g, callsPerRequest, msPerRequest: g.stat.totalMs / e.requests });
  }
  return out.sort(
    (a, b) => b.msPerRequest - a.msPerRequest || b.callsPerRequest - a.callsPerRequest || (a.stat.queryid < b.stat.queryid ? -1 : 1),
  );
}

const pct = (part: number, whole: number | null) => (whole && whole > 0 ? `${round((100 * part) / whole, 0)}%` : 'n/a');
const slug = (s: string) => s.replace(/[^A-Za-z0-9_-]+/g, '_');

function describe(s: PerRowShape): string {
  const via = s.via ? ` through ${s.via}` : '';
  return `${s.kind} on ${s.table}${via} by ${s.key.column}`;
}

function evidenceOf(e: EndpointStatements, g: PerRowGroup, batched: string): string[] {
  const s = g.shape;
  const where = e.endpoint ? `endpoint ${e.endpoint}` : 'the whole mix';
  const cpr = round(g.callsPerRequest, 1);
  const lines = [
    e.endpoint
      ? `endpoint ${e.endpoint}: ${cpr} calls per request of one ${s.kind} (measured alone: ${e.requests} requests, ${g.stat.calls} calls, ` +
        `${round(g.stat.rows / g.stat.calls, 2)} rows per call)`
      : `${cpr} calls per request of one ${s.kind}, averaged over the whole mix: per-endpoint attribution is off, so the endpoint is not known`,
    `${round(g.msPerRequest, 3)} ms of database time per request of ${where}: ${pct(g.msPerRequest, e.dbMsPerRequest)} of its database time` +
      `${e.wallMsPerRequest !== null ? `, ${pct(g.msPerRequest, e.wallMsPerRequest)} of its ${round(e.wallMsPerRequest, 1)} ms mean latency` : ''}` +
      `; each call also costs a network round trip`,
    `statement: ${g.stat.query.replace(/\s+/g, ' ').trim()}${g.texts > 1 ? ` (and ${g.texts - 1} more statement texts with the same fingerprint)` : ''}`,
  ];
  if (s.fixedKey) {
    lines.push(
      `two keys: ${s.key.text} ($${s.key.param}) taken as the one that changes per row, ${s.fixedKey.text} ($${s.fixedKey.param}) as the same ` +
        `for the whole request (a guess: the last parameter)`,
    );
  }
  if (e.flags?.length) lines.push(`the endpoint's pass was not exact, its figures may include other work: ${e.flags.join('; ')}`);
  lines.push(`batched form: ${batched}`);
  const hint = ormHint(g.stat.query, s);
  if (hint) lines.push(`ORM: ${hint.hint} (a guess from the SQL shape: it reads like ${hint.orm})`);
  return lines;
}

/** The N+1 finding of one group on one endpoint (manual batching, or the target's toggle that fixes n_plus_one). */
export function endpointNPlusOneFinding(e: EndpointStatements, g: PerRowGroup, target: TargetProfile): Finding {
  const s = g.shape;
  const batched = batchedSql(s);
  const evidence = evidenceOf(e, g, batched);
  const meanMs = g.stat.totalMs / g.stat.calls;
  const on = e.endpoint ? ` on endpoint ${e.endpoint}` : '';
  const base = {
    id: e.endpoint ? `n1-${slug(e.endpoint)}-${g.stat.queryid}` : `n1-${g.stat.queryid}`,
    layer: 'application' as const,
    rootCause: 'n_plus_one' as const,
    title: `N+1${on}: ${describe(s)} (${round(g.callsPerRequest, 1)} calls per request)`,
    estimatedLatencyReductionMs: round(Math.max(0, (g.callsPerRequest - 1) * (meanMs + 0.05)), 3),
    source: 'database-optimization-analyzer',
  };
  const byToggle = toggleFinding(base, evidence, target);
  if (byToggle) return byToggle;
  const mapBack =
    s.kind === 'per-row count' ? ' (keys with no row count 0)' : s.fixedKey || s.wrapper === 'exists' ? ' (a key not returned: false)' : '';
  return {
    ...base,
    evidence,
    effortDays: effortDays('batch_loading'),
    risk: 'medium',
    action: {
      type: 'manual',
      steps: [
        `batch the ${s.kind}${on}: collect the ${s.key.column} values of one request and run once: ${batched} (pass them as one array parameter)`,
        `map the returned rows back by ${s.key.column}${mapBack} instead of querying once per row`,
        `verify with a load test that this statement runs once per request${on}`,
      ],
    },
    rollback: 'revert the application change (deploy the previous version)',
  };
}

/** The whole load window as one "endpoint" (attribution off): calls per request averaged over the mix. */
export function mixOf(e: { windowRequests: number; statements: EndpointStatement[] }): EndpointStatements {
  const totalMs = e.statements.reduce((s, x) => s + x.totalMs, 0);
  return {
    endpoint: null,
    requests: e.windowRequests,
    dbMsPerRequest: e.windowRequests > 0 ? totalMs / e.windowRequests : null,
    wallMsPerRequest: null,
    statements: e.statements,
  };
}

/** Every endpoint's N+1 findings, in the endpoints' order, heaviest first within an endpoint. */
export function endpointNPlusOneFindings(endpoints: EndpointStatements[], target: TargetProfile, opts: EndpointNPlusOneOptions): Finding[] {
  return endpoints.flatMap((e) => perRowGroups(e, opts).map((g) => endpointNPlusOneFinding(e, g, target)));
}
