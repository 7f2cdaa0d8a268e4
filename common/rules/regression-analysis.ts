// The second look at a regression the validation found (the specification: "rollback, re-analyze
// root cause"): which metrics got worse, which endpoints carried it (the per-endpoint passes before
// and after the changes), and what the run had changed, so the next attempt can go one change at a
// time where it matters. Pure; lines for the report and the Web UI.
import type { MetricComparison } from '../compare';
import type { AttributionResult } from '../endpoint-attribution';
import type { AppliedChange } from '../types';
import { round } from '../round';

/** An endpoint's p95 must rise by this much (and 1 ms) to be named as carrying the regression. */
export const ENDPOINT_WORSE_PCT = 20;
const MAX_ENDPOINTS = 5;

function pct(before: number, after: number): number {
  return before > 0 ? round(((after - before) / before) * 100, 1) : 0;
}

function slowerEndpoints(before: AttributionResult | null, after: AttributionResult | null): string[] {
  if (!before || !after) return [];
  const rows = after.endpoints.flatMap((a) => {
    const b = before.endpoints.find((x) => x.endpoint === a.endpoint);
    if (!b || a.latencyMs.p95 - b.latencyMs.p95 < 1 || pct(b.latencyMs.p95, a.latencyMs.p95) < ENDPOINT_WORSE_PCT) return [];
    const stmts =
      a.statementsPerRequest !== null && b.statementsPerRequest !== null && a.statementsPerRequest !== b.statementsPerRequest
        ? `, statements/request ${b.statementsPerRequest} -> ${a.statementsPerRequest}`
        : '';
    const db = a.dbMsPerRequest !== null && b.dbMsPerRequest !== null ? `, DB ms/request ${b.dbMsPerRequest} -> ${a.dbMsPerRequest}` : '';
    return [
      {
        rise: a.latencyMs.p95 - b.latencyMs.p95,
        line: `${a.endpoint}: p95 ${b.latencyMs.p95} -> ${a.latencyMs.p95} ms (+${pct(b.latencyMs.p95, a.latencyMs.p95)}%)${stmts}${db}`,
      },
    ];
  });
  return rows
    .sort((x, y) => y.rise - x.rise)
    .slice(0, MAX_ENDPOINTS)
    .map((r) => r.line);
}

export function regressionAnalysis(
  comparison: readonly MetricComparison[],
  endpoints: { before: AttributionResult | null; after: AttributionResult | null } | undefined,
  applied: readonly AppliedChange[],
): string[] {
  const worse = comparison.filter((c) => c.regressed).map((c) => `${c.metric} ${c.before} -> ${c.after} (${c.changePct}%)`);
  const lines = [`regressed: ${worse.join(', ') || 'none beyond the threshold'}`];
  const slower = slowerEndpoints(endpoints?.before ?? null, endpoints?.after ?? null);
  if (slower.length) lines.push(...slower.map((s) => `slower endpoint: ${s}`));
  else if (endpoints?.after)
    lines.push('no single endpoint got markedly slower: the regression is spread over the mix (contention, a shared resource)');
  else lines.push('no per-endpoint passes after the changes (attribution off or failed): which endpoint carried it is unknown');
  lines.push(`changes in place during the after-test (all rolled back): ${applied.map((a) => a.itemId).join(', ') || 'none'}`);
  if (applied.length > 1) lines.push('next: apply them one at a time (approve by id) to find the one that regressed');
  return lines;
}
