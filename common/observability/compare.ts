// The load test's figures beside what the service's own Prometheus says about the same window (pure):
// where they disagree, and what that usually means. A quantile from histogram buckets is only known
// to lie in its bucket (histogram_quantile interpolates inside it), so latencies disagree only when
// the load test's figure is outside that bucket; the server's histogram does not see the network and
// the accept queue, so a client figure above the bucket is time outside the handler.

export interface SourceFigures {
  p95Ms: number | null;
  p99Ms: number | null;
  rps: number | null;
  errorRatePct: number | null;
}

export interface SourceDisagreement {
  figure: keyof SourceFigures;
  loadTest: number;
  prometheus: number;
  /** For latencies: the histogram bucket holding Prometheus's figure, in ms. */
  bucketMs?: [number, number];
  meaning: string;
}

export interface CompareOptions {
  /** Relative difference of the request rates that counts as a disagreement (default 0.1). */
  rateTolerance: number;
  /** Error rates differing by more than this many percentage points (default 1). */
  errorPointsTolerance: number;
}

const DEFAULTS: CompareOptions = { rateTolerance: 0.1, errorPointsTolerance: 1 };

/** The bucket [lower edge, upper edge] holding `ms` among the histogram's upper edges (ms, +Inf allowed). */
export function bucketOf(ms: number, edgesMs: readonly number[]): [number, number] {
  const edges = [...edgesMs].filter((e) => !Number.isNaN(e)).sort((a, b) => a - b);
  let lower = 0;
  for (const e of edges) {
    if (ms <= e) return [lower, e];
    lower = e;
  }
  return [lower, Infinity];
}

function latency(figure: 'p95Ms' | 'p99Ms', load: number, prom: number, edgesMs: readonly number[]): SourceDisagreement | null {
  const [lo, hi] = bucketOf(prom, edgesMs);
  if (load >= lo && load <= hi) return null;
  const meaning =
    load < lo
      ? 'the load test saw faster answers than the service recorded: the histogram measures something else, or the scrape job is not this service'
      : 'the load test waited longer than the service recorded: time outside the handler (accept queue, network, a saturated load generator)';
  return { figure, loadTest: load, prometheus: prom, bucketMs: [lo, hi], meaning };
}

export function compareSources(
  load: SourceFigures,
  prom: SourceFigures,
  edgesMs: readonly number[],
  options: Partial<CompareOptions> = {},
): SourceDisagreement[] {
  const o = { ...DEFAULTS, ...options };
  const out: SourceDisagreement[] = [];
  for (const f of ['p95Ms', 'p99Ms'] as const) {
    const l = load[f];
    const p = prom[f];
    if (l === null || p === null || !Number.isFinite(p)) continue;
    const d = latency(f, l, p, edgesMs);
    if (d) out.push(d);
  }
  if (load.rps !== null && prom.rps !== null && load.rps > 0) {
    const rel = (prom.rps - load.rps) / load.rps;
    if (rel < -o.rateTolerance) {
      out.push({
        figure: 'rps',
        loadTest: load.rps,
        prometheus: prom.rps,
        meaning: 'the service counted fewer requests than were sent: some routes are not instrumented, or the job or instance is another',
      });
    } else if (rel > o.rateTolerance) {
      out.push({
        figure: 'rps',
        loadTest: load.rps,
        prometheus: prom.rps,
        meaning: 'the service counted more requests than the load test sent: other traffic reached it during the window',
      });
    }
  }
  if (
    load.errorRatePct !== null &&
    prom.errorRatePct !== null &&
    Math.abs(load.errorRatePct - prom.errorRatePct) > o.errorPointsTolerance
  ) {
    out.push({
      figure: 'errorRatePct',
      loadTest: load.errorRatePct,
      prometheus: prom.errorRatePct,
      meaning:
        load.errorRatePct > prom.errorRatePct
          ? 'the load test counted errors the service did not answer with a 5xx: timeouts, refused connections, or unexpected non-5xx statuses'
          : 'the service answered 5xx to more requests than the load test saw: other traffic failing, or a proxy retrying',
    });
  }
  return out;
}
