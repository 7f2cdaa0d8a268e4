// Prometheus rules for the profile's SLO targets (pure): per SLO a recording rule of its error ratio
// over each window the alerts need, multiwindow multi-burn-rate alerts (the Google SRE workbook's
// table for a 30-day budget: 14.4x over 1h and 5m, 6x over 6h and 30m page; 3x over 1d and 2h, 1x over
// 3d and 6h open a ticket), and saturation alerts for the process and the host when their metrics are
// there. Latency SLOs count the requests above a bucket edge of the service's own histogram: the
// target's edge, or the nearest edge below it (stricter), said in a note. Names follow Pyrra's and
// Sloth's: one alert per window pair, labelled with its severity and windows.
import { errorRatioOf, promString, seriesSelector } from './queries';
import type { LatencyHistogram } from './detect';

export interface StatusCounter {
  metric: string;
  label: string;
}

/** Where requests are counted by status: the histogram's _count with its status label, or a counter of their own. */
export function statusCountOf(s: Pick<SloSource, 'histogram' | 'statusLabel' | 'statusCounter'>): StatusCounter | null {
  if (s.statusLabel) return { metric: `${s.histogram.base}_count`, label: s.statusLabel };
  return s.statusCounter ?? null;
}

export interface SloSource {
  /** The profile's name: the `service` label of every rule. */
  service: string;
  job: string;
  histogram: LatencyHistogram;
  statusLabel: string | null;
  /** A request counter labelled by status, when the histogram has no status label (django-prometheus); absent: none. */
  statusCounter?: StatusCounter | null;
  routeLabel: string | null;
  excludeRoutes: readonly string[];
  /** The histogram's `le` values as the service exports them (e.g. "0.05"), with their value in ms. */
  buckets: readonly { le: string; ms: number }[];
  processCpuMetric: string | null;
  nodeExporter: boolean;
}

export interface SloTargets {
  p95Ms: number;
  p99Ms: number;
  errorRatePct: number;
}

export interface Slo {
  name: string; // e.g. latency-p95
  /** The share of requests that must be good (0.95: 95% at or under the edge). */
  objective: number;
  /** Latency SLOs: the bucket edge a good request is at or under. */
  le: string | null;
  description: string;
}

export interface BurnWindow {
  severity: 'page' | 'ticket';
  burn: number;
  long: string;
  short: string;
}

export const BURN_WINDOWS: readonly BurnWindow[] = [
  { severity: 'page', burn: 14.4, long: '1h', short: '5m' },
  { severity: 'page', burn: 6, long: '6h', short: '30m' },
  { severity: 'ticket', burn: 3, long: '1d', short: '2h' },
  { severity: 'ticket', burn: 1, long: '3d', short: '6h' },
];

export const SLI_WINDOWS = ['5m', '30m', '1h', '2h', '6h', '1d', '3d'] as const;

export const ERROR_RATIO_RECORD = 'perf_slo:sli_error:ratio_rate';
export const BURN_ALERT = 'SloErrorBudgetBurn';

/** 1 - objective, without binary noise (0.05, not 0.050000000000000044). */
export const budgetOf = (objective: number): number => Number((1 - objective).toFixed(6));

function latencySlo(quantile: 95 | 99, targetMs: number, s: SloSource, notes: string[]): Slo | null {
  const below = [...s.buckets].filter((b) => Number.isFinite(b.ms) && b.ms <= targetMs).sort((a, b) => b.ms - a.ms)[0];
  if (!below) {
    notes.push(`no bucket edge of ${s.histogram.base} is at or under the p${quantile} target ${targetMs} ms: no latency-p${quantile} SLO`);
    return null;
  }
  if (below.ms !== targetMs)
    notes.push(
      `latency-p${quantile}: the histogram has no edge at ${targetMs} ms; ${below.ms} ms (le="${below.le}") is used, a stricter SLO`,
    );
  return {
    name: `latency-p${quantile}`,
    objective: quantile / 100,
    le: below.le,
    description: `${quantile}% of requests answered in ${below.ms} ms or less`,
  };
}

/** The SLOs the profile's targets give, and what could not be made one. */
export function slosFor(s: SloSource, t: SloTargets): { slos: Slo[]; notes: string[] } {
  const notes: string[] = [];
  const slos = [latencySlo(95, t.p95Ms, s, notes), latencySlo(99, t.p99Ms, s, notes)].filter((x): x is Slo => x !== null);
  if (!statusCountOf(s))
    notes.push(
      `${s.histogram.base} has no status label, nor a request counter with one: the error ratio cannot be read, no error-rate SLO`,
    );
  else if (t.errorRatePct > 0 && t.errorRatePct < 100)
    slos.push({
      name: 'errors',
      objective: Number((1 - t.errorRatePct / 100).toFixed(6)),
      le: null,
      description: `${100 - t.errorRatePct}% of requests answered without a 5xx`,
    });
  return { slos, notes };
}

function selector(s: SloSource, extra: string[] = []): string {
  return `{${[seriesSelector({ job: s.job, route: s.routeLabel, excludeRoutes: s.excludeRoutes }), ...extra].join(',')}}`;
}

/** The SLO's error ratio over a window: the share of requests that were not good. */
export function errorRatioExpr(s: SloSource, slo: Slo, window: string): string {
  const count = `${s.histogram.base}_count`;
  const total = `sum(rate(${count}${selector(s)}[${window}]))`;
  if (slo.le !== null)
    return `1 - (sum(rate(${s.histogram.base}_bucket${selector(s, [`le=${promString(slo.le)}`])}[${window}])) / ${total})`;
  return errorRatioOf(statusCountOf(s), seriesSelector({ job: s.job, route: s.routeLabel, excludeRoutes: s.excludeRoutes }), window)!;
}

export interface RuleGroup {
  name: string;
  rules: Record<string, unknown>[];
}

export const recordingGroupName = (service: string): string => `perf-orchestrator:${service}:slo-recording`;
export const burnAlertGroupName = (service: string): string => `perf-orchestrator:${service}:slo-alerts`;

export function recordingGroup(s: SloSource, slos: readonly Slo[]): RuleGroup {
  return {
    name: recordingGroupName(s.service),
    rules: slos.flatMap((slo) =>
      SLI_WINDOWS.map((w) => ({
        record: `${ERROR_RATIO_RECORD}${w}`,
        expr: errorRatioExpr(s, slo, w),
        labels: { service: s.service, slo: slo.name },
      })),
    ),
  };
}

export function burnAlertGroup(s: SloSource, slos: readonly Slo[]): RuleGroup {
  return {
    name: burnAlertGroupName(s.service),
    rules: slos.flatMap((slo) =>
      BURN_WINDOWS.map((w) => {
        const sel = `{service=${promString(s.service)},slo=${promString(slo.name)}}`;
        const over = `> (${w.burn} * ${budgetOf(slo.objective)})`;
        return {
          alert: BURN_ALERT,
          expr: `${ERROR_RATIO_RECORD}${w.long}${sel} ${over} and ${ERROR_RATIO_RECORD}${w.short}${sel} ${over}`,
          // slo as well: the series carry it, but promtool's lint wants each rule's own labels unique.
          labels: { severity: w.severity, slo: slo.name, long: w.long, short: w.short },
          annotations: burnAnnotations(s.service, slo, w),
        };
      }),
    ),
  };
}

export function burnAnnotations(service: string, slo: Slo, w: BurnWindow): Record<string, string> {
  return {
    summary: `${service}: the ${slo.name} error budget burns ${w.burn}x too fast (over ${w.long} and ${w.short})`,
    description: `SLO ${slo.name}: ${slo.description} over 30 days. At ${w.burn}x the 30-day budget is spent in ${Math.round((30 * 24) / w.burn)} h.`,
  };
}

export function saturationGroup(s: SloSource): RuleGroup | null {
  const rules: Record<string, unknown>[] = [];
  if (s.processCpuMetric)
    rules.push({
      alert: 'ProcessCpuSaturated',
      expr: `max by (instance) (rate(${s.processCpuMetric}{job=${promString(s.job)}}[5m])) > 0.9`,
      for: '10m',
      labels: { severity: 'ticket', service: s.service },
      annotations: {
        summary: `${s.service}: a process uses more than 90% of a core for 10 minutes (a single-threaded runtime is saturated)`,
      },
    });
  if (s.nodeExporter)
    rules.push({
      alert: 'HostCpuSaturated',
      expr: `1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[5m])) > 0.9`,
      for: '15m',
      labels: { severity: 'ticket', service: s.service },
      annotations: { summary: `a host scraped beside ${s.service} has its CPUs more than 90% busy for 15 minutes` },
    });
  return rules.length ? { name: `perf-orchestrator:${s.service}:saturation`, rules } : null;
}

/** The whole rule file: { groups: [...] }, ready for YAML. */
export function sloRuleFile(s: SloSource, slos: readonly Slo[]): { groups: RuleGroup[] } {
  const saturation = saturationGroup(s);
  return { groups: [recordingGroup(s, slos), burnAlertGroup(s, slos), ...(saturation ? [saturation] : [])] };
}

/** What the observability skill stores for the install: the file's text, and what its tests are built from. */
export interface AlertRulesArtifact {
  fileName: string;
  yaml: string;
  groups: string[];
  source: SloSource;
  slos: Slo[];
}
