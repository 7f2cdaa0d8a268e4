// What the observability skill looks at and what it finds. It reads the target's own Prometheus: the
// scrape job whose address is the target's, its request-latency histogram, the exporters beside it;
// the baseline's window by PromQL beside the load test's figures; the traffic before the run. It finds
// monitoring_gap: the target not scraped (or down), no latency histogram, an exporter missing for a
// layer of the profile. Where the two sources disagree, and the production mix, are notes.
import type { Exporter, LatencyHistogram } from '../../../common/observability/detect';
import type { BaselineQueries } from '../../../common/observability/queries';
import type { SourceFigures } from '../../../common/observability/compare';
import type { RouteRate } from '../../../common/observability/traffic';
import type { ExporterReading } from '../../../common/observability/exporters';

export const SOURCE = 'observability-stack-configurator';

export interface ScrapedTarget {
  job: string;
  instance: string;
  health: string;
  lastError: string;
}

/** What the target's scrape job exports that the skill uses. */
export interface TargetMetrics {
  job: string;
  scrapeIntervalSeconds: number;
  histogram: LatencyHistogram | null;
  labels: { status: string | null; route: string | null; method: string | null };
  /** A request counter with a status label, when the histogram has none (absent in evidence recorded before). */
  statusCounter?: { metric: string; label: string } | null;
  /** The latency histogram's finite bucket upper edges: `le` as exported (e.g. "0.05") and in ms, ascending. */
  buckets: { le: string; ms: number }[];
  processCpuMetric: string | null;
  processRssMetric: string | null;
}

export interface ResourceFigures {
  cpuPct: number | null; // of one core
  rssMb: number | null; // highest in the window
}

/** The baseline's measured window, read from both sources. */
export interface WindowReading {
  fromS: number;
  toS: number;
  /** The PromQL range: the window, or longer when it holds too few scrapes (then rates are not compared). */
  rangeSeconds: number;
  rateComparable: boolean;
  prometheus: SourceFigures & ResourceFigures;
  loadTest: SourceFigures;
  /** What the profiler sampled from /proc over the same window (null: not sampled). */
  profiler: ResourceFigures;
  queries: BaselineQueries;
  /** The database and cache exporters watching the profile's servers, beside the profiler (absent in evidence recorded before). */
  exporters?: ExporterReading;
  /** The scrapes of the job in the range, how many failed, and how often its request counter went back (absent before). */
  health?: { scrapes: number | null; failedScrapes: number | null; counterResets: number | null };
}

export interface TrafficReading {
  lookbackHours: number;
  /** Seconds of the lookback that Prometheus holds samples of the job for. */
  coveredSeconds: number;
  atS: number;
  routes: RouteRate[];
}

/** The SLO alert rules made for the target, and what promtool said of them. */
export interface AlertRulesEvidence {
  fileName: string;
  /** The stored file (kind alert-rules); null when promtool refused it or there was no SLO. */
  artifactId: string | null;
  slos: { name: string; description: string }[];
  rules: number;
  groups: string[];
  notes: string[];
  check: { ok: boolean; output: string } | null;
  /** promtool test on the baseline's behaviour, and the burn alerts its raw figures say fire; null: not tested. */
  baselineTest: { ok: boolean; output: string; firing: string[] | null } | null;
  /** Why the tool may not install them itself (no observability.rulesDir, or the worker does not allow it); null: it may. */
  notInstallable: string | null;
}

/** The Grafana dashboard made for the target (stored, written beside the report). */
export interface DashboardEvidence {
  fileName: string;
  artifactId: string;
  panels: string[];
}

/** The OpenTelemetry Collector config made for the target (stored, written beside the report). */
export interface CollectorConfigEvidence {
  fileName: string;
  artifactId: string;
  notes: string[];
}

export interface ObservabilityEvidence {
  prometheusUrl: string;
  /** host:port of the target's http.baseUrl, as the scrape targets are matched. */
  targetAddress: string;
  scraped: ScrapedTarget[];
  exporters: Exporter[];
  metrics: TargetMetrics | null;
  window: WindowReading | null;
  traffic: TrafficReading | null;
  /** The SLO alert rules (absent: no latency histogram to build them on). */
  alertRules?: AlertRulesEvidence | null;
  dashboard?: DashboardEvidence | null;
  /** Absent in evidence recorded before the Collector config was made. */
  collectorConfig?: CollectorConfigEvidence | null;
  /** Why Prometheus could not be read (it did not answer at the last attempt); absent when it was. */
  unreachable?: string;
}
