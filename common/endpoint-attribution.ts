// Per-endpoint attribution: one endpoint's requests sent alone, bracketed by pg_stat_statements
// snapshots, give its exact statements, database time and rows per request. Pure figures and the
// checks of how exact they are; the activity (activities/profiling/endpoint-attribution.ts) measures.
import type { LatencySummary } from './types';
import { round } from './round';

/** A pg_stat_statements difference for one statement (the fields used here). */
export interface StatementDeltaLike {
  queryid: string;
  query: string;
  calls: number;
  totalMs: number;
  rows: number;
}

export interface AttributedStatement {
  queryid: string;
  query: string;
  callsPerRequest: number;
  msPerRequest: number;
  rowsPerRequest: number;
}

export interface EndpointAttribution {
  endpoint: string;
  /** Requests of the pass answered (errors included) and those that failed. */
  requests: number;
  errors: number;
  latencyMs: Pick<LatencySummary, 'p50' | 'p95' | 'p99' | 'mean'>;
  /** null when the target has no database or pg_stat_statements could not be read. */
  statementsPerRequest: number | null;
  dbMsPerRequest: number | null;
  rowsPerRequest: number | null;
  /** The costliest statements, then the most called ones (>= MANY_CALLS_PER_REQUEST per request) not among them. */
  topStatements: AttributedStatement[];
  /** Statements per request in the first and the second half of the pass (the agreement check). */
  halves: [number, number] | null;
  /** True when nothing suggests other work in the pass's window; otherwise `flags` say what. */
  exact: boolean;
  flags: string[];
}

export interface AttributionResult {
  phase: 'baseline' | 'after';
  requestsPerEndpoint: number;
  concurrency: 1;
  /** Statements the database ran while nothing was sent (the quiet probe before the passes). */
  background: { seconds: number; calls: number; totalMs: number; queries: string[] } | null;
  endpoints: EndpointAttribution[];
  problems: string[];
  artifactId: string | null;
}

export const ATTRIBUTION_DEFAULTS = { requests: 30, maxSecondsPerEndpoint: 30, quietSeconds: 1 } as const;
export const TOP_STATEMENTS = 5;
/** From this many calls per request a statement is listed however cheap it is: an N+1 is many cheap calls
 * that the costliest statements hide (the N+1 detector's default threshold, nPlusOneMinCallsPerRequest). */
export const MANY_CALLS_PER_REQUEST = 5;
/** At most this many such statements are added after the costliest ones, most called first. */
export const MOST_CALLED = 3;
/** Statement texts in results (workflow history) are cut here; the stored artifact keeps them whole. */
export const QUERY_TEXT_MAX = 500;

const cut = (q: string) => (q.length > QUERY_TEXT_MAX ? `${q.slice(0, QUERY_TEXT_MAX - 3)}...` : q);

/** The `top` costliest statements, then the most called ones with >= MANY_CALLS_PER_REQUEST calls per request
 * that are not among them (at most MOST_CALLED). */
export function notableStatements<T extends StatementDeltaLike>(live: T[], requests: number, top = TOP_STATEMENTS): T[] {
  const costliest = [...live].sort((a, b) => b.totalMs - a.totalMs || b.calls - a.calls).slice(0, top);
  const mostCalled = live
    .filter((d) => !costliest.includes(d) && d.calls >= MANY_CALLS_PER_REQUEST * requests)
    .sort((a, b) => b.calls - a.calls || b.totalMs - a.totalMs)
    .slice(0, MOST_CALLED);
  return [...costliest, ...mostCalled];
}

/** Per-request figures of one pass; statements with no calls are dropped. */
export function perRequestFigures(deltas: StatementDeltaLike[], requests: number, top = TOP_STATEMENTS) {
  const live = deltas.filter((d) => d.calls > 0);
  if (requests <= 0) return { statementsPerRequest: 0, dbMsPerRequest: 0, rowsPerRequest: 0, topStatements: [] as AttributedStatement[] };
  const per = (x: number, digits = 2) => round(x / requests, digits);
  const sum = (f: (d: StatementDeltaLike) => number) => live.reduce((s, d) => s + f(d), 0);
  const topStatements = notableStatements(live, requests, top).map((d) => ({
    queryid: d.queryid,
    query: cut(d.query),
    callsPerRequest: per(d.calls),
    msPerRequest: per(d.totalMs, 3),
    rowsPerRequest: per(d.rows),
  }));
  return {
    statementsPerRequest: per(sum((d) => d.calls)),
    dbMsPerRequest: per(
      sum((d) => d.totalMs),
      3,
    ),
    rowsPerRequest: per(sum((d) => d.rows)),
    topStatements,
  };
}

const totalCalls = (ds: StatementDeltaLike[]) => ds.reduce((s, d) => s + Math.max(0, d.calls), 0);

export interface ExactnessInput {
  requests: number;
  errors: number;
  unfinished: number;
  /** The two halves' deltas and request counts. */
  firstHalf: { deltas: StatementDeltaLike[]; requests: number };
  secondHalf: { deltas: StatementDeltaLike[]; requests: number };
  passSeconds: number;
  background: AttributionResult['background'];
  /** pg_stat_statements evictions during the pass (pg_stat_statements_info.dealloc); null when unknown. */
  evictions?: number | null;
}

/** Halves agree when their statements/request differ by at most half a statement or 10%. */
export function halvesAgree(a: number, b: number): boolean {
  const diff = Math.abs(a - b);
  return diff <= 0.5 || diff <= 0.1 * Math.max(a, b);
}

/** Why a pass's figures may not be the endpoint's alone; [] when nothing suggests it. */
export function exactnessFlags(x: ExactnessInput): { halves: [number, number]; flags: string[] } {
  const flags: string[] = [];
  const perHalf = (h: ExactnessInput['firstHalf']) => (h.requests > 0 ? round(totalCalls(h.deltas) / h.requests, 2) : 0);
  const halves: [number, number] = [perHalf(x.firstHalf), perHalf(x.secondHalf)];
  if (x.errors > 0) flags.push(`${x.errors} of ${x.requests} requests failed: failed requests may run fewer statements`);
  if (x.unfinished > 0) flags.push(`${x.unfinished} requests were still unanswered at the end: their statements may be missing or late`);
  if (x.firstHalf.requests > 0 && x.secondHalf.requests > 0 && !halvesAgree(halves[0], halves[1])) {
    flags.push(
      `the pass's halves disagree (${halves[0]} vs ${halves[1]} statements/request): other traffic on the database, ` +
        `or the endpoint's work changed during the pass (a cache warming)`,
    );
  }
  if (x.evictions) {
    flags.push(
      `pg_stat_statements evicted entries ${x.evictions} times during the pass: an evicted statement counts in full, ` +
        `not its difference; raise pg_stat_statements.max`,
    );
  }
  const bg = x.background;
  if (bg && bg.calls > 0 && bg.seconds > 0) {
    const expected = round((bg.calls / bg.seconds) * x.passSeconds, 1);
    flags.push(
      `other traffic on the database: ${bg.calls} statements in ${bg.seconds} s with nothing sent ` +
        `(about ${expected} in this pass's ${round(x.passSeconds, 1)} s may not be the endpoint's)`,
    );
  }
  return { halves, flags };
}

/** The quiet probe's figures: statements the database ran while the tool sent nothing. */
export function backgroundOf(deltas: StatementDeltaLike[], seconds: number): NonNullable<AttributionResult['background']> {
  const live = deltas.filter((d) => d.calls > 0);
  return {
    seconds: round(seconds, 2),
    calls: totalCalls(live),
    totalMs: round(
      live.reduce((s, d) => s + d.totalMs, 0),
      3,
    ),
    queries: live.slice(0, 5).map((d) => d.query.slice(0, 200)),
  };
}

export interface EndpointBeforeAfter {
  endpoint: string;
  before: EndpointAttribution | null;
  after: EndpointAttribution | null;
}

/** The endpoints of either pass, in the before pass's order, paired by name. */
export function pairAttributions(
  before: AttributionResult | null | undefined,
  after: AttributionResult | null | undefined,
): EndpointBeforeAfter[] {
  const names: string[] = [];
  for (const e of [...(before?.endpoints ?? []), ...(after?.endpoints ?? [])]) if (!names.includes(e.endpoint)) names.push(e.endpoint);
  const find = (r: AttributionResult | null | undefined, n: string) => r?.endpoints.find((e) => e.endpoint === n) ?? null;
  return names.map((endpoint) => ({ endpoint, before: find(before, endpoint), after: find(after, endpoint) }));
}
