// The per-endpoint table (each endpoint measured alone): latency, statements and database time per
// request, before and after the changes, the top statements and what makes a figure less than exact.
import type { EndpointMetrics } from '../common/contract-endpoints';
import { attributionMethod, endpointsBeforeAfter } from '../common/contract-endpoints';
import type { OutputContract } from '../common/output-contract';
import type { RunStatus } from '../common/run';
import { round } from '../common/round';
import { statementsToShow } from './endpoint-statements';
import { table } from './text-table';

type Row = { endpoint: string; before: EndpointMetrics | null; after: EndpointMetrics | null };

const n = (x: number | null | undefined, digits = 1) => (x == null ? '-' : String(round(x, digits)));
const exact = (e: EndpointMetrics | null) => (e === null ? '' : e.exact ? 'yes' : 'NO');
const short = (q: string, max = 70) => {
  const one = q.replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max - 3)}...` : one;
};

function rowsTable(rows: Row[], withAfter: boolean): string[] {
  const head = withAfter
    ? ['endpoint', 'p95 ms', '', 'statements/req', '', 'DB ms/req', '', 'exact']
    : ['endpoint', 'p50 ms', 'p95 ms', 'p99 ms', 'statements/req', 'DB ms/req', 'rows/req', 'exact'];
  const body = rows.map((r) => {
    const b = r.before;
    const a = r.after;
    if (!withAfter) {
      return [
        r.endpoint,
        n(b?.p50_ms),
        n(b?.p95_ms),
        n(b?.p99_ms),
        n(b?.statements_per_request, 2),
        n(b?.db_ms_per_request, 2),
        n(b?.rows_per_request),
        exact(b),
      ];
    }
    const arrow = (x: string, y: string) => [x, `-> ${y}`];
    return [
      r.endpoint,
      ...arrow(n(b?.p95_ms), n(a?.p95_ms)),
      ...arrow(n(b?.statements_per_request, 2), n(a?.statements_per_request, 2)),
      ...arrow(n(b?.db_ms_per_request, 2), n(a?.db_ms_per_request, 2)),
      [exact(b), exact(a)].filter(Boolean).join(' / '),
    ];
  });
  return table([head, ...body])
    .split('\n')
    .map((l) => `    ${l}`);
}

function details(rows: Row[], top: number): string[] {
  const lines: string[] = [];
  for (const r of rows) {
    for (const [when, e] of [
      ['before', r.before],
      ['after', r.after],
    ] as const) {
      if (!e) continue;
      const label = r.after && r.before ? `${r.endpoint} (${when})` : r.endpoint;
      for (const s of statementsToShow(e.top_statements, top)) {
        const why = s.manyCalls ? ', many calls' : '';
        lines.push(`    ${label}: ${n(s.calls_per_request, 2)} x ${short(s.query)} (${n(s.ms_per_request, 3)} ms/req${why})`);
      }
      for (const f of e.flags) lines.push(`    ! ${label}: ${f}`);
    }
  }
  return lines;
}

/** The per-endpoint section; [] when the run has no attribution (recorded before it, or disabled). */
export function endpointLines(rows: Row[], method: string, problems: string[], top = 3): string[] {
  if (rows.length === 0 && problems.length === 0) return [];
  const withAfter = rows.some((r) => r.after !== null);
  const lines = [`per endpoint (${method}):`];
  if (rows.length)
    lines.push(...rowsTable(rows, withAfter), '  top statements per request (costliest, then most called):', ...details(rows, top));
  for (const p of problems) lines.push(`  ! ${p}`);
  return lines;
}

export function endpointSection(result: OutputContract): string[] {
  const a = result.baseline_metrics.endpoint_attribution;
  const rows = result.validation_results.improvement_summary.endpoints ?? [];
  if (!a && rows.length === 0) return [];
  return endpointLines(rows, a?.method ?? 'each endpoint alone', a?.problems ?? []);
}

export function statusEndpointSection(s: Pick<RunStatus, 'endpoints'>): string[] {
  const before = s.endpoints?.before ?? null;
  const after = s.endpoints?.after ?? null;
  const any = before ?? after;
  if (!any) return [];
  const problems = [...(before?.problems ?? []), ...(after?.problems ?? [])];
  return endpointLines(endpointsBeforeAfter(before, after), attributionMethod(any), problems, 1);
}
