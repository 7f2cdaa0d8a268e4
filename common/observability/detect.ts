// What an existing Prometheus knows about the target (pure): which scrape job is the target (by the
// address it scrapes), which of the job's metrics is its request latency histogram and in what unit,
// and which label holds the HTTP status. Names follow the conventions of the common client libraries
// (prom-client, the Python and Go clients, Micrometer, OpenTelemetry's Prometheus exporter).

export interface ScrapeTargetLike {
  job: string;
  instance: string;
  scrapeUrl: string;
  health: string;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

function sameHost(a: string, b: string): boolean {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x === y || (LOOPBACK.has(x) && LOOPBACK.has(y));
}

/** The scrape targets whose address is the target's host and port (loopback names are one host). */
export function scrapeTargetsOf(targets: readonly ScrapeTargetLike[], host: string, port: number): ScrapeTargetLike[] {
  return targets.filter((t) => {
    if (!URL.canParse(t.scrapeUrl)) return false;
    const u = new URL(t.scrapeUrl);
    const p = Number(u.port || (u.protocol === 'https:' ? 443 : 80));
    return p === port && sameHost(u.hostname, host);
  });
}

export interface LatencyHistogram {
  /** The histogram's base name: <base>_bucket, <base>_count, <base>_sum exist. */
  base: string;
  /** Seconds per unit of the metric's values: 1 for _seconds, 0.001 for _milliseconds / _ms. */
  secondsPerUnit: number;
}

// The unit is a word of the name, at its end or before a qualifier (django-prometheus:
// django_http_requests_latency_seconds_by_view_method).
const UNITS: [RegExp, number][] = [
  [/_seconds(_|$)/, 1],
  [/_(milliseconds|ms)(_|$)/, 0.001],
  [/_(microseconds|us)(_|$)/, 0.000001],
];

/** Request-latency histograms among metric names, the most specific first (server request duration). */
export function latencyHistograms(names: readonly string[]): LatencyHistogram[] {
  const all = new Set(names);
  const out: { h: LatencyHistogram; score: number }[] = [];
  for (const n of names) {
    if (!n.endsWith('_bucket')) continue;
    const base = n.slice(0, -'_bucket'.length);
    if (!all.has(`${base}_count`)) continue;
    if (!/(duration|latency|response_time)/.test(base)) continue;
    const unit = UNITS.find(([re]) => re.test(base));
    if (!unit) continue;
    const score =
      (/http/.test(base) ? 2 : 0) + (/request/.test(base) ? 1 : 0) + (/server/.test(base) ? 1 : 0) - (/client/.test(base) ? 3 : 0);
    out.push({ h: { base, secondsPerUnit: unit[1] }, score });
  }
  return out.sort((a, b) => b.score - a.score || a.h.base.localeCompare(b.h.base)).map((x) => x.h);
}

/**
 * Request counters that may carry the status a histogram lacks (django-prometheus:
 * django_http_responses_total_by_status_view_method_total), those naming a status first.
 */
export function statusCounterCandidates(names: readonly string[]): string[] {
  return names
    .filter((n) => n.endsWith('_total') && /(response|request)/.test(n) && !/(bytes|size|exception|created)/.test(n))
    .sort((a, b) => Number(/status/.test(b)) - Number(/status/.test(a)) || a.length - b.length || a.localeCompare(b));
}

/** The label holding the HTTP status code, among a histogram's label names, or null. */
export function statusLabel(labels: readonly string[]): string | null {
  return (
    ['status', 'code', 'status_code', 'http_status', 'http_status_code', 'http_response_status_code'].find((l) => labels.includes(l)) ??
    null
  );
}

/** The label holding the route pattern (or, in Django, the view's name), or null. */
export function routeLabel(labels: readonly string[]): string | null {
  return ['route', 'handler', 'path', 'uri', 'endpoint', 'http_route', 'url_rule', 'view'].find((l) => labels.includes(l)) ?? null;
}

/** The label holding the HTTP method, or null. */
export function methodLabel(labels: readonly string[]): string | null {
  return ['method', 'http_method', 'http_request_method'].find((l) => labels.includes(l)) ?? null;
}

/** A metric each common exporter always exports: its presence anywhere says the exporter is scraped. */
export const EXPORTER_METRICS = {
  node: 'node_cpu_seconds_total',
  postgres: 'pg_up',
  redis: 'redis_up',
  mysql: 'mysql_up',
} as const;
export type Exporter = keyof typeof EXPORTER_METRICS;

/** The exporters whose metric is among `names`. */
export function exportersIn(names: readonly string[]): Exporter[] {
  return (Object.keys(EXPORTER_METRICS) as Exporter[]).filter((e) => names.includes(EXPORTER_METRICS[e]));
}

/** The process CPU counter and resident memory gauge of a client library's default metrics (any prefix), or null. */
export function processMetrics(names: readonly string[]): { cpu: string | null; rss: string | null } {
  const pick = (suffix: string): string | null => names.filter((n) => n.endsWith(suffix)).sort((a, b) => a.length - b.length)[0] ?? null;
  return { cpu: pick('process_cpu_seconds_total'), rss: pick('process_resident_memory_bytes') };
}
