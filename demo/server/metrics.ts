// The shop's own monitoring, as a real service has it: GET /metrics in Prometheus's text format
// (prom-client), what a Prometheus scrapes and the observability skill reads back:
//   shop_http_request_duration_seconds{method,route,status}  histogram of every answered request
//   shop_pg_pool_connections{state="total"|"idle"|"waiting"}  the pg pool, read at each scrape
//   shop_nodejs_eventloop_lag_*, shop_process_cpu_*, ...     prom-client's default process metrics
// The route label is the route's pattern (/products/:id), never the raw path: bounded cardinality.
import type { Pool } from 'pg';
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export const METRICS_PREFIX = 'shop_';
export const HTTP_DURATION_METRIC = `${METRICS_PREFIX}http_request_duration_seconds`;
// From 1 ms (the fast shop) to 10 s (the slow one under load): the SLO targets fall between buckets' edges.
export const HTTP_DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.8, 1, 2.5, 5, 10];

const ROUTES: readonly [RegExp, string][] = [
  [/^\/products$/, '/products'],
  [/^\/products\/[^/]+$/, '/products/:id'],
  [/^\/catalog$/, '/catalog'],
  [/^\/api\/login$/, '/api/login'],
  [/^\/api\/me$/, '/api/me'],
  [/^\/health$/, '/health'],
  [/^\/metrics$/, '/metrics'],
  [/^\/admin\/toggles(\/[^/]+)?$/, '/admin/toggles'],
  [/^\/admin\/planted-delay$/, '/admin/planted-delay'],
];

/** The route pattern of a request path (query and trailing slashes ignored); "unmatched" for any other. */
export function routeOf(rawUrl: string): string {
  const path = rawUrl.replace(/[?#].*$/, '').replace(/(.)\/+$/, '$1');
  return ROUTES.find(([re]) => re.test(path))?.[1] ?? 'unmatched';
}

export interface ShopMetrics {
  /** Times the response from now until it is finished; call first thing for each request. */
  track(method: string, rawUrl: string, res: { once(event: 'finish', cb: () => void): unknown; statusCode: number }): void;
  contentType: string;
  text(): Promise<string>;
}

export function createShopMetrics(pool: Pick<Pool, 'totalCount' | 'idleCount' | 'waitingCount'>): ShopMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: METRICS_PREFIX });
  const duration = new Histogram({
    name: HTTP_DURATION_METRIC,
    help: 'Time from the request to the end of its response, by route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: HTTP_DURATION_BUCKETS,
    registers: [registry],
  });
  new Gauge({
    name: `${METRICS_PREFIX}pg_pool_connections`,
    help: 'Connections of the PostgreSQL pool: total, idle, and requests waiting for one',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      this.set({ state: 'total' }, pool.totalCount);
      this.set({ state: 'idle' }, pool.idleCount);
      this.set({ state: 'waiting' }, pool.waitingCount);
    },
  });
  return {
    track(method, rawUrl, res) {
      const end = duration.startTimer({ method, route: routeOf(rawUrl) });
      res.once('finish', () => end({ status: String(res.statusCode) }));
    },
    contentType: registry.contentType,
    text: () => registry.metrics(),
  };
}
