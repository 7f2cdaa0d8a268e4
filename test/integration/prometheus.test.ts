// Reading an existing Prometheus, against a real one (Debian's prometheus, a process of this test's own
// scraping the demo shop's /metrics every second): the target's job found by its address, its latency
// histogram, status and route labels among what the job exports, and the baseline's figures by PromQL
// next to the requests the test itself sent. A wrong query is refused for good, with Prometheus's reason.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type http from 'node:http';
import { ApplicationFailure } from '@temporalio/common';
import { Pool } from 'pg';
import Redis from 'ioredis';
import { prometheusApi, type PrometheusApi } from '../../activities/prometheus/client';
import { latencyHistograms, routeLabel, scrapeTargetsOf, statusLabel } from '../../common/observability/detect';
import { baselineQueries } from '../../common/observability/queries';
import { createShopApp } from '../../demo/server/app';
import { eventually } from '../helpers/eventually';
import { startPrometheus, type TestPrometheus } from '../helpers/prometheus';
import { PG_ADMIN_URL } from '../helpers/services';

let prom: TestPrometheus;
let api: PrometheusApi;
let shop: http.Server;
let shopPort: number;
let pool: Pool;
let redis: Redis;

before(async () => {
  pool = new Pool({ connectionString: PG_ADMIN_URL, max: 1 }); // no shop tables there: a product request answers 500
  redis = new Redis({ lazyConnect: true });
  shop = createShopApp({ pool, redis, adminToken: 'tok' });
  await new Promise<void>((r) => shop.listen(0, '127.0.0.1', r));
  shopPort = (shop.address() as AddressInfo).port;
  prom = await startPrometheus({ shop: [`localhost:${shopPort}`], elsewhere: ['127.0.0.1:9'] });
  api = prometheusApi(prom.url);
});

after(async () => {
  await prom?.stop();
  shop?.close();
  await pool?.end();
  redis?.disconnect();
});

test("an existing Prometheus: the target's job, its latency histogram and labels, the baseline by PromQL", async () => {
  const started = Date.now() / 1000;
  const sent = { health: 0, missing: 0, failing: 0 };
  const send = async (kind: keyof typeof sent): Promise<void> => {
    const path = { health: '/health', missing: '/nope', failing: '/products/7' }[kind];
    await (await fetch(`http://127.0.0.1:${shopPort}${path}`)).text();
    sent[kind]++;
  };
  for (const kind of ['health', 'missing', 'failing'] as const) await send(kind); // the series exist before the first scrape
  const targets = await eventually(
    'both scrape targets',
    async () => {
      const t = await api.targets();
      return t.length === 2 && t.every((x) => x.health !== 'unknown') ? t : undefined;
    },
    20_000,
  );
  const mine = scrapeTargetsOf(targets, '127.0.0.1', shopPort);
  assert.deepEqual(
    mine.map((t) => [t.job, t.health]),
    [['shop', 'up']],
    'found by address: localhost and 127.0.0.1 are one host',
  );
  assert.equal(targets.find((t) => t.job === 'elsewhere')?.health, 'down');

  const sel = '{job="shop"}';
  const names = await eventually(
    'the shop histogram in Prometheus',
    async () => {
      const n = await api.metricNames(sel);
      return n.includes('shop_http_request_duration_seconds_bucket') ? n : undefined;
    },
    20_000,
  );
  const [histogram] = latencyHistograms(names);
  assert.deepEqual(histogram, { base: 'shop_http_request_duration_seconds', secondsPerUnit: 1 });
  // Now the load: rate() sees what grows between scrapes.
  for (let i = 0; i < 60; i++) {
    await send('health');
    if (i % 10 === 0) {
      await send('missing');
      await send('failing');
    }
  }
  const labels = await api.labelNames(`shop_http_request_duration_seconds_count${sel}`);
  assert.equal(statusLabel(labels), 'status');
  assert.equal(routeLabel(labels), 'route');

  // Wait for scrapes after the last request, then read the whole window since the first one.
  const total = sent.health + sent.missing + sent.failing;
  const window = Math.ceil(Date.now() / 1000 - started) + 5;
  const q = baselineQueries({ histogram, job: 'shop', status: 'status', route: 'route', windowSeconds: window });
  const counted = await eventually(
    'every request counted by a scrape',
    async () => {
      const [s] = await api.query(`sum(max_over_time(shop_http_request_duration_seconds_count{job="shop",route!="/metrics"}[${window}s]))`);
      const scrapes = await api.query(`count_over_time(shop_http_request_duration_seconds_count{job="shop",route="/health"}[${window}s])`);
      return s && s.value >= total && (scrapes[0]?.value ?? 0) >= 3 ? s.value : undefined; // rate() needs 2+ samples
    },
    20_000,
  );
  assert.equal(counted, total, 'Prometheus counted exactly the requests sent (its own scrapes of /metrics apart)');
  const [p95] = await api.query(q.p95Ms);
  assert.ok(Number.isFinite(p95.value) && p95.value > 0 && p95.value <= 1000, `p95 ${p95.value} ms`);
  const [rps] = await api.query(q.rps);
  assert.ok(rps.value > 0, `rate ${rps.value}`);
  const [errors] = await api.query(q.errorRatio!);
  const sentRatio = sent.failing / total; // the scrapes of /metrics, answered 200, dilute it a little
  assert.ok(errors.value > sentRatio / 2 && errors.value <= sentRatio * 1.05, `5xx ratio ${errors.value}, sent ${sentRatio}`);
  const byRoute = await api.query(q.rpsByRoute!);
  assert.deepEqual(byRoute.map((s) => s.labels.route).sort(), ['/health', '/metrics', '/products/:id', 'unmatched']);
  const range = await api.queryRange(q.rps, Math.floor(started), Math.ceil(Date.now() / 1000), 1);
  assert.ok(range[0].points.length >= 2, 'a series over the window');

  await assert.rejects(api.query('sum(rate(x[5m]'), (err: unknown) => {
    assert.ok(err instanceof ApplicationFailure);
    assert.equal(err.type, 'PrometheusRefused');
    assert.equal(err.nonRetryable, true);
    assert.match(err.message, /answered 400 to \/api\/v1\/query: bad_data .*parse error/);
    return true;
  });
});
