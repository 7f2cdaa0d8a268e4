// The HTML report's load scenarios beyond before/after: every scenario side by side, the 2x peak, the
// stress curve with its breaking point and the SLO, and the soak over time with its memory figures.
import type { OutputContract } from '../common/output-contract';
import { round } from '../common/round';
import { scenarioBars } from './charts/bar-chart';
import { esc, lineChart } from './charts/line-chart';

type Summary = OutputContract['validation_results']['improvement_summary'];
const n = (x: number | null | undefined, digits = 1) => (x == null ? '-' : String(round(x, digits)));
const table = (head: string[], body: string[][]) =>
  `<table><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>` +
  body.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('') +
  '</table>';

/** p95 and throughput of each scenario that ran, side by side, against the targets. */
function overview(r: OutputContract): string {
  const s = r.validation_results.improvement_summary;
  const after = (m: string) => s.comparison.find((c) => c.metric === m)?.after;
  const p95 = [{ name: 'baseline', value: r.baseline_metrics.latency_p95_ms }];
  const rps = [{ name: 'baseline', value: r.baseline_metrics.throughput_rps }];
  const a95 = after('p95Ms');
  const aRps = after('throughputRps');
  if (a95 !== undefined) p95.push({ name: 'after', value: a95 });
  if (aRps !== undefined) rps.push({ name: 'after', value: aRps });
  if (s.peak) {
    p95.push({ name: `peak (${s.peak.concurrency} VUs)`, value: s.peak.p95_ms });
    rps.push({ name: `peak (${s.peak.concurrency} VUs)`, value: s.peak.throughput_rps });
  }
  if (s.stress_breaking_point) rps.push({ name: 'stress max in SLO', value: s.stress_breaking_point.throughput_rps });
  if (s.soak) p95.push({ name: 'soak', value: s.soak.p95_ms });
  const t = r.performance_targets;
  return (
    scenarioBars('p95 latency (ms) by scenario', p95, t.latency_p95_ms) +
    scenarioBars('throughput (req/s) by scenario', rps, t.throughput_rps)
  );
}

function peakHtml(s: Summary, r: OutputContract): string {
  if (!s.peak) return '';
  const p = s.peak;
  const t = r.performance_targets;
  return (
    `<h3>Peak (2x the load)</h3>` +
    table(
      ['concurrency', 'p95 ms', 'req/s', 'errors %'],
      [
        [
          String(p.concurrency),
          `${n(p.p95_ms)} (target ${t.latency_p95_ms})`,
          n(p.throughput_rps),
          `${n(p.error_rate_pct, 3)} (target ${t.error_rate_percent})`,
        ],
      ],
    )
  );
}

/** The stress curve: offered vs achieved throughput and p99 per step, the breaking point and the SLO. */
export function stressHtml(s: Summary, r: OutputContract): string {
  const steps = s.stress_steps ?? [];
  const bp = s.stress_breaking_point;
  if (steps.length === 0 && !bp)
    return r.validation_results.load_tests_run.includes('stress') ? '<h3>Stress</h3><p>No step figures recorded.</p>' : '';
  const rate = (x: { rate_rps?: number | null; throughput_rps: number }) => x.rate_rps ?? x.throughput_rps;
  const marker = bp ? { x: rate(bp), label: `breaking point ${n(rate(bp))} req/s` } : undefined;
  const bpText = bp
    ? `<p class="breaking-point">Breaking point: ${esc(n(rate(bp)))} req/s offered, ${esc(n(bp.throughput_rps))} req/s achieved ` +
      `at p99 ${esc(n(bp.p99_ms))} ms (${bp.concurrency} connections)` +
      `${bp.next_step_failure ? `; the next step missed the SLO: ${esc(bp.next_step_failure)}` : ''}.</p>`
    : '<p class="breaking-point">No breaking point: even the first step missed the SLO.</p>';
  if (steps.length === 0) return `<h3>Stress</h3>${bpText}`;
  const pts = (y: (st: (typeof steps)[number]) => number) => steps.map((st) => ({ x: rate(st), y: y(st), miss: !st.within_slo }));
  const rateLabel = 'offered rate (req/s)';
  const throughput = lineChart({
    title: 'Stress: achieved vs offered throughput',
    xLabel: rateLabel,
    yLabel: 'req/s',
    series: [
      { name: 'offered', cls: 'offered', points: pts(rate) },
      { name: 'achieved', cls: 'achieved', points: pts((st) => st.throughput_rps) },
    ],
    hLines: [{ y: r.performance_targets.throughput_rps, label: 'throughput target', cls: 'slo' }],
    marker,
  });
  const p99 = lineChart({
    title: 'Stress: p99 latency per step',
    xLabel: rateLabel,
    yLabel: 'p99 ms',
    series: [{ name: 'p99', cls: 'p99', points: pts((st) => st.p99_ms) }],
    hLines: [{ y: r.performance_targets.latency_p99_ms, label: `SLO p99 ${r.performance_targets.latency_p99_ms} ms`, cls: 'slo' }],
    marker,
  });
  const rows = steps.map((st) => [
    n(st.rate_rps),
    n(st.throughput_rps),
    n(st.p99_ms),
    n(st.failed_pct ?? st.error_rate_pct, 3),
    String(st.concurrency),
    st.within_slo ? 'yes' : `no: ${st.reason ?? ''}`,
  ]);
  return `<h3>Stress (open model, rising rate until a step misses the SLO)</h3>${bpText}${throughput}${p99}${table(
    ['offered req/s', 'achieved req/s', 'p99 ms', 'failed %', 'connections', 'within SLO'],
    rows,
  )}<p>Hollow points: steps that missed the SLO.</p>`;
}

/** The soak: p95 over time when the series is there, memory slope, drift and flags. */
export function soakHtml(s: Summary, r: OutputContract): string {
  const k = s.soak;
  if (!k) return '';
  const series = k.p95_series_ms ?? [];
  const dt = k.series_interval_s ?? 1;
  const chart = series.length
    ? lineChart({
        title: 'Soak: p95 latency over time',
        xLabel: 'seconds into the soak',
        yLabel: 'p95 ms',
        series: [{ name: 'p95', cls: 'p95', points: series.map((y, i) => ({ x: round(i * dt, 1), y })) }],
        hLines: [{ y: r.performance_targets.latency_p95_ms, label: `target p95 ${r.performance_targets.latency_p95_ms} ms`, cls: 'slo' }],
      })
    : '<p>No per-second series in this result.</p>';
  const flags = k.flags?.length
    ? `<ul class="failed">${k.flags.map((f) => `<li>${esc(f)}</li>`).join('')}</ul>`
    : '<p>No leak or drift flagged.</p>';
  return (
    `<h3 id="soak">Soak (${esc(n(k.duration_s, 0))} s at the baseline load)</h3>` +
    table(
      ['p95 ms', 'p95 drift (last vs first third) %', 'RSS max MB', 'RSS slope MB/min', 'leak suspected'],
      [[n(k.p95_ms), n(k.p95_drift_pct), n(k.rss_mb_max), n(k.rss_slope_mb_per_min, 3), k.leak_suspected ? 'yes' : 'no']],
    ) +
    chart +
    flags
  );
}

export function loadScenariosHtml(r: OutputContract): string {
  const s = r.validation_results.improvement_summary;
  const body = [peakHtml(s, r), stressHtml(s, r), soakHtml(s, r)].filter(Boolean).join('\n');
  if (!body) return '';
  return `<h2>Load scenarios</h2>\n<p>Tests run: ${esc(r.validation_results.load_tests_run.join(', '))}.</p>\n${overview(r)}\n${body}`;
}
