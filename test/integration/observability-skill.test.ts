// The observability skill against a real Prometheus (a process of this test's own, scraping a demo
// shop every second): traffic sent before the "run" read back as a load mix, a load window read by
// PromQL beside the figures the test measured itself, the missing node exporter found, the token
// resolved on the worker and kept out of the evidence; a target nobody scrapes is a finding.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type http from 'node:http';
import { ApplicationFailure } from '@temporalio/common';
import { Pool } from 'pg';
import Redis from 'ioredis';
import YAML from 'yaml';
import { TargetConnections } from '../../activities/connections';
import type { ActivityDeps } from '../../activities/deps';
import {
  DEFAULT_OBSERVABILITY_OPTIONS,
  observabilityStackConfigurator,
  type ObservabilityEvidence,
} from '../../activities/skills/observability-stack-configurator';
import { collectObservability } from '../../activities/skills/observability-stack-configurator/collect';
import { createActionActivities } from '../../activities/actions';
import { installAlertRules } from '../../activities/actions/alert-rules';
import { runLoad } from '../../activities/loadtest/load';
import { saveArtifact } from '../../activities/store/artifacts';
import { skillActivity } from '../../activities/skills/skill';
import { loadArtifact } from '../../activities/store/artifacts';
import { migrateStore } from '../../activities/store/schema';
import { parseTargetProfile, type TargetProfile } from '../../common/profile';
import { createShopApp } from '../../demo/server/app';
import { prometheusApi } from '../../activities/prometheus/client';
import { eventually } from '../helpers/eventually';
import { startPrometheus, type TestPrometheus } from '../helpers/prometheus';
import { validateCollectorConfig } from '../helpers/otelcol-config';
import { PG_ADMIN_URL, REDIS_URL, runDatabase } from '../helpers/services';
import { minimalBaseline, minimalCache, minimalDatabase, skillRequest } from '../helpers/skill-request';

const TOKEN = 'web-prometheus-token-not-for-the-history';
let prom: TestPrometheus;
let shop: http.Server;
let shopPort: number;
let pool: Pool;
let redis: Redis;
let storeDb: Awaited<ReturnType<typeof runDatabase>>;
let store: Pool;
let deps: ActivityDeps;
let rulesDir: string;

const profile = (port: number, prometheusUrl: string): TargetProfile =>
  parseTargetProfile({
    name: 'web',
    http: {
      baseUrl: `http://127.0.0.1:${port}`,
      endpoints: [
        { name: 'health', path: '/health' },
        { name: 'me', path: '/api/me', expectStatus: [401] },
      ],
    },
    targets: { p95Ms: 50, p99Ms: 100, throughputRps: 10 },
    observability: { prometheusUrl, tokenEnv: 'WEB_PROMETHEUS_TOKEN' },
  });

before(async () => {
  pool = new Pool({ connectionString: PG_ADMIN_URL, max: 1 }); // the requests below never reach the database
  redis = new Redis({ lazyConnect: true });
  shop = createShopApp({ pool, redis, adminToken: 'tok' });
  await new Promise<void>((r) => shop.listen(0, '127.0.0.1', r));
  shopPort = (shop.address() as AddressInfo).port;
  rulesDir = mkdtempSync(join(tmpdir(), 'perf-test-rules-'));
  // The machine's postgres and redis exporters (scripts/prepare-services.sh starts them) beside the shop.
  prom = await startPrometheus({ web: [`127.0.0.1:${shopPort}`], postgres: ['127.0.0.1:9187'], redis: ['127.0.0.1:9121'] }, { rulesDir });
  storeDb = await runDatabase('perf_test_observability_store');
  store = new Pool({ connectionString: storeDb.url, max: 2 });
  await migrateStore(store);
  const connections = new TargetConnections({ WEB_PROMETHEUS_TOKEN: TOKEN, WEB_DATABASE_URL: storeDb.url, WEB_REDIS_URL: REDIS_URL });
  deps = { store, connections, policy: connections.policy };
});

after(async () => {
  await prom?.stop();
  shop?.close();
  await pool?.end();
  await store?.end();
  await storeDb?.drop();
  redis?.disconnect();
  if (rulesDir) rmSync(rulesDir, { recursive: true, force: true });
});

const get = async (path: string): Promise<number> => {
  const started = performance.now();
  await (await fetch(`http://127.0.0.1:${shopPort}${path}`)).text();
  return performance.now() - started;
};

test("the skill reads the target's Prometheus: the traffic before the run, the baseline window beside the load test", async () => {
  const api = prometheusApi(prom.url);
  // "Production" before the run: 4 health checks to 1 profile page (401: not logged in). A counter's first scrape is its
  // starting point (increase() counts from there), so both series are scraped once before it.
  const counted = (n: number) => async () => {
    const [s] = await api.query(`sum(shop_http_request_duration_seconds_count{job="web",route!="/metrics"})`);
    return s && s.value >= n ? true : undefined;
  };
  await get('/health');
  await get('/api/me');
  await eventually('the first requests scraped', counted(2), 20_000);
  for (let i = 0; i < 40; i++) await get(i % 5 === 4 ? '/api/me' : '/health');
  await eventually('the traffic before the run scraped', counted(42), 20_000);
  // What the skill will read: the increase since the first scrape, over scrapes that a busy host may
  // have spaced out (CI saw a single one once): wait until Prometheus holds both.
  await eventually(
    'the traffic before the run in the increase the skill reads',
    async () => {
      const [inc] = await api.query('sum(increase(shop_http_request_duration_seconds_count{job="web",route!="/metrics"}[1h]))');
      const [ups] = await api.query('count_over_time(up{job="web"}[1h])');
      return inc && inc.value >= 35 && ups && ups.value >= 3 ? true : undefined;
    },
    20_000,
  );
  await new Promise((r) => setTimeout(r, 1500));

  // The baseline: 5 s of requests one after another, timed by the test; beside each, the "service's"
  // statements in its database and lookups in its cache (3 hits, 1 miss), which the exporters see.
  const db = new Pool({ connectionString: storeDb.url, max: 1 });
  const cache = new Redis(REDIS_URL);
  await cache.set('perf-test:hit', '1');
  // pg_stat_statements as the profiler reads it (the view, from the postgres database where prepare-services created it).
  const dbTimeMs = async (): Promise<number> => {
    const sql =
      'SELECT coalesce(sum(total_exec_time), 0) AS ms FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = $1)';
    return Number((await pool.query(sql, [storeDb.name])).rows[0].ms);
  };
  const lookups = async (): Promise<[number, number]> => {
    const info = await cache.info('stats');
    const n = (k: string) => Number(new RegExp(`${k}:(\\d+)`).exec(info)![1]);
    return [n('keyspace_hits'), n('keyspace_misses')];
  };
  const [dbBefore, [hitsBefore, missesBefore]] = [await dbTimeMs(), await lookups()];
  const startMs = Date.now();
  const latencies: number[] = [];
  let requests = 0;
  while (Date.now() - startMs < 5000) {
    latencies.push(await get('/health'));
    await db.query('SELECT pg_sleep(0.004)');
    await cache.mget('perf-test:hit', 'perf-test:hit', 'perf-test:hit');
    await cache.get('perf-test:miss');
    requests++;
  }
  const endMs = Date.now();
  const [dbAfter, [hitsAfter, missesAfter]] = [await dbTimeMs(), await lookups()];
  await db.end();
  cache.disconnect();
  latencies.sort((a, b) => a - b);
  const seconds = (endMs - startMs) / 1000;
  const baseline = minimalBaseline({
    durationSeconds: 5,
    requests: latencies.length,
    throughputRps: latencies.length / seconds,
    latencyMs: {
      ...minimalBaseline().latencyMs,
      p95: latencies[Math.floor(latencies.length * 0.95)],
      p99: latencies[Math.floor(latencies.length * 0.99)],
    },
    window: { attempt: 1, startMs, measuredFromMs: startMs, endMs },
  });

  // What the profiler would have read of the same servers: pg_stat_statements and INFO before and after.
  const hits = hitsAfter - hitsBefore;
  const lookupsInWindow = hits + missesAfter - missesBefore;
  const profiling = {
    baseline,
    database: { ...minimalDatabase(), dbTimeMs: dbAfter - dbBefore, windowRequests: requests },
    cache: { ...minimalCache(), hits, misses: lookupsInWindow - hits, hitRatioPct: (100 * hits) / lookupsInWindow },
  };
  const target = parseTargetProfile({
    ...profile(shopPort, prom.url),
    database: { urlEnv: 'WEB_DATABASE_URL' },
    redis: { urlEnv: 'WEB_REDIS_URL' },
  });
  const result = await skillActivity(observabilityStackConfigurator, deps)(skillRequest(target, profiling, 'observability-skill'));
  assert.equal(result.skipped, null);
  const f = result.evidence.figures;
  assert.equal(f.job, 'web', 'the job found by the address it scrapes');
  assert.equal(f.histogram, 'shop_http_request_duration_seconds');
  const ratio = Number(f.prometheusRps) / Number(f.loadRps);
  assert.ok(ratio > 0.85 && ratio < 1.15, `the service counted the requests the test sent: ${f.prometheusRps} vs ${f.loadRps} req/s`);
  assert.ok(
    Number(f.prometheusP95Ms) > 0 && Number(f.prometheusP95Ms) <= Number(f.loadP95Ms) + 10,
    `p95 ${f.prometheusP95Ms} ms, client ${f.loadP95Ms} ms`,
  );
  assert.equal(f.prometheusErrorPct, 0, 'no 5xx in the window');
  // The exporters: the database found by its port and name, its statement time as pg_stat_statements counted it; the cache's lookups.
  assert.equal(f.pgExporter, 'postgres 127.0.0.1:9187');
  const profiledDbMsPerS = (dbAfter - dbBefore) / seconds;
  const dbRatio = Number(f.exporterDbTimeMsPerSecond) / profiledDbMsPerS;
  assert.ok(
    dbRatio > 0.75 && dbRatio < 1.33,
    `DB time ${f.exporterDbTimeMsPerSecond} ms/s from the exporter, ${profiledDbMsPerS} from pg_stat_statements`,
  );
  assert.ok(Number(f.exporterDbTimeMsPerRequest) >= 3, `at least the 4-ms sleep per request: ${f.exporterDbTimeMsPerRequest} ms`);
  assert.ok(
    Math.abs(Number(f.exporterCacheHitPct) - (100 * hits) / lookupsInWindow) <= 5,
    `hits ${f.exporterCacheHitPct}% vs INFO ${(100 * hits) / lookupsInWindow}%`,
  );
  assert.ok(!result.notes.some((n) => /^(dbTimeMsPerSecond|cacheHitRatioPct):/.test(n)), result.notes.join('\n'));
  assert.match(
    result.notes.join('\n'),
    /the database's exporter \(job postgres, 127\.0\.0\.1:9187, database perf_test_observability_store/,
  );

  const mix = result.notes.find((n) => n.startsWith('production traffic'));
  assert.ok(mix, result.notes.join('\n'));
  const share = (name: string): number => Number(new RegExp(`${name} ([\\d.]+)%`).exec(mix)?.[1]);
  assert.ok(Math.abs(share('health') - 80) <= 5 && Math.abs(share('me') - 20) <= 5, mix);
  assert.match(result.notes.join('\n'), /set the weights to health: \d+, me: \d+/, "the profile's 50/50 is 30 points off");

  assert.deepEqual(
    result.findings.map((x) => x.id),
    ['observability-no-node-exporter', 'observability-alert-rules'],
    'scraped and instrumented; the host is unwatched, and no alert rules are installed',
  );
  const rules = result.findings[1];
  assert.equal(rules.action.type, 'manual', 'no observability.rulesDir: a file to install by hand');
  assert.ok(rules.evidence.includes('promtool check rules passed'), rules.evidence.join('\n'));
  assert.match(result.notes.join('\n'), /not tested on measured behaviour: the baseline load test lt-test is not in the store/);
  const evidence = await loadArtifact<ObservabilityEvidence>(store, result.evidence.artifactId!);
  assert.equal(evidence.metrics?.scrapeIntervalSeconds, 1);
  assert.deepEqual(
    evidence.metrics!.buckets.find((b) => b.ms === 50),
    { le: '0.05', ms: 50 },
    'bucket edges as exported, and in ms',
  );
  assert.match(evidence.window!.queries.rps, /route!~"\/metrics\|/, "Prometheus's own scrapes are not the load");
  assert.ok(!JSON.stringify({ evidence, result }).includes(TOKEN), 'the token stays on the worker');

  // The Grafana dashboard: every panel's PromQL is answered by this Prometheus (the shop's own series).
  const dashboard = await loadArtifact<{
    fileName: string;
    json: { panels: { type: string; title: string; targets?: { expr: string }[] }[] };
  }>(store, evidence.dashboard!.artifactId);
  assert.equal(dashboard.fileName, 'grafana-dashboard-web.json');
  const panels = dashboard.json.panels.filter((p) => p.type === 'timeseries');
  assert.deepEqual(
    panels.map((p) => p.title),
    [
      'Latency (p95 target 50 ms)',
      'Throughput',
      'Errors (5xx share)',
      evidence.dashboard!.panels[3],
      'Saturation',
      'DB time per request (pg_stat_statements)',
      'Cache hit ratio',
    ],
  );
  for (const p of panels) {
    for (const t of p.targets ?? []) {
      const answer = await api.query(t.expr.replaceAll('$__rate_interval', '1m'));
      if (!p.title.startsWith('SLO')) assert.ok(answer.length > 0, `${p.title}: ${t.expr} answered nothing`);
    }
  }

  // The OpenTelemetry Collector config: stored as the file the report writes, valid against the Collector's published schemas.
  const otel = await loadArtifact<{ fileName: string; yaml: string }>(store, evidence.collectorConfig!.artifactId);
  assert.equal(otel.fileName, 'web-otel-collector.yaml');
  assert.deepEqual(validateCollectorConfig(YAML.parse(otel.yaml)), { errors: [], unresolved: [] });
  assert.match(otel.yaml, new RegExp(`metrics_endpoint: ${prom.url}/api/v1/otlp/v1/metrics`));
});

test('a target its Prometheus does not scrape is a monitoring gap; an unknown Prometheus host is refused', async () => {
  const target = profile(1, prom.url);
  const result = await skillActivity(observabilityStackConfigurator, deps)(skillRequest(target, {}, 'observability-unscraped'));
  assert.deepEqual(
    result.findings.map((x) => [x.id, x.rootCause]),
    [
      ['observability-not-scraped', 'monitoring_gap'],
      ['observability-no-node-exporter', 'monitoring_gap'],
    ],
  );
  assert.match(result.findings[0].title, /does not scrape web \(127\.0\.0\.1:1\)/);

  const elsewhere = parseTargetProfile({
    ...target,
    http: { ...target.http, allowedHosts: ['10.9.8.7'] },
    observability: { prometheusUrl: 'http://10.9.8.7:9090' },
  });
  await assert.rejects(
    skillActivity(observabilityStackConfigurator, deps)(skillRequest(elsewhere, {}, 'observability-elsewhere')),
    (err: unknown) => {
      assert.ok(err instanceof ApplicationFailure && err.nonRetryable, String(err));
      assert.match(err.message, /10\.9\.8\.7.*PERF_TARGET_HOSTS/);
      return true;
    },
  );
});

test('a Prometheus that does not answer is retried, then reported as a gap at the last attempt: the run keeps its other findings', async () => {
  const down = parseTargetProfile({ ...profile(shopPort, 'http://127.0.0.1:1'), observability: { prometheusUrl: 'http://127.0.0.1:1' } });
  await assert.rejects(
    collectObservability(deps, skillRequest(down, {}), DEFAULT_OBSERVABILITY_OPTIONS, 1),
    (err: unknown) => err instanceof ApplicationFailure && err.type === 'PrometheusUnavailable' && !err.nonRetryable,
  );
  const result = await skillActivity(observabilityStackConfigurator, deps)(skillRequest(down, {}, 'observability-down'));
  assert.deepEqual(
    result.findings.map((x) => x.id),
    ['observability-unreachable'],
  );
  assert.match(result.findings[0].evidence[0], /Prometheus at http:\/\/127\.0\.0\.1:1 did not answer/);
});

test('the alert rules, tested on a measured baseline, installed after approval into the rules directory and rolled back', async () => {
  // A real load test of the shop, stored as the load test activity stores it.
  const base = profile(shopPort, prom.url);
  const measured = await runLoad({ target: base, model: 'closed', concurrency: 2, durationSeconds: 2, warmupSeconds: 0.5 });
  const loadId = await saveArtifact(store, 'observability-install', 'loadtest', { result: measured });
  const target = parseTargetProfile({ ...base, observability: { prometheusUrl: prom.url, rulesDir } });
  const allowed: ActivityDeps = { ...deps, policy: { ...deps.policy, rulesDirs: [rulesDir] } };

  const result = await skillActivity(
    observabilityStackConfigurator,
    allowed,
  )(skillRequest(target, { baseline: minimalBaseline({ id: loadId }) }, 'observability-install'));
  const finding = result.findings.find((f) => f.id === 'observability-alert-rules');
  assert.ok(finding, JSON.stringify(result.findings.map((f) => f.id)));
  assert.equal(finding.action.type, 'install_alert_rules');
  assert.match(
    finding.evidence.join('\n'),
    /promtool test rules on the baseline's measured behaviour passed: no burn alert fires, as its figures say/,
  );
  const item = { ...finding, impactScore: 0, estimatedGainPct: 0, automatic: true };

  const { applyAction, rollbackChange } = createActionActivities(allowed);
  const change = await applyAction({ target, item });
  assert.equal(change.undo.type, 'remove_alert_rules');
  const file = join(rulesDir, 'perf-orchestrator-web.yml');
  assert.ok(existsSync(file));
  const api = prometheusApi(prom.url);
  const ours = (await api.ruleGroups()).filter((g) => g.file === file);
  assert.deepEqual(ours.map((g) => g.name).sort(), [
    'perf-orchestrator:web:saturation',
    'perf-orchestrator:web:slo-alerts',
    'perf-orchestrator:web:slo-recording',
  ]);
  assert.ok(
    ours.every((g) => g.rules.every((r) => r.health === 'ok')),
    'loaded and evaluated without error',
  );
  assert.match(change.details, /loaded by Prometheus and healthy/);

  const again = await applyAction({ target, item });
  assert.deepEqual(again.undo, { type: 'none', why: `${file} was already installed as it is` }, 'applying twice changes nothing');

  const undone = await rollbackChange({ target, change, reason: 'test' });
  assert.equal(undone.ok, true);
  assert.ok(!existsSync(file));
  assert.deepEqual(
    (await api.ruleGroups()).filter((g) => g.file === file),
    [],
    'reloaded without them',
  );
  const twice = await rollbackChange({ target, change, reason: 'test' });
  assert.match(twice.skipped ?? '', /already gone/);

  // A retry after the worker died mid-install finds the run's own file: it undoes to what the first attempt recorded.
  const install = item.action as Parameters<typeof installAlertRules>[1];
  const installDeps = { store, policy: { rulesDirs: [rulesDir] }, api };
  let recorded: string | null | undefined;
  await installAlertRules(target, install, installDeps, { onPrevious: (t) => (recorded = t) });
  assert.equal(recorded, null, 'the first attempt recorded that there was no file');
  const retried = await installAlertRules(target, install, installDeps, { knownPrevious: { text: recorded! } });
  assert.equal(retried.undo.type, 'remove_alert_rules', 'not "already installed": the file is the run\'s own');
  // Someone edits the file after the run installed it: the undo leaves their file alone.
  writeFileSync(file, `${readFileSync(file, 'utf8')}# edited by hand\n`);
  const kept = await rollbackChange({ target, change: { ...change, undo: retried.undo }, reason: 'test' });
  assert.match(kept.skipped ?? '', /changed after the run installed it/);
  assert.ok(existsSync(file), 'their file is still there');
  rmSync(file);
  await api.reload();

  // The worker's operator decides where files are written.
  await assert.rejects(createActionActivities(deps).applyAction({ target, item }), /PERF_PROMETHEUS_RULES_DIRS/);
  assert.ok(!existsSync(file));
});
