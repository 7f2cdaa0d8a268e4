// The HTML report's per-endpoint section: each endpoint measured alone, before and after.
import type { EndpointMetrics } from '../common/contract-endpoints';
import type { OutputContract } from '../common/output-contract';
import { round } from '../common/round';
import { statementsToShow } from './endpoint-statements';

const esc = (s: unknown) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const n = (x: number | null | undefined, digits = 1) => (x == null ? '-' : String(round(x, digits)));
const cell = (b: number | null | undefined, a: number | null | undefined, after: boolean, digits = 1) =>
  after ? `${n(b, digits)} &rarr; ${n(a, digits)}` : n(b, digits);

function statements(e: EndpointMetrics | null): string {
  if (!e || e.top_statements.length === 0) return '';
  const items = statementsToShow(e.top_statements, 3).map(
    (s) =>
      `<li>${esc(round(s.calls_per_request, 2))} &times; <code>${esc(s.query.slice(0, 160))}</code> ` +
      `(${esc(round(s.ms_per_request, 3))} ms/req${s.manyCalls ? ', many calls' : ''})</li>`,
  );
  return `<ul>${items.join('')}</ul>`;
}

export function endpointsHtml(r: OutputContract): string {
  const a = r.baseline_metrics.endpoint_attribution;
  const rows = r.validation_results.improvement_summary.endpoints ?? [];
  if (!a && rows.length === 0) return '';
  const after = rows.some((x) => x.after !== null);
  const head = ['endpoint', 'p50 ms', 'p95 ms', 'p99 ms', 'statements/req', 'DB ms/req', 'exact', 'top statements (before)'];
  const body = rows.map((x) => {
    const b = x.before;
    const f = x.after;
    // With both passes, each flag names its pass: a baseline flag is not a doubt about the after figures.
    const label = (when: string) => (b && f ? `${when}: ` : '');
    const flags = [...(b?.flags ?? []).map((m) => label('before') + m), ...(f?.flags ?? []).map((m) => label('after') + m)];
    const exact = [b, f].filter((e) => e !== null).every((e) => e!.exact) ? 'yes' : `no: ${flags.join('; ')}`;
    const tds = [
      esc(x.endpoint),
      cell(b?.p50_ms, f?.p50_ms, after),
      cell(b?.p95_ms, f?.p95_ms, after),
      cell(b?.p99_ms, f?.p99_ms, after),
      cell(b?.statements_per_request, f?.statements_per_request, after, 2),
      cell(b?.db_ms_per_request, f?.db_ms_per_request, after, 2),
      esc(exact),
      statements(b ?? f),
    ];
    return `<tr>${tds.map((t) => `<td>${t}</td>`).join('')}</tr>`;
  });
  const problems = (a?.problems ?? []).map((p) => `<p>${esc(p)}</p>`).join('');
  return (
    `<h2>Per endpoint${after ? ' (before &rarr; after)' : ''}</h2>\n<p>${esc(a?.method ?? 'each endpoint alone')}.</p>${problems}\n` +
    `<table><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>\n${body.join('\n')}</table>`
  );
}
