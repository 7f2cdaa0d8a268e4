// A self-contained HTML report: the before/after table as bar charts (inline SVG, no scripts),
// the bottlenecks and the plan with each item's status.
import type { OutputContract } from '../common/output-contract';
import { measurementLines } from './render-verdict';
import { itemRows } from './render-items';
import { endpointsHtml } from './report-html-endpoints';
import { exporterRows, observabilityRows } from './render-observability';
import { itemLabel } from './render';
import { barChart } from './charts/bar-chart';
import { loadScenariosHtml } from './report-html-load';

export { barChart };

const esc = (s: unknown) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const METRIC_LABEL: Record<string, string> = {
  p95Ms: 'p95 latency (ms)',
  p99Ms: 'p99 latency (ms)',
  throughputRps: 'throughput (req/s)',
  errorRatePct: 'error rate (%)',
};

function rows(cells: unknown[][]): string {
  return cells.map((r, i) => `<tr>${r.map((c) => (i === 0 ? `<th>${esc(c)}</th>` : `<td>${esc(c)}</td>`)).join('')}</tr>`).join('\n');
}

function verdictHtml(r: OutputContract): string {
  const lines = measurementLines(r);
  if (lines.length === 0) return '';
  const low =
    r.validation_results.improvement_summary.before_after?.confidence === 'low' || r.baseline_metrics.measurement?.confidence === 'low';
  return `<ul${low ? ' class="failed"' : ''}>${lines.map((l) => `<li>${esc(l.trim())}</li>`).join('')}</ul>`;
}

function itemsHtml(r: OutputContract): string {
  const { rows: cells, notes } = itemRows(r);
  if (cells.length === 0) return '';
  const list = notes.length ? `<ul>${notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : '';
  return `<h3>Per item: estimated and measured gain (positive = better)</h3>\n<table>${rows(cells)}</table>${list}`;
}

/** Links to the files written beside the report (client/monitoring-files.ts). */
function monitoringFilesHtml(r: OutputContract): string {
  const files = r.monitoring_files ?? [];
  if (files.length === 0) return '';
  const base = `${r.target_system_details.workflow_id}-${r.target_system_details.run_id}`;
  const what = {
    'alert-rules': 'Prometheus alert rules',
    'grafana-dashboard': 'Grafana dashboard (import it in Dashboards > New > Import)',
    'otel-collector-config': 'OpenTelemetry Collector config (otelcol --config=<file>)',
  };
  return `<p>Files made for the target: ${files.map((f) => `<a href="${esc(`${base}.${f.file_name}`)}">${esc(what[f.kind])}</a>`).join(', ')}.</p>`;
}

function monitoringRulesHtml(r: OutputContract): string {
  const m = r.monitoring_rules;
  if (!m) return monitoringFilesHtml(r);
  const health = m.healthy ? 'loaded and healthy' : `not healthy: ${m.health_note ?? ''}`;
  return `<p>Alert rules installed: ${esc(m.file)} (SLOs ${esc(m.slos.join(', '))}), ${esc(health)}. promtool test rules on the measured behaviour:</p>
<table>${rows([
    ['case', 'test', 'burn alerts that fire'],
    ...m.cases.map((c) => [c.name, c.ok ? 'passed' : 'FAILED', c.firing === null ? 'too close to call' : c.firing.join(', ') || 'none']),
  ])}</table>
${monitoringFilesHtml(r)}`;
}

function observabilityHtml(r: OutputContract): string {
  const o = r.baseline_metrics.observability;
  if (!o) return '';
  const { caption, rows: cells } = observabilityRows(o);
  const exporters = exporterRows(o);
  const more = exporters ? `\n<p>${esc(exporters.caption.replace(/:$/, ''))}</p>\n<table>${rows(exporters.rows)}</table>` : '';
  return `<p>${esc(caption.replace(/:$/, ''))}</p>\n<table>${rows(cells)}</table>${more}`;
}

export function renderHtmlReport(r: OutputContract): string {
  const s = r.validation_results.improvement_summary;
  const charts = s.comparison.map((c) => barChart(METRIC_LABEL[c.metric], c.before, c.after, c.target)).join('\n');
  const b = r.baseline_metrics;
  const t = r.target_system_details;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>perf-orchestrator: ${esc(t.name)}</title>
<style>
body{font:14px system-ui,sans-serif;margin:2em;max-width:70em;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}
figure{display:inline-block;margin:0 2em 1em 0}figcaption{font-weight:600}
rect.before{fill:#c55}rect.after{fill:#3a7}line.target{stroke:#000;stroke-dasharray:4 2}text{font-size:12px}
.applied{color:#3a7}.rolled_back,.failed{color:#c55}
polyline{fill:none;stroke-width:2}polyline.offered{stroke:#888;stroke-dasharray:3 3}polyline.achieved,polyline.p95{stroke:#36c}polyline.p99{stroke:#c55}
circle{fill:currentColor}circle.offered{color:#888}circle.achieved,circle.p95{color:#36c}circle.p99{color:#c55}circle.miss{fill:#fff;stroke:#c55}
line.slo{stroke:#000;stroke-dasharray:6 3}line.marker{stroke:#e90}text.marker{fill:#e90}line.grid{stroke:#eee}line.axis{stroke:#555}rect.scenario{fill:#69c}
.legend span{margin-right:1em}.legend .offered{color:#888}.legend .achieved,.legend .p95{color:#36c}.legend .p99{color:#c55}
</style></head><body>
<h1>${esc(t.name)}: ${esc(s.outcome.replace(/_/g, ' '))}</h1>
<p>${esc(r.orchestration_timestamp)} &middot; ${esc(t.base_url)} &middot; tier ${esc(b.tier)} &middot; scope ${esc(r.optimization_scope.join(', '))} &middot;
targets met: <b>${r.validation_results.targets_met ? 'yes' : 'no'}</b> &middot; workflow ${esc(t.workflow_id)} / ${esc(t.run_id)}</p>
<h2>Before and after</h2>
${charts || '<p>No validation load test ran (nothing was applied).</p>'}
<p>Dashed line: the target. Load tests: ${esc(r.validation_results.load_tests_run.join(', '))}.</p>
${verdictHtml(r)}
${itemsHtml(r)}
${loadScenariosHtml(r)}
<h2>Baseline</h2>
<table>${rows([
    ['requests', 'p50 ms', 'p95 ms', 'p99 ms', 'req/s', 'errors %', 'db share %', 'cache hit %', 'app CPU %'],
    [
      b.requests,
      b.latency_p50_ms,
      b.latency_p95_ms,
      b.latency_p99_ms,
      b.throughput_rps,
      b.error_rate_percent,
      b.db_share_of_latency_pct ?? '-',
      b.cache_hit_ratio_pct ?? '-',
      b.app_cpu_pct ?? '-',
    ],
  ])}</table>
${observabilityHtml(r)}
${endpointsHtml(r)}
<h2>Bottlenecks</h2>
<table>${rows([
    ['layer', 'component', 'metric', 'current', 'impact (0-100)', 'description'],
    ...r.bottlenecks_identified.map((x) => [x.layer, x.component, x.metric, x.current_value, x.impact_score, x.description]),
  ])}</table>
<h2>Optimizations</h2>
<table>${rows([
    ['status', 'id', 'type', 'layer', 'priority', 'est. impact', 'effort (days)', 'action', 'rollback'],
    ...r.optimizations_implemented.map((o) => [
      itemLabel(o),
      o.id,
      o.type,
      o.layer,
      o.priority,
      o.estimated_impact,
      o.effort_days,
      o.action,
      o.rollback,
    ]),
  ])}</table>
<h2>Next steps</h2>
<ul>${r.next_steps.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>
<h2>Monitoring</h2>
<table>${rows([['metric', 'alert when', 'source', 'status'], ...r.monitoring_recommendations.map((m) => [m.metric, m.threshold, m.source, m.status])])}</table>
<p>Monitoring configured by the run: ${r.monitoring_configured ? 'yes' : 'no'}; regression prevention: ${r.regression_prevention ? 'yes' : 'no'}.</p>
${monitoringRulesHtml(r)}
<h2>Sources</h2>
<ul>${r.sources_consulted.map((s) => `<li>${esc(s)}</li>`).join('')}</ul>
<p>Data: ${esc(r.data_sources.join('; '))}</p>
</body></html>
`;
}
