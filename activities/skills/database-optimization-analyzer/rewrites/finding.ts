// A measured query rewrite as a plan finding (a manual item: the tool never rewrites an application):
// the statement, the rewritten SQL, why it returns the same result, EXPLAIN ANALYZE before and after
// with the saving, the proof on the real data (or why there is none), and where an ORM writes such a
// statement and how to change that call. Pure.
import { round } from '../../../../common/round';
import type { Finding } from '../../../../common/types';
import { SOURCE } from '../findings';
import { shorten } from '../n-plus-one';
import { ormHints } from './orm-hints';
import type { RewriteEvidence, RewriteKind } from './types';
import { effortDays } from '../../../../common/rules/effort';

const PER_ROW_NAME = { date: 'date()', year: 'extract(year)', date_trunc: 'date_trunc()', arithmetic: 'arithmetic' };
const wideNames = (r: RewriteEvidence) => (r.wide?.columns ?? []).map((c) => `${c.column} (${c.avgWidth} bytes a value)`).join(', ');

const WHAT: Record<RewriteKind, (r: RewriteEvidence) => string> = {
  count_over_joins: (r) =>
    r.dropped.length === 0
      ? `count(*) on ${r.table} instead of count(DISTINCT) of its unique key`
      : `count(*) on ${r.table} instead of count(DISTINCT) over ${r.dropped.length} LEFT JOIN${r.dropped.length > 1 ? 's' : ''}`,
  unused_join: (r) => `drop the unused LEFT JOIN${r.dropped.length > 1 ? 's' : ''} to ${r.dropped.join(', ')}`,
  function_on_indexed_column: (r) =>
    // Evidence stored before perRow existed is date()'s.
    `a predicate on the indexed column ${r.perRow ? `${r.table}.${r.perRow.column}` : `of ${r.table}`} instead of ` +
    `${PER_ROW_NAME[r.perRow?.shape ?? 'date']} per row`,
  wide_columns: (r) => `if the caller does not use ${wideNames(r)}, select the other columns of ${r.table}`,
  correlated_count: (r) => `one grouped count of ${r.table} joined once instead of a correlated count per row`,
  keyset_pagination: (r) =>
    `keyset pagination on ${r.table}.${r.keyset?.column} instead of OFFSET${r.keyset?.offset !== null ? ` ${r.keyset?.offset}` : ''}`,
};

function savingOf(r: RewriteEvidence): { ms: number; pct: number } | null {
  const m = r.measured;
  if (!m) return null;
  const ms = m.before.executionMs - m.after.executionMs;
  return { ms, pct: m.before.executionMs > 0 ? (100 * ms) / m.before.executionMs : 0 };
}

function measuredEvidence(r: RewriteEvidence, perRequest: number): string[] {
  const m = r.measured!;
  const s = savingOf(r)!;
  const values = r.sample !== null ? `with the values of profile sample ${r.sample}` : 'the statement as it is (no parameters)';
  const lines = [
    `EXPLAIN (ANALYZE, BUFFERS) on the real data, ${values}, warm, READ ONLY: before ${round(m.before.executionMs, 3)} ms ` +
      `(buffers hit ${m.before.sharedHit}, read ${m.before.sharedRead}), after ${round(m.after.executionMs, 3)} ms ` +
      `(hit ${m.after.sharedHit}, read ${m.after.sharedRead}): saving ${round(s.ms, 3)} ms per call (${round(s.pct, 1)}%), ` +
      `${round(perRequest, 3)} ms per request over the window (${r.calls} calls)`,
    `plan before: ${m.before.plan}`,
    `plan after: ${m.after.plan}`,
  ];
  if (m.bytes && m.planWidth)
    lines.push(
      `the rows as text (what the wire carries; timed above with the rows turned to text on the server, which EXPLAIN ANALYZE alone ` +
        `skips): ${m.bytes.before} -> ${m.bytes.after} bytes per call; the planner's row width ${m.planWidth.before} -> ${m.planWidth.after} bytes ` +
        '(it counts a value stored out of line as its TOAST pointer)',
    );
  if (m.proof)
    lines.push(
      m.proof.equal
        ? `same result on the real data: both return ${m.proof.rowsBefore} row${m.proof.rowsBefore === 1 ? '' : 's'} with equal hashes (${m.proof.method})`
        : `NOT the same result: ${m.proof.rowsBefore} rows before, ${m.proof.rowsAfter} after or different rows (${m.proof.method})`,
    );
  return lines;
}

const ms = (x: number) => round(x, x < 1 ? 3 : 1);

/** Why a rewrite is not a finding (then it is a note): other results on the real data, or too small a saving. */
export function rewriteRejected(r: RewriteEvidence, minSavingPct: number, minSavingMs = 0): string | null {
  if (r.measured?.proof && !r.measured.proof.equal) return 'it returned other results on the real data';
  // Leaving columns out is worth only what it measurably saves (and only if the caller does not read them): no guess.
  if (r.kind === 'wide_columns' && !r.measured)
    return `a wide-column rewrite is proposed on a measured saving only (${r.problem ?? 'not measured'})`;
  const s = savingOf(r);
  if (!s || (s.pct >= minSavingPct && s.ms >= minSavingMs)) return null;
  const m = r.measured!;
  return (
    `it saves ${round(s.pct, 1)}% on the real data (${ms(m.before.executionMs)} -> ${ms(m.after.executionMs)} ms), ` +
    `under ${minSavingPct}% or ${minSavingMs} ms per call`
  );
}

/** The finding of one rewrite; null when rewriteRejected says why not. */
export function rewriteFinding(r: RewriteEvidence, windowRequests: number, minSavingPct = 0, minSavingMs = 0): Finding | null {
  if (rewriteRejected(r, minSavingPct, minSavingMs)) return null;
  const s = savingOf(r);
  const perRequest = s && windowRequests > 0 ? Math.max(0, (s.ms * r.calls) / windowRequests) : 0;
  const mean = round(r.totalMs / Math.max(1, r.calls), 3);
  const headline = s
    ? `${ms(r.measured!.before.executionMs)} -> ${ms(r.measured!.after.executionMs)} ms per call (-${round(s.pct, 1)}%)` +
      `${r.measured!.proof ? ', same result proven' : ', result NOT compared'}`
    : 'not measured';
  const hints = ormHints(r);
  const evidence = [
    `statement (${r.calls} calls in the window, mean ${mean} ms): ${shorten(r.query, 400)}`,
    `rewritten (printed from its parse tree): ${shorten(r.rewritten, 400)}`,
    `returns the same result because ${r.condition}`,
    ...(r.measured ? measuredEvidence(r, perRequest) : []),
    ...(r.problem ? [r.problem] : []),
    `where the ORM writes it: ${hints.join('; ')}`,
  ];
  return {
    id: `rw-${r.kind.replace(/_/g, '-')}-${r.queryid.replace(/[^0-9A-Za-z]/g, '')}`,
    layer: 'database',
    rootCause: 'query_rewrite',
    title: `Query rewrite: ${WHAT[r.kind](r)}: ${headline}`,
    evidence,
    estimatedLatencyReductionMs: round(perRequest, 3),
    effortDays: effortDays(r.kind === 'keyset_pagination' ? 'api_change' : 'query_rewrite'),
    risk: r.kind === 'keyset_pagination' || !r.measured?.proof ? 'medium' : 'low',
    action: {
      type: 'manual',
      steps: [
        `${r.kind === 'wide_columns' ? `if the caller does not read ${(r.wide?.columns ?? []).map((c) => c.column).join(', ')}: ` : ''}` +
          `change the application's query to: ${r.rewritten}`,
        ...(r.kind === 'keyset_pagination'
          ? [`the app must pass the previous page's last ${r.keyset?.column} as $${r.keyset?.lastKeyParam} instead of the OFFSET`]
          : []),
        `in the ORM: ${hints[0]}`,
        'then compare the endpoint before/after (the tool never changes the application)',
      ],
    },
    rollback: 'revert the application change (the tool changes nothing itself)',
    source: SOURCE,
  };
}
