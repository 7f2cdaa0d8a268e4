// All the observability skill's I/O: the target's own Prometheus (observability.prometheusUrl, its
// token resolved on the worker), asked which scrape job is the target, what that job exports, what it
// recorded over the baseline's measured window and what traffic it saw before the run.
import { ApplicationFailure } from '@temporalio/common';
import { activityContext, sleep } from '../../activity-context';
import { prometheusFor, scalarAt, type PrometheusApi, type ScrapeTarget } from '../../prometheus/client';
import { round } from '../../../common/round';
import {
  EXPORTER_METRICS,
  exportersIn,
  latencyHistograms,
  methodLabel,
  processMetrics,
  routeLabel,
  scrapeTargetsOf,
  statusCounterCandidates,
  statusLabel,
} from '../../../common/observability/detect';
import { baselineQueries, promRange, promString, seriesSelector } from '../../../common/observability/queries';
import { trafficReadEndS } from '../../../common/observability/traffic';
import type { SkillRequest } from '../../../common/stages';
import type { ActivityDeps } from '../../deps';
import type { Collected } from '../skill';
import type { ObservabilityEvidence, TargetMetrics, TrafficReading, WindowReading } from './findings';
import type { ObservabilityOptions } from './options';
import { makeAlertRules, makeDashboard, sloSourceOf } from './alert-rules';
import { readExporters } from './read-exporters';
import { makeCollectorConfig } from './collector-config';

/** Assumed when Prometheus does not say (its default scrape interval). */
const DEFAULT_SCRAPE_INTERVAL_S = 15;

/** The attempt after which a Prometheus that does not answer is reported instead of retried (analysis.ts allows 3). */
export const LAST_ATTEMPT = 3;

export async function collectObservability(
  deps: ActivityDeps,
  req: SkillRequest,
  o: ObservabilityOptions,
  attempt = activityContext()?.info.attempt ?? LAST_ATTEMPT,
): Promise<Collected<ObservabilityEvidence>> {
  const api = prometheusFor(req.target, deps);
  try {
    return await readPrometheus(deps, api, req, o);
  } catch (err) {
    // A monitoring system that is down (at the last attempt) or refuses the worker (a token, a query: final) must not
    // cost the run its other findings: said as a finding, not thrown.
    const down = err instanceof ApplicationFailure && err.type === 'PrometheusUnavailable' && attempt >= LAST_ATTEMPT;
    const refused = err instanceof ApplicationFailure && err.type === 'PrometheusRefused';
    if (!down && !refused) throw err;
    const evidence = emptyEvidence(api.baseUrl, req);
    return { evidence: { ...evidence, unreachable: err.message }, notes: [] };
  }
}

/** The host and port of http.baseUrl, as scrape targets name them. */
function addressOf({ target }: SkillRequest): { host: string; port: number } {
  const base = new URL(target.http.baseUrl);
  return { host: base.hostname, port: Number(base.port || (base.protocol === 'https:' ? 443 : 80)) };
}

function emptyEvidence(prometheusUrl: string, req: SkillRequest): ObservabilityEvidence {
  const { host, port } = addressOf(req);
  return { prometheusUrl, targetAddress: `${host}:${port}`, scraped: [], exporters: [], metrics: null, window: null, traffic: null };
}

async function readPrometheus(
  deps: ActivityDeps,
  api: PrometheusApi,
  req: SkillRequest,
  o: ObservabilityOptions,
): Promise<Collected<ObservabilityEvidence>> {
  const { host, port } = addressOf(req);
  const notes: string[] = [];
  const mine = scrapeTargetsOf(await api.targets(), host, port) as ScrapeTarget[];
  const exporterNames = await api.metricNames(`{__name__=~${promString(Object.values(EXPORTER_METRICS).join('|'))}}`);
  const evidence: ObservabilityEvidence = {
    ...emptyEvidence(api.baseUrl, req),
    scraped: mine.map(({ job, instance, health, lastError }) => ({ job, instance, health, lastError })),
    exporters: exportersIn(exporterNames),
  };
  const up = mine.find((t) => t.health === 'up');
  if (!up) return { evidence, notes };
  if (up.scrapeIntervalSeconds === null)
    notes.push(`Prometheus does not report the scrape interval of job ${up.job}; ${DEFAULT_SCRAPE_INTERVAL_S} s assumed`);
  evidence.metrics = await readTargetMetrics(api, up);
  if (!evidence.metrics.histogram) return { evidence, notes };
  const job: JobReading = { deps, api, req, m: evidence.metrics, instance: up.instance, o, notes };
  evidence.window = await readWindow(job);
  evidence.traffic = await readTraffic(job);
  const source = sloSourceOf(req, evidence, o)!;
  // What is made for the target is a bonus of the reading: promtool missing or slow is a note, not a failed analysis.
  const made = async <T>(what: string, make: () => Promise<T>): Promise<T | null> =>
    make().catch((err: unknown) => (notes.push(`${what} not made: ${(err as Error).message}`), null));
  evidence.alertRules = await made('the alert rules were', () => makeAlertRules(deps, req, source));
  const database = evidence.window?.exporters?.postgres?.datname ?? null;
  evidence.dashboard = await made('the Grafana dashboard was', () => makeDashboard(deps, req, source, evidence.exporters, database));
  evidence.collectorConfig = await made('the OpenTelemetry Collector config was', () => makeCollectorConfig(deps, req));
  return { evidence, notes };
}

/** A request counter with a status label and the histogram's route label (so the same routes are left out), or null. */
async function findStatusCounter(api: PrometheusApi, names: string[], jobSel: string, route: string | null) {
  for (const metric of statusCounterCandidates(names).slice(0, 4)) {
    const labels = await api.labelNames(`${metric}${jobSel}`);
    const label = statusLabel(labels);
    if (label && routeLabel(labels) === route) return { metric, label };
  }
  return null;
}

async function readTargetMetrics(api: PrometheusApi, up: ScrapeTarget): Promise<TargetMetrics> {
  const jobSel = `{${seriesSelector({ job: up.job, instance: up.instance, route: null })}}`;
  const names = await api.metricNames(jobSel);
  const candidates = latencyHistograms(names);
  const { cpu, rss } = processMetrics(names);
  // Of the first few candidates, the one labelled by route (a per-route histogram beats an unlabelled total).
  const labelled = await Promise.all(
    candidates.slice(0, 4).map(async (h) => ({ h, labels: await api.labelNames(`${h.base}_count${jobSel}`) })),
  );
  const chosen = labelled.find((c) => routeLabel(c.labels)) ?? labelled[0];
  const histogram = chosen?.h ?? null;
  const labels = chosen?.labels ?? [];
  const metrics: TargetMetrics = {
    job: up.job,
    scrapeIntervalSeconds: up.scrapeIntervalSeconds ?? DEFAULT_SCRAPE_INTERVAL_S,
    histogram,
    labels: { status: null, route: null, method: null },
    buckets: [],
    processCpuMetric: cpu,
    processRssMetric: rss,
  };
  if (!histogram) return metrics;
  metrics.labels = { status: statusLabel(labels), route: routeLabel(labels), method: methodLabel(labels) };
  if (!metrics.labels.status) metrics.statusCounter = await findStatusCounter(api, names, jobSel, metrics.labels.route);
  const les = await api.query(`count by (le) (${histogram.base}_bucket${jobSel})`);
  metrics.buckets = les
    .map((s) => ({ le: s.labels.le, ms: Number(s.labels.le) * 1000 * histogram.secondsPerUnit }))
    .filter((b) => Number.isFinite(b.ms))
    .sort((a, b) => a.ms - b.ms);
  return metrics;
}

const valueOf = scalarAt;

/** What the readings of the target's job share: the API, the request, the job's metrics and instance, the options, the notes. */
interface JobReading {
  deps: ActivityDeps;
  api: PrometheusApi;
  req: SkillRequest;
  m: TargetMetrics;
  instance: string;
  o: ObservabilityOptions;
  notes: string[];
}

async function readWindow({ deps, api, req, m, instance, o, notes }: JobReading): Promise<WindowReading | null> {
  const { profiling } = req;
  const b = profiling.baseline;
  if (!b.window) {
    notes.push('the baseline recorded no wall-clock window (recorded before windows existed): Prometheus not read for it');
    return null;
  }
  const fromS = b.window.measuredFromMs / 1000;
  const toS = b.window.endMs / 1000;
  const seconds = toS - fromS;
  const needed = o.minScrapesInWindow * m.scrapeIntervalSeconds;
  const { rateComparable, rangeSeconds, atS } = promRange(fromS, toS, needed);
  const waitMs = (atS + m.scrapeIntervalSeconds + 1) * 1000 - Date.now();
  if (waitMs > 0) await sleep(Math.min(waitMs, o.maxWaitForScrapeSeconds * 1000), activityContext()?.cancellationSignal);
  if (!rateComparable)
    notes.push(
      `the baseline's ${round(seconds, 1)} s hold fewer than ${o.minScrapesInWindow} scrapes of job ${m.job} (every ${m.scrapeIntervalSeconds} s): ` +
        `latencies read over ${rangeSeconds} s around it, rates not compared (a longer load.durationSeconds compares them)`,
    );
  const queriesOver = (windowSeconds: number) =>
    baselineQueries({
      histogram: m.histogram!,
      job: m.job,
      instance,
      status: m.labels.status,
      route: m.labels.route,
      statusCounter: m.statusCounter ?? null,
      windowSeconds,
      excludeRoutes: o.excludeRoutes,
    });
  const queries = queriesOver(rangeSeconds);
  const jobSel = `{${seriesSelector({ job: m.job, instance, route: null })}}`;
  const r = `${rangeSeconds}s`;
  const upSel = `up${jobSel}`;
  const [p95Ms, p99Ms, rps, errorRatio, cpu, rss, scrapes, goodScrapes, resets] = await Promise.all([
    valueOf(api, queries.p95Ms, atS),
    valueOf(api, queries.p99Ms, atS),
    valueOf(api, rateComparable ? queries.rps : null, atS),
    valueOf(api, rateComparable ? queries.errorRatio : null, atS),
    valueOf(api, m.processCpuMetric && `sum(rate(${m.processCpuMetric}${jobSel}[${r}])) * 100`, atS),
    valueOf(api, m.processRssMetric && `max(max_over_time(${m.processRssMetric}${jobSel}[${r}])) / 1048576`, atS),
    valueOf(api, `sum(count_over_time(${upSel}[${r}]))`, atS),
    valueOf(api, `sum(sum_over_time(${upSel}[${r}]))`, atS),
    valueOf(api, `sum(resets(${m.histogram!.base}_count${jobSel}[${r}]))`, atS),
  ]);
  const p = profiling.process;
  // The exporters over the window the profiler's snapshots cover, warm-up included (a cold cache misses there).
  const whole = promRange(b.window.startMs / 1000, toS, needed);
  const exporters = await readExporters(
    deps,
    req.target,
    profiling,
    { api, ...whole, rpsExpr: queriesOver(whole.rangeSeconds).rps },
    notes,
  );
  return {
    fromS,
    toS,
    rangeSeconds,
    rateComparable,
    prometheus: { p95Ms, p99Ms, rps, errorRatePct: errorRatio === null ? null : 100 * errorRatio, cpuPct: cpu, rssMb: rss },
    loadTest: { p95Ms: b.latencyMs.p95, p99Ms: b.latencyMs.p99, rps: b.throughputRps, errorRatePct: b.errorRatePct },
    profiler: { cpuPct: p?.cpuPctAvg ?? null, rssMb: p?.rssMbMax ?? null },
    queries,
    exporters,
    health: { scrapes, failedScrapes: scrapes === null || goodScrapes === null ? null : scrapes - goodScrapes, counterResets: resets },
  };
}

async function readTraffic({ api, req, m, instance, o, notes }: JobReading): Promise<TrafficReading | null> {
  const { profiling } = req;
  if (!m.labels.route) return null; // said by the analysis
  // Just before the run's first load (its warm-up), so the run's own requests are not counted.
  const atS = trafficReadEndS(profiling.baseline.window, Date.now());
  if ((profiling.baseline.window?.attempt ?? 1) > 1)
    notes.push(
      `the baseline was measured ${profiling.baseline.window!.attempt} times: the traffic before the run is read up to the first attempt's estimated start`,
    );
  const r = `${Math.round(o.trafficLookbackHours * 3600)}s`;
  const sel = `{${seriesSelector({ job: m.job, instance, route: m.labels.route, excludeRoutes: o.excludeRoutes })}}`;
  const by = [m.labels.route, ...(m.labels.method ? [m.labels.method] : [])].join(', ');
  const [increases, scrapes] = await Promise.all([
    api.query(`sum by (${by}) (increase(${m.histogram!.base}_count${sel}[${r}]))`, atS),
    valueOf(api, `max(count_over_time(up{${seriesSelector({ job: m.job, instance, route: null })}}[${r}]))`, atS),
  ]);
  const coveredSeconds = (scrapes ?? 0) * m.scrapeIntervalSeconds;
  return {
    lookbackHours: o.trafficLookbackHours,
    coveredSeconds,
    atS,
    routes: increases
      .filter((s) => Number.isFinite(s.value) && s.value > 0 && coveredSeconds > 0)
      .map((s) => ({
        route: s.labels[m.labels.route!] ?? '',
        method: m.labels.method ? (s.labels[m.labels.method] ?? null) : null,
        rps: s.value / coveredSeconds,
      })),
  };
}
