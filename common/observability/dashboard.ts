// A Grafana dashboard of the target (pure), built with Grafana's typed builders (the Foundation SDK:
// the JSON model Grafana imports): latency percentiles against the p95 target, throughput, the 5xx
// ratio, the SLO budgets' burn (the recording rules' ratios), saturation (the process's CPU and
// memory, the host's CPUs), the DB time per request when a postgres exporter reads the target's
// database's pg_stat_statements, and the cache hit ratio when a Redis exporter is scraped. Every panel reads
// a Prometheus chosen on import (the datasource variable); every expression is PromQL the target's
// own metrics answer (test/integration/dashboard.test.ts asks a real Prometheus each one).
import {
  DashboardBuilder,
  DatasourceVariableBuilder,
  RowBuilder,
  ThresholdsConfigBuilder,
  ThresholdsMode,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import { errorRatioOf, promString, seriesSelector } from './queries';
import { ERROR_RATIO_RECORD, statusCountOf, type Slo, type SloSource } from './slo-rules';

export interface DashboardExtras {
  p95TargetMs: number;
  redisExporter: boolean;
  /** The target's database, when a postgres exporter with pg_stat_statements watches it: the DB-time panel. */
  database?: string | null;
}

const DS = { type: 'prometheus', uid: '${datasource}' };

function panel(title: string, unit: string, queries: [string, string][]): PanelBuilder {
  const p = new PanelBuilder().title(title).unit(unit).datasource(DS).height(8).span(12);
  for (const [expr, legend] of queries) p.withTarget(new DataqueryBuilder().expr(expr).legendFormat(legend).datasource(DS));
  return p;
}

/** The dashboard's PromQL, by panel (what the test asks Prometheus). */
export function dashboardQueries(
  s: SloSource,
  slos: readonly Slo[],
  x: DashboardExtras,
): { title: string; unit: string; queries: [string, string][] }[] {
  const job = `job=${promString(s.job)}`;
  const sel = `{${seriesSelector({ job: s.job, route: s.routeLabel, excludeRoutes: s.excludeRoutes })}}`;
  const ms = 1000 * s.histogram.secondsPerUnit;
  const r = '[$__rate_interval]';
  const q = (p: number): [string, string] => [
    `histogram_quantile(${p}, sum by (le) (rate(${s.histogram.base}_bucket${sel}${r}))) * ${ms}`,
    `p${Math.round(p * 100)}`,
  ];
  const count = `${s.histogram.base}_count`;
  const out = [
    { title: `Latency (p95 target ${x.p95TargetMs} ms)`, unit: 'ms', queries: [q(0.5), q(0.95), q(0.99)] },
    { title: 'Throughput', unit: 'reqps', queries: [[`sum(rate(${count}${sel}${r}))`, 'requests/s'] as [string, string]] },
  ];
  const errors = errorRatioOf(statusCountOf(s), sel.slice(1, -1), '$__rate_interval');
  if (errors) out.push({ title: 'Errors (5xx share)', unit: 'percentunit', queries: [[errors, '5xx']] });
  if (slos.length) {
    const burn = slos.map((slo): [string, string] => [
      `${ERROR_RATIO_RECORD}1h{service=${promString(s.service)},slo=${promString(slo.name)}} / ${Number((1 - slo.objective).toFixed(6))}`,
      `${slo.name} (1h)`,
    ]);
    out.push({ title: 'SLO budget burn rate (1 = spent in exactly 30 days; alerts from the rule file)', unit: 'none', queries: burn });
  }
  const saturation: [string, string][] = [];
  if (s.processCpuMetric) saturation.push([`sum(rate(${s.processCpuMetric}{${job}}${r}))`, 'process CPU (cores)']);
  if (s.nodeExporter) saturation.push([`1 - avg(rate(node_cpu_seconds_total{mode="idle"}${r}))`, 'host CPU busy (share)']);
  if (saturation.length) out.push({ title: 'Saturation', unit: 'none', queries: saturation });
  if (x.database) {
    const dbSeconds = `sum(rate(pg_stat_statements_seconds_total{datname=${promString(x.database)}}${r}))`;
    out.push({
      title: 'DB time per request (pg_stat_statements)',
      unit: 'ms',
      queries: [[`${dbSeconds} / sum(rate(${count}${sel}${r})) * 1000`, x.database]],
    });
  }
  if (x.redisExporter) {
    const hits = `sum(rate(redis_keyspace_hits_total${r}))`;
    out.push({
      title: 'Cache hit ratio',
      unit: 'percentunit',
      queries: [[`${hits} / (${hits} + sum(rate(redis_keyspace_misses_total${r})))`, 'hits']],
    });
  }
  return out;
}

export function dashboardFor(s: SloSource, slos: readonly Slo[], x: DashboardExtras): object {
  const d = new DashboardBuilder(`${s.service}: performance (perf-orchestrator)`)
    .uid(`perf-orchestrator-${s.service}`.slice(0, 40))
    .tags(['perf-orchestrator', s.service])
    .refresh('30s')
    .time({ from: 'now-6h', to: 'now' })
    .timezone('browser')
    .withVariable(new DatasourceVariableBuilder('datasource').label('Prometheus').type('prometheus'))
    .withRow(new RowBuilder(`${s.service} (job ${s.job})`));
  for (const p of dashboardQueries(s, slos, x)) {
    const b = panel(p.title, p.unit, p.queries);
    if (p.title.startsWith('Latency')) {
      b.thresholds(
        new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps([
          { value: null, color: 'green' },
          { value: x.p95TargetMs, color: 'red' },
        ]),
      );
    }
    d.withPanel(b);
  }
  return d.build();
}
