// perf-orch trend as a self-contained HTML page: p95/p99, throughput and error rate over time as
// inline SVG (client/charts, no scripts, no CDN), the runs that changed something as vertical markers. Pure.
import { timeUnit, type Trend, type TrendPoint } from '../common/gate/trend';
import { round } from '../common/round';
import { esc, lineChart, type ChartSeries } from './charts/line-chart';
import { when } from './trend-text';

const STYLE = `body{font:14px system-ui,sans-serif;margin:2em;max-width:70em;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}
figure{display:inline-block;margin:0 2em 1em 0}figcaption{font-weight:600}text{font-size:12px}
polyline{fill:none;stroke-width:2}polyline.p95{stroke:#36c}polyline.p99{stroke:#c55}polyline.rps{stroke:#3a7}polyline.err{stroke:#a5a}
circle{fill:currentColor}circle.p95{color:#36c}circle.p99{color:#c55}circle.rps{color:#3a7}circle.err{color:#a5a}circle.miss{fill:#fff;stroke:#c55}
line.marker{stroke:#e90}text.marker{fill:#e90}line.grid{stroke:#eee}line.axis{stroke:#555}
.legend span{margin-right:1em}.legend .p95{color:#36c}.legend .p99{color:#c55}.legend .rps{color:#3a7}.legend .err{color:#a5a}
.fail{color:#c55}.warn{color:#e90}`;

/** The page; `generatedAt` is written in it (ISO 8601). */
export function trendHtml(target: string, t: Trend, generatedAt: string): string {
  const body =
    t.points.length === 0 ? `<p>No finished runs or checks of ${esc(target)} in the store.</p>` : charts(t) + markerList(t) + pointTable(t);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>perf-orch trend: ${esc(target)}</title>
<style>${STYLE}</style></head><body>
<h1>Trend of ${esc(target)}</h1>
<p>${t.points.length} point(s) from ${t.points.length ? `${esc(when(t.points[0].at))} to ${esc(when(t.points[t.points.length - 1].at))} UTC` : '-'};
generated ${esc(generatedAt)}. Runs give two points (their baseline window at the start, their after window at the end); checks one.
Hollow points: checks that failed. Orange lines: runs that applied or rolled back changes (listed below the charts).</p>
${body}
</body></html>
`;
}

function charts(t: Trend): string {
  const t0 = Date.parse(t.points[0].at);
  const unit = timeUnit(Date.parse(t.points[t.points.length - 1].at) - t0);
  const xOf = (iso: string) => round((Date.parse(iso) - t0) / unit.ms, 3);
  const series = (name: string, cls: string, y: (p: TrendPoint) => number): ChartSeries => ({
    name,
    cls,
    points: t.points.map((p) => ({ x: xOf(p.at), y: y(p), miss: p.verdict === 'fail' })),
  });
  const markers = t.markers.map((m, i) => ({ x: xOf(m.at), label: `#${i + 1}` }));
  const xLabel = `${unit.name} since ${when(t.points[0].at)} UTC`;
  return (
    lineChart({
      title: 'Latency p95 and p99',
      xLabel,
      yLabel: 'ms',
      series: [series('p95', 'p95', (p) => p.p95Ms), series('p99', 'p99', (p) => p.p99Ms)],
      markers,
    }) +
    lineChart({ title: 'Throughput', xLabel, yLabel: 'req/s', series: [series('throughput', 'rps', (p) => p.throughputRps)], markers }) +
    lineChart({ title: 'Error rate', xLabel, yLabel: '%', series: [series('errors', 'err', (p) => p.errorRatePct)], markers })
  );
}

function markerList(t: Trend): string {
  if (t.markers.length === 0) return '<p>No run applied or rolled back a change in this span.</p>';
  const items = t.markers.map((m, i) => {
    const lines = [...m.applied.map((a) => `applied: ${a}`), ...m.rolledBack.map((r) => `rolled back: ${r}`)];
    return `<li><b>#${i + 1}</b> ${esc(when(m.at))} ${esc(m.ref)} (${esc(m.outcome)})<ul>${lines.map((l) => `<li>${esc(l)}</li>`).join('')}</ul></li>`;
  });
  return `<h2>Changes</h2><ol class="markers">${items.join('')}</ol>`;
}

function pointTable(t: Trend): string {
  const head = ['time (UTC)', 'kind', 'window', 'p95 ms', 'p99 ms', 'req/s', 'errors %', 'verdict/outcome', 'workflow/run'];
  const rows = t.points.map((p) => {
    const cells = [when(p.at), p.kind, p.window, round(p.p95Ms, 1), round(p.p99Ms, 1), round(p.throughputRps, 1), round(p.errorRatePct, 2)];
    return `<tr>${cells.map((c) => `<td>${esc(c)}</td>`).join('')}<td class="${esc(p.verdict)}">${esc(p.verdict)}</td><td>${esc(p.ref)}</td></tr>`;
  });
  return `<h2>Points</h2><table><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>${rows.join('')}</table>`;
}
