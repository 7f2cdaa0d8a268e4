// Per-endpoint attribution (issue 10, item 1) on a real Temporal dev server and worker, against the
// demo shop (real PostgreSQL with pg_stat_statements, real Redis). The shop's endpoints make a known
// number of statements per request (demo/server/app.ts): a category page is 1 list + 1 review summary
// per product listed (20 on a page: the N+1), 2 with batchLoading; /catalog 1 (0 when cached);
// /products/:id 1. The figures must be those counts exactly, before and after the changes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Runtime, DefaultLogger } from '@temporalio/worker';
import { MockActivityEnvironment, type TestWorkflowEnvironment } from '@temporalio/testing';
import { CancelledFailure } from '@temporalio/common';
import { Pool } from 'pg';
import { TASK_QUEUE } from '../../common/run';
import type { ProfilingResult, ValidationResult } from '../../common/stages';
import type { AttributionResult, EndpointAttribution } from '../../common/endpoint-attribution';
import {
  createEndpointAttributionActivities,
  drawnRequestLines,
  type AttributionArtifact,
} from '../../activities/profiling/endpoint-attribution';
import { loadArtifact } from '../../activities/store/artifacts';
import { TargetConnections } from '../../activities/connections';
import { STORE_SCHEMA, migrateStore } from '../../activities/store/schema';
import { requestsSentByRun } from '../../activities/loadtest/run-budget';
import { readPgssDeallocations } from '../../activities/postgres/stat-views';
import { PAGE_SIZE, SQL } from '../../demo/server/app';
import { startDemoTarget, type DemoTarget } from '../helpers/demo-target';
import { testDatabase } from '../helpers/services';
import { startTemporal, startWorkers, type RunningWorkers } from '../helpers/temporal';
import { recordHistories } from '../helpers/record-histories';
import { profilingWorkflow, validationWorkflow } from '../../workflows';

Runtime.install({ logger: new DefaultLogger('WARN') });

let env: TestWorkflowEnvironment;
let workers: RunningWorkers;
let shop: DemoTarget;
let store: Pool;

before(async () => {
  env = await startTemporal();
  // 5000 products in 50 categories: every category page is full (PAGE_SIZE products).
  shop = await startDemoTarget('perf_test_endpoints_shop', { products: 5000, load: { durationSeconds: 1, warmupSeconds: 0.5 } });
  const storeUrl = await testDatabase('perf_test_endpoints_store');
  store = new Pool({ connectionString: storeUrl });
  workers = await startWorkers(env, {
    storeUrl,
    env: shop.env,
  });
});

after(async () => {
  await workers?.stop();
  await store?.end();
  await shop?.close();
  await env?.teardown();
});

const byName = (r: AttributionResult | null | undefined, name: string): EndpointAttribution => {
  const e = r?.endpoints.find((x) => x.endpoint === name);
  assert.ok(e, `endpoint ${name} attributed: ${JSON.stringify(r)}`);
  return e;
};
// pg_stat_statements replaces constants (LIMIT 20 -> $3): compare texts with the placeholders numbered away.
const shape = (q: string) => q.replace(/\$\d+/g, '$').replace(/\b\d+\b/g, '$');
const statement = (e: EndpointAttribution, sql: string) => e.topStatements.find((s) => shape(s.query) === shape(sql));

let baseline: ProfilingResult;

test('the baseline attributes to each endpoint exactly the statements it makes per request', async () => {
  const workflowId = `endpoints-profiling-${Date.now()}`;
  baseline = await env.client.workflow.execute(profilingWorkflow, {
    taskQueue: TASK_QUEUE,
    workflowId,
    args: [{ runId: `endpoints-${Date.now()}`, target: shop.profile }],
  });
  await recordHistories(env.client, 'endpoint-attribution', [workflowId]);
  const a = baseline.attribution;
  assert.ok(a, 'profiling returns the attribution');
  assert.equal(a.requestsPerEndpoint, 30);
  assert.deepEqual(a.problems, []);
  assert.equal(a.background?.calls, 0, 'nothing else runs on the shop database');
  const list = byName(a, 'products-by-category');
  assert.equal(list.requests, 30);
  assert.equal(list.statementsPerRequest, 1 + PAGE_SIZE);
  assert.equal(statement(list, SQL.reviewSummaryOne)?.callsPerRequest, PAGE_SIZE, 'the N+1: one review summary per product');
  assert.equal(statement(list, SQL.listProducts)?.callsPerRequest, 1);
  assert.equal(statement(list, SQL.listProducts)?.rowsPerRequest, PAGE_SIZE);
  assert.ok(list.dbMsPerRequest! > 0);
  assert.ok(list.latencyMs.p50 > 0 && list.latencyMs.p99 >= list.latencyMs.p95 && list.latencyMs.p95 >= list.latencyMs.p50);
  assert.deepEqual(list.halves, [21, 21]);
  // The eviction check reads a real counter here (PostgreSQL 14+), so an eviction would be flagged.
  assert.equal(typeof (await readPgssDeallocations(shop.pool)), 'number');
  assert.equal(list.exact, true, list.flags.join('; '));
  for (const name of ['catalog', 'product']) {
    const e = byName(a, name);
    assert.equal(e.statementsPerRequest, 1, name);
    assert.equal(e.exact, true, `${name}: ${e.flags.join('; ')}`);
  }
  assert.equal(statement(byName(a, 'catalog'), SQL.catalog)?.callsPerRequest, 1);
  assert.equal(statement(byName(a, 'product'), SQL.productById)?.rowsPerRequest, 1);
  // The logged-in endpoint: the login (once, before the quiet probe) is no part of its figures.
  const me = byName(a, 'me');
  assert.deepEqual([me.requests, me.errors, me.statementsPerRequest], [30, 0, 0]);
});

test('after batchLoading and the catalog cache, validation attributes the new counts', async () => {
  assert.ok(baseline, 'the baseline test ran');
  for (const name of ['batchLoading', 'catalogCache']) {
    const res = await fetch(`${shop.baseUrl}/admin/toggles/${name}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${shop.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ value: true }),
    });
    assert.equal(res.status, 200);
  }
  try {
    const workflowId = `endpoints-validation-${Date.now()}`;
    const v: ValidationResult = await env.client.workflow.execute(validationWorkflow, {
      taskQueue: TASK_QUEUE,
      workflowId,
      args: [
        {
          runId: `endpoints-after-${Date.now()}`,
          target: shop.profile,
          tier: 'T1',
          baseline: baseline.baseline,
          regressionThresholdPct: 1000,
        },
      ],
    });
    await recordHistories(env.client, 'endpoint-attribution', [workflowId]);
    assert.equal(v.attribution?.phase, 'after');
    const list = byName(v.attribution, 'products-by-category');
    assert.equal(list.statementsPerRequest, 2, 'one list, one batched review summary');
    assert.equal(statement(list, SQL.reviewSummaryBatch)?.callsPerRequest, 1);
    assert.equal(statement(list, SQL.reviewSummaryOne), undefined);
    // Served from Redis: at most the one miss of the pass (the after-load filled the cache).
    assert.ok(byName(v.attribution, 'catalog').statementsPerRequest! <= 1 / 30, JSON.stringify(byName(v.attribution, 'catalog')));
    assert.equal(byName(v.attribution, 'product').statementsPerRequest, 1);
  } finally {
    for (const name of ['batchLoading', 'catalogCache']) {
      await fetch(`${shop.baseUrl}/admin/toggles/${name}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${shop.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ value: false }),
      });
    }
  }
});

test('attribution disabled in the profile: no pass, no field', async () => {
  const target = {
    ...shop.profile,
    load: { ...shop.profile.load, attribution: { enabled: false, requests: 30, maxSecondsPerEndpoint: 30 } },
  };
  const p: ProfilingResult = await env.client.workflow.execute(profilingWorkflow, {
    taskQueue: TASK_QUEUE,
    workflowId: `endpoints-disabled-${Date.now()}`,
    args: [{ runId: `endpoints-disabled-${Date.now()}`, target }],
  });
  assert.ok(p.baseline.requests > 0);
  assert.equal(p.attribution, undefined);
});

test('other traffic on the database during a pass is detected and flagged, not passed off as exact', async () => {
  const connections = new TargetConnections(shop.env);
  await migrateStore(store);
  const { attributeEndpoints } = createEndpointAttributionActivities({ store, connections, policy: connections.policy });
  const target = {
    ...shop.profile,
    http: { ...shop.profile.http, endpoints: shop.profile.http.endpoints.filter((e) => e.name === 'product') },
  };
  // Another client of the same database, as a cron job or a second app would be.
  const other = new Pool({ connectionString: shop.env.SHOP_DATABASE_URL, max: 1 });
  let running = true;
  const noise = (async () => {
    while (running) await other.query('SELECT count(*) FROM categories WHERE id > $1', [0]);
  })();
  try {
    const r = await attributeEndpoints({ runId: `endpoints-noise-${Date.now()}`, target, phase: 'baseline' });
    const e = byName(r, 'product');
    assert.ok(r.background && r.background.calls > 0, 'the quiet probe saw the other client');
    assert.equal(e.exact, false);
    assert.match(e.flags.join('\n'), /other traffic on the database/);
    assert.ok(e.statementsPerRequest! > 1, 'the contaminated figure is what the diff says; the flag says why');
  } finally {
    running = false;
    await noise;
    await other.end();
    await connections.close();
  }
});

test('an endpoint whose work depends on its drawn values: both halves send the same values, so they agree; the stored seed replays them', async () => {
  const connections = new TargetConnections(shop.env);
  const { attributeEndpoints } = createEndpointAttributionActivities({ store, connections, policy: connections.policy });
  // Categories 51-100 are empty: 1 statement per request there, 1 + PAGE_SIZE in 1-50. Drawn apart, two
  // halves of 15 agree on the mix only about one time in seven (a field test flagged such an endpoint).
  const byCategory = shop.profile.http.endpoints.find((e) => e.name === 'products-by-category')!;
  const target = {
    ...shop.profile,
    http: { ...shop.profile.http, endpoints: [{ ...byCategory, path: '/products?category={{int:1:100}}' }] },
  };
  try {
    for (let pass = 0; pass < 3; pass++) {
      const r = await attributeEndpoints({ runId: `endpoints-drawn-${Date.now()}-${pass}`, target, phase: 'baseline' });
      const e = byName(r, 'products-by-category');
      assert.deepEqual(e.flags, [], `pass ${pass}: ${JSON.stringify(e)}`);
      assert.equal(e.exact, true);
      assert.equal(e.halves![0], e.halves![1]);
      assert.ok(e.statementsPerRequest! >= 1 && e.statementsPerRequest! <= 1 + PAGE_SIZE, JSON.stringify(e));
      // A hand count can send the same requests: the half's lines from the stored seed give the count.
      const artifact = await loadArtifact<AttributionArtifact>(store, r.artifactId!);
      const lines = drawnRequestLines(target, 'products-by-category', artifact.seeds!['products-by-category'], e.requests / 2);
      assert.match(lines[0], /^GET \/products\?category=\d+$/);
      const perRequest = lines.map((l) => (Number(l.split('=')[1]) <= 50 ? 1 + PAGE_SIZE : 1));
      const replayed = perRequest.reduce((a, b) => a + b, 0) / perRequest.length;
      assert.equal(e.statementsPerRequest, Math.round(replayed * 100) / 100, lines.join('\n'));
    }
  } finally {
    await connections.close();
  }
});

test("the passes count against the run's request budget, and send nothing when it is spent", async () => {
  const connections = new TargetConnections(shop.env);
  const { attributeEndpoints } = createEndpointAttributionActivities({ store, connections, policy: connections.policy });
  try {
    const runId = `endpoints-budget-${Date.now()}`;
    // 4 endpoints, 20 requests left: 5 each, not the 30 configured.
    const small = { ...shop.profile, limits: { ...shop.profile.limits, maxRunRequests: 20 } };
    const r = await attributeEndpoints({ runId, target: small, phase: 'baseline' });
    assert.equal(r.requestsPerEndpoint, 5);
    assert.deepEqual(
      r.endpoints.map((e) => [e.endpoint, e.requests, e.statementsPerRequest]),
      [
        ['products-by-category', 5, 21],
        ['catalog', 5, 1],
        ['product', 5, 1],
        ['me', 5, 0],
      ],
    );
    assert.equal(await requestsSentByRun(store, runId), 20, 'the logins are not counted');
    const { rows } = await store.query(`SELECT count(*)::int AS n FROM ${STORE_SCHEMA}.artifacts WHERE run_id = $1`, [runId]);
    const again = await attributeEndpoints({ runId, target: small, phase: 'after' });
    assert.deepEqual(again.endpoints, []);
    assert.match(again.problems.join('\n'), /not measured: the run's request budget has 0 requests left/);
    const after = await store.query(`SELECT count(*)::int AS n FROM ${STORE_SCHEMA}.artifacts WHERE run_id = $1`, [runId]);
    assert.equal(after.rows[0].n, rows[0].n, 'nothing stored: nothing was sent');
  } finally {
    await connections.close();
  }
});

test('heartbeats name the endpoint being measured; a cancel stops the pass at once and stores nothing', async () => {
  const connections = new TargetConnections(shop.env);
  const { attributeEndpoints } = createEndpointAttributionActivities({ store, connections, policy: connections.policy });
  const mock = new MockActivityEnvironment();
  const beats: Array<Record<string, unknown>> = [];
  mock.on('heartbeat', (d: Record<string, unknown>) => beats.push(d));
  const runId = `endpoints-cancel-${Date.now()}`;
  // Enough requests to last far longer than the test waits.
  const target = {
    ...shop.profile,
    load: { ...shop.profile.load, attribution: { enabled: true, requests: 1000, maxSecondsPerEndpoint: 120 } },
  };
  try {
    setTimeout(() => mock.cancel(), 2500);
    const t = Date.now();
    await assert.rejects(
      mock.run(attributeEndpoints, { runId, target, phase: 'baseline' as const }),
      (err: unknown) => err instanceof CancelledFailure,
    );
    assert.ok(Date.now() - t < 4000, `stopped after ${Date.now() - t} ms`);
    assert.deepEqual(beats.slice(0, 2), [{ step: 'setup' }, { step: 'quiet probe' }], 'the login first, then the quiet probe');
    assert.ok(
      beats.some((b) => b.step === 'endpoint' && b.endpoint === 'products-by-category' && Number(b.requests) > 0),
      JSON.stringify(beats),
    );
    const { rows } = await store.query(`SELECT count(*)::int AS n FROM ${STORE_SCHEMA}.artifacts WHERE run_id = $1`, [runId]);
    assert.equal(rows[0].n, 0);
  } finally {
    await connections.close();
  }
});

test('a target without a database section: latency per endpoint only, said so', async () => {
  const connections = new TargetConnections(shop.env);
  const { attributeEndpoints } = createEndpointAttributionActivities({ store, connections, policy: connections.policy });
  try {
    const { database: _none, ...noDb } = shop.profile;
    const r = await attributeEndpoints({ runId: `endpoints-nodb-${Date.now()}`, target: noDb, phase: 'baseline' });
    assert.equal(r.background, null);
    assert.match(r.problems.join('\n'), /has no database section: latency only/);
    const e = byName(r, 'product');
    assert.equal(e.requests, 30);
    assert.ok(e.latencyMs.p50 > 0);
    assert.equal(e.statementsPerRequest, null);
    assert.deepEqual(e.flags, []);
  } finally {
    await connections.close();
  }
});
