// The observability skill's decision rules (pure): the monitoring the target lacks (findings), where
// its own Prometheus and the load test disagree about the baseline, and the traffic it saw before the
// run as a load profile (notes). Unit-tested in test/unit/observability-skill.test.ts.
import type { Layer, TargetProfile } from '../../../common/profile';
import { round } from '../../../common/round';
import { effortDays, type EffortKind } from '../../../common/rules/effort';
import { compareSources, bucketOf } from '../../../common/observability/compare';
import type { Exporter } from '../../../common/observability/detect';
import { trafficMix } from '../../../common/observability/traffic';
import { compareExporters, type ExporterReading } from '../../../common/observability/exporters';
import type { Finding } from '../../../common/types';
import type { SkillAnalysis } from '../skill';
import { SOURCE, type AlertRulesEvidence, type ObservabilityEvidence, type TrafficReading, type WindowReading } from './findings';
import type { ObservabilityOptions } from './options';

function gap(
  id: string,
  layer: Layer,
  title: string,
  evidence: string[],
  steps: string[],
  effort: EffortKind,
  rollback: string,
  action: Finding['action'] = { type: 'manual', steps },
): Finding {
  return {
    id: `observability-${id}`,
    layer,
    rootCause: 'monitoring_gap',
    title,
    evidence,
    // Monitoring makes nothing faster; it is what keeps the gains.
    estimatedLatencyReductionMs: 0,
    effortDays: effortDays(effort),
    risk: 'low',
    action,
    rollback,
    source: SOURCE,
  };
}

function targetFindings(e: ObservabilityEvidence, target: TargetProfile): Finding[] {
  const where = `Prometheus at ${e.prometheusUrl}`;
  if (e.unreachable) {
    return [
      gap(
        'unreachable',
        'application',
        `${where} could not be read: ${target.name}'s monitoring is unknown`,
        [e.unreachable],
        [`Check that Prometheus runs and that the worker reaches ${e.prometheusUrl} (GET /-/ready answers 200)`],
        'scrape_config',
        'nothing to undo',
      ),
    ];
  }
  if (e.scraped.length === 0) {
    return [
      gap(
        'not-scraped',
        'application',
        `${where} does not scrape ${target.name} (${e.targetAddress})`,
        [`none of the scrape targets of ${where} has the address ${e.targetAddress} of http.baseUrl`],
        [
          `Add a scrape job to prometheus.yml: - { job_name: ${target.name}, static_configs: [{ targets: ['${e.targetAddress}'] }] }`,
          'Reload Prometheus (POST /-/reload with --web.enable-lifecycle, or SIGHUP) and check the target is up under Status > Targets',
          'If the service serves no /metrics, instrument it first (see the latency histogram finding of a scraped target)',
        ],
        'scrape_config',
        'remove the scrape job and reload Prometheus',
      ),
    ];
  }
  const up = e.scraped.filter((t) => t.health === 'up');
  if (up.length === 0) {
    return [
      gap(
        'scrape-down',
        'application',
        `${where} cannot scrape ${target.name}`,
        e.scraped.map((t) => `job ${t.job}, instance ${t.instance}: ${t.health}${t.lastError ? ` (${t.lastError})` : ''}`),
        ['Fix what the scrape error names (path, port, TLS, authentication), then check the target is up under Status > Targets'],
        'scrape_config',
        'revert the scrape configuration change',
      ),
    ];
  }
  if (e.metrics && !e.metrics.histogram) {
    return [
      gap(
        'no-latency-histogram',
        'application',
        `${target.name} exports no request-latency histogram (job ${e.metrics.job})`,
        [
          `no metric of job ${e.metrics.job} is a histogram named *_duration_*, *_latency_* or *_response_time_* ` +
            'with a unit word (_seconds, _milliseconds, _ms)',
        ],
        [
          'Time every request in a histogram labelled by route pattern (never the raw path), method and status: ' +
            'prom-client (Node.js), prometheus_client (Python), Micrometer (Java), promhttp (Go)',
          'Choose bucket edges around the SLO targets (e.g. both sides of the p95 target) so their quantiles are precise',
          'Deploy, then check <name>_bucket series appear in Prometheus',
        ],
        'instrumentation',
        'remove the instrumentation middleware',
      ),
    ];
  }
  return [];
}

const EXPORTER_FOR: { exporter: Exporter; layer: Layer; needed: (t: TargetProfile) => boolean; project: string }[] = [
  { exporter: 'postgres', layer: 'database', needed: (t) => !!t.database, project: 'prometheus-community/postgres_exporter' },
  { exporter: 'redis', layer: 'caching', needed: (t) => !!t.redis, project: 'oliver006/redis_exporter' },
  { exporter: 'node', layer: 'infrastructure', needed: () => true, project: 'prometheus/node_exporter' },
];

function exporterFindings(e: ObservabilityEvidence, target: TargetProfile): Finding[] {
  return EXPORTER_FOR.filter((x) => x.needed(target) && !e.exporters.includes(x.exporter)).map((x) =>
    gap(
      `no-${x.exporter}-exporter`,
      x.layer,
      `Prometheus scrapes no ${x.exporter} exporter: the ${x.layer} layer of ${target.name} is not monitored`,
      [`no series of ${x.exporter === 'node' ? 'node_cpu_seconds_total' : `${x.exporter}_up`} in Prometheus at ${e.prometheusUrl}`],
      [`Run ${x.project} beside the ${x.layer} layer and add it as a scrape job; reload Prometheus`],
      'scrape_config',
      `stop the exporter and remove its scrape job`,
    ),
  );
}

const fmt = (figure: string, v: number): string =>
  figure === 'rps' ? `${round(v, 1)} req/s` : figure === 'errorRatePct' ? `${round(v, 2)}%` : `${round(v, 1)} ms`;

/** What makes Prometheus's reading of the window untrustworthy: failed scrapes, a request counter that went back. */
function healthNotes(w: WindowReading, job: string): string[] {
  const h = w.health;
  const notes: string[] = [];
  if (h?.failedScrapes)
    notes.push(
      `${h.failedScrapes} of ${h.scrapes} scrapes of job ${job} failed in the window (a service too busy to answer /metrics in time?): ` +
        "Prometheus's figures have gaps there" +
        (h.failedScrapes === h.scrapes ? ', here all of them: it has no figures of the window' : ''),
    );
  if (h?.counterResets)
    notes.push(
      `the request counter of job ${job} went back ${h.counterResets} times in the window: several processes answer /metrics with ` +
        'counters of their own (e.g. gunicorn workers without a shared multiprocess directory) or the service restarted; ' +
        "Prometheus's rates and percentiles of the window are not to be trusted",
    );
  return notes;
}

function sourceNotes(w: WindowReading, edgesMs: number[], o: ObservabilityOptions): string[] {
  const disagreements = compareSources(w.loadTest, w.prometheus, edgesMs, o);
  const notes = disagreements.map((d) => {
    const bucket = d.bucketMs ? ` (its bucket ${d.bucketMs[0]}-${Number.isFinite(d.bucketMs[1]) ? d.bucketMs[1] : '+Inf'} ms)` : '';
    return `${d.figure}: load test ${fmt(d.figure, d.loadTest)}, the service's Prometheus ${fmt(d.figure, d.prometheus)}${bucket}: ${d.meaning}`;
  });
  if (disagreements.length === 0 && w.prometheus.p95Ms !== null && w.loadTest.p95Ms !== null) {
    const [lo, hi] = bucketOf(w.prometheus.p95Ms, edgesMs);
    notes.push(
      `the service's Prometheus agrees with the load test on the baseline: p95 ${fmt('p95Ms', w.loadTest.p95Ms)} ` +
        `in its bucket ${lo}-${Number.isFinite(hi) ? hi : '+Inf'} ms` +
        (w.rateComparable && w.prometheus.rps !== null ? `, ${fmt('rps', w.prometheus.rps)} within ${o.rateTolerance * 100}%` : ''),
    );
  }
  return notes;
}

const figure = (v: number | null, unit: string): string => (v === null ? '-' : `${round(v, 2)}${unit}`);

/** The exporters' reading of the window beside the profiler's, and where they disagree. */
function exporterNotes(x: ExporterReading): string[] {
  const notes: string[] = [];
  const p = x.profiler;
  if (x.postgres) {
    const pg = x.postgres;
    notes.push(
      `the database's exporter (job ${pg.job}, ${pg.instance}, database ${pg.datname}): ` +
        `DB time ${figure(pg.dbTimeMsPerSecond, ' ms/s')}, ${figure(pg.dbTimeMsPerRequest, ' ms')} per request ` +
        `(the profiler: ${figure(p.dbTimeMsPerSecond, ' ms/s')}, ${figure(p.dbTimeMsPerRequest, ' ms')}), ` +
        `${figure(pg.statementsPerSecond, ' statements/s')}, buffer hits ${figure(pg.bufferHitRatioPct, '%')}, ` +
        `up to ${figure(pg.backendsMax, '')} connections`,
    );
  }
  if (x.redis) {
    const r = x.redis;
    notes.push(
      `the cache's exporter (job ${r.job}, ${r.instance}): ` +
        `hit ratio ${figure(r.hitRatioPct, '%')} (the profiler: ${figure(p.cacheHitRatioPct, '%')}), ` +
        `${figure(r.opsPerSecond, ' commands/s')} (the profiler: ${figure(p.cacheOpsPerSecond, '')}), ` +
        `up to ${figure(r.clientsMax, '')} clients, ${figure(r.memoryMbMax, ' MB')}`,
    );
  }
  for (const d of compareExporters(x.postgres, x.redis, p))
    notes.push(`${d.figure}: the profiler ${round(d.profiler, 2)}, the exporter ${round(d.exporter, 2)}: ${d.meaning}`);
  return notes;
}

const span = (s: number): string => (s >= 3600 ? `${round(s / 3600, 1)} h` : s >= 60 ? `${round(s / 60, 0)} min` : `${round(s, 0)} s`);

function trafficNotes(t: TrafficReading, target: TargetProfile, o: ObservabilityOptions): string[] {
  // Handler names (Django's view names, say) are no paths: matching them to endpoints would say every endpoint saw 0%.
  if (t.routes.length > 0 && t.routes.every((r) => !r.route.startsWith('/'))) {
    const top = [...t.routes]
      .sort((a, b) => b.rps - a.rps)
      .slice(0, 5)
      .map((r) => `${r.route} ${round(r.rps, 3)} req/s`);
    return [
      `production traffic by handler name, not path (${top.join(', ')}): the names cannot be matched to the profile's ` +
        'endpoints by path, so no load mix is proposed; compare them with the endpoints by hand',
    ];
  }
  const mix = trafficMix(t.routes, target.http.endpoints);
  const held = `${span(t.coveredSeconds)} of data in the ${t.lookbackHours} h before the run`;
  if (mix.totalRps < o.minTrafficRps) {
    return [`the service's Prometheus saw ${round(mix.totalRps, 3)} req/s (${held}): too little traffic to propose a load profile`];
  }
  const seen = mix.endpoints.filter((e) => e.rps > 0);
  const shares = mix.endpoints.map((e) => `${e.name} ${e.sharePct}% (profile ${e.profileSharePct}%)`).join(', ');
  const notes = [`production traffic (${held}): ${round(mix.totalRps, 2)} req/s; by endpoint: ${shares}`];
  const off = mix.endpoints.filter((e) => Math.abs(e.sharePct - e.profileSharePct) > 10);
  if (off.length > 0 && seen.length > 0) {
    const weights = seen.map((e) => `${e.name}: ${Math.max(1, Math.round(e.sharePct))}`).join(', ');
    const unseen = mix.endpoints.filter((e) => e.rps === 0).map((e) => e.name);
    notes.push(
      `the profile's mix differs from production by more than 10 points for ${off.map((e) => e.name).join(', ')}: ` +
        `to load as production does, set the weights to ${weights}` +
        (unseen.length ? ` (${unseen.join(', ')} had no production traffic)` : '') +
        ` and load.rateRps to ${round(mix.totalRps, 1)} with the open model`,
    );
  }
  if (mix.unmatched.length > 0) {
    const top = mix.unmatched.slice(0, 5).map((r) => `${r.method ? `${r.method} ` : ''}${r.route} ${round(r.rps, 3)} req/s`);
    notes.push(`routes with production traffic that no endpoint of the profile loads: ${top.join(', ')}`);
  }
  return notes;
}

/** The SLO alert rules as a plan item: installed by the tool when the profile names Prometheus's rule directory. */
function alertRulesFinding(r: AlertRulesEvidence, target: TargetProfile, notes: string[]): Finding[] {
  notes.push(...r.notes);
  if (r.slos.length === 0) return [];
  if (!r.check?.ok || !r.artifactId) {
    notes.push(`the generated alert rules did not pass promtool check rules (a bug to report): ${r.check?.output ?? 'not checked'}`);
    return [];
  }
  if (r.baselineTest && !r.baselineTest.ok) {
    notes.push(`the generated alert rules failed their promtool test on the baseline (a bug to report): ${r.baselineTest.output}`);
    return [];
  }
  const firing = r.baselineTest?.firing;
  const fired = firing?.length ? `${firing.join(', ')} fire` : 'no burn alert fires';
  const tested = !r.baselineTest
    ? 'not tested on measured behaviour (see the notes)'
    : firing === null
      ? 'promtool test rules ran on the baseline without an alert test: it sits on a threshold, too close to call'
      : `promtool test rules on the baseline's measured behaviour passed: ${fired}, as its figures say`;
  const dir = r.notInstallable === null ? target.observability?.rulesDir : undefined;
  if (r.notInstallable) notes.push(`the alert rules are a manual item: ${r.notInstallable}`);
  const action: Finding['action'] = dir
    ? { type: 'install_alert_rules', fileName: r.fileName, artifactId: r.artifactId, slos: r.slos.map((s) => s.name), rules: r.rules }
    : {
        type: 'manual',
        steps: [
          `Copy ${r.fileName} (store artifact ${r.artifactId}, kind alert-rules) into a directory of Prometheus's rule_files, ` +
            'or set observability.rulesDir and let the tool install it',
          'Reload Prometheus (POST /-/reload or SIGHUP) and check Status > Rules shows its groups healthy',
          'Route severity=page to your on-call and severity=ticket to your queue in Alertmanager',
        ],
      };
  return [
    gap(
      'alert-rules',
      'application',
      `SLO alert rules for ${target.name}: ${r.slos.map((s) => s.name).join(', ')} ` +
        `(${r.rules} rules: multiwindow burn rates${r.groups.some((g) => g.endsWith(':saturation')) ? ', saturation' : ''})`,
      [...r.slos.map((s) => `SLO ${s.name}: ${s.description}`), 'promtool check rules passed', tested],
      dir ? [] : (action as { steps: string[] }).steps,
      'scrape_config',
      dir
        ? `remove ${r.fileName} from ${dir} (or put back what it replaced) and reload Prometheus`
        : `delete ${r.fileName} and reload Prometheus`,
      action,
    ),
  ];
}

export function analyzeObservability(e: ObservabilityEvidence, o: ObservabilityOptions, target: TargetProfile): SkillAnalysis {
  if (e.unreachable) return { findings: targetFindings(e, target), notes: [] };
  const findings = [...targetFindings(e, target), ...exporterFindings(e, target)];
  const notes: string[] = [];
  const m = e.metrics;
  if (m?.histogram && !m.labels.status && m.statusCounter)
    notes.push(`${m.histogram.base} has no status label: the 5xx ratio (and the errors SLO) are read from ${m.statusCounter.metric}`);
  else if (m?.histogram && !m.labels.status && !e.alertRules)
    // with rules, their note says it
    notes.push(`${m.histogram.base} has no status label, nor a request counter with one: the error ratio cannot be read`);
  if (m?.histogram && !m.labels.route)
    notes.push(
      `${m.histogram.base} has no route label: Prometheus's own scrapes of /metrics are counted in its figures, ` +
        'and the traffic cannot be told apart by endpoint',
    );
  if (e.window && m) notes.push(...healthNotes(e.window, m.job));
  if (m?.histogram && !m.processCpuMetric && !m.processRssMetric)
    notes.push(
      `job ${m.job} exports no process_cpu_seconds_total or process_resident_memory_bytes (prometheus_client in multiprocess ` +
        "mode exports none): the service's CPU and memory come from the profiler's /proc samples only",
    );
  if (e.window)
    notes.push(
      ...sourceNotes(
        e.window,
        (e.metrics?.buckets ?? []).map((b) => b.ms),
        o,
      ),
    );
  if (e.window?.exporters) notes.push(...exporterNotes(e.window.exporters));
  if (e.traffic) notes.push(...trafficNotes(e.traffic, target, o));
  if (e.alertRules) findings.push(...alertRulesFinding(e.alertRules, target, notes));
  if (e.collectorConfig)
    notes.push(...e.collectorConfig.notes.map((n) => `OpenTelemetry Collector config (${e.collectorConfig!.fileName}): ${n}`));
  return { findings, notes };
}
