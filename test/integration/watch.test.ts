// The scheduled watch end to end on a real Temporal dev server and workers: a check pinned as the
// baseline, then a regression planted in the target (its endpoint twice as slow), then the watch's
// Temporal Schedule triggered: the scheduled check fails against the pinned baseline, is recorded in
// the store, opens an architecture review, and its notification reaches a signed webhook (a node:http
// receiver here) and a real Alertmanager (scripts/prepare-services.sh starts it). And, on the same
// server and workers, a check against a live baseline deployment taking turns every 100 ms: one
// endpoint of the candidate three times as slow while the whole mix's p95, which the slow other
// endpoint holds, does not move (field test 4's miss): the endpoint's own ratio fails the check.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Pool } from 'pg';
import { verifySignature } from '../../activities/notify/signature';
import { pinBaseline } from '../../activities/store/queries/baselines';
import { STORE_SCHEMA } from '../../activities/store/schema';
import { defaultCheckInput } from '../../common/gate/default-check';
import type { CheckResult } from '../../common/gate/types';
import { watchScheduleId, watchScheduleOptions } from '../../common/gate/watch-schedule';
import { TASK_QUEUE } from '../../common/run';
import { performanceCheck } from '../../workflows';
import { eventually } from '../helpers/eventually';
import { startScriptedTarget, type ScriptedTarget } from '../helpers/scripted-target';
import { runDatabase } from '../helpers/services';
import { startTemporal, startWorkers, type RunningWorkers } from '../helpers/temporal';

Runtime.install({ logger: new DefaultLogger('WARN') });

const ALERTMANAGER = 'http://127.0.0.1:9093';
const SECRET = 'watch-test-signing-key';
const TARGET = 'watch-test';

let env: TestWorkflowEnvironment;
let workers: RunningWorkers;
let store: Pool;
let database: Awaited<ReturnType<typeof runDatabase>>;
let receiver: http.Server;
let shop: ScriptedTarget;
let turnsBaseline: ScriptedTarget;
let turnsCandidate: ScriptedTarget;
const received: { body: string; verified: string | null }[] = [];

before(async () => {
  const ready = await fetch(`${ALERTMANAGER}/-/ready`).catch((err: Error) => err);
  if (ready instanceof Error || !ready.ok) {
    throw new Error(`Alertmanager does not answer at ${ALERTMANAGER}. Install and start it with: bash scripts/prepare-services.sh`);
  }
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c));
    req.on('end', () => {
      received.push({ body, verified: verifySignature(SECRET, req.headers, body, new Date()) });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const port = (receiver.address() as AddressInfo).port;
  shop = await startScriptedTarget({
    name: TARGET,
    endpoints: { page: 8 },
    toggles: [{ name: 'planted', endpoint: 'page', delayWhenOn: 16 }],
    profile: {
      // Ten measured seconds a side: the gate's per-second p95 series need them.
      load: { concurrency: 4, durationSeconds: 10, warmupSeconds: 1, abPairs: 0 },
      gate: { thresholds: ['error_rate<1%'], maxP95Ratio: 1.05 },
      notifiers: [
        { kind: 'webhook', url: `http://127.0.0.1:${port}/hook`, secretEnv: 'WATCH_TEST_SECRET', events: ['check_failed', 'escalation'] },
        { kind: 'alertmanager', url: ALERTMANAGER, events: ['check_failed'] },
      ],
    },
  });
  // Equal weights: half the requests are the page at 20 ms, so the mix's p95 is the page's.
  const turnsProfile = {
    load: { concurrency: 4, durationSeconds: 6, warmupSeconds: 0.5, abPairs: 0 },
    gate: { thresholds: ['error_rate<1%'] },
  };
  turnsBaseline = await startScriptedTarget({ name: 'interleaved-test', endpoints: { page: 20, article: 4 }, profile: turnsProfile });
  turnsCandidate = await startScriptedTarget({ name: 'interleaved-test', endpoints: { page: 20, article: 12 }, profile: turnsProfile });
  env = await startTemporal();
  database = await runDatabase('perf_test_watch_store');
  store = new Pool({ connectionString: database.url });
  workers = await startWorkers(env, { storeUrl: database.url, env: { WATCH_TEST_SECRET: SECRET, ...shop.env } });
});

after(async () => {
  await workers?.stop();
  await store?.end();
  await shop?.close();
  await turnsBaseline?.close();
  await turnsCandidate?.close();
  await env?.teardown();
  await database?.drop();
  receiver?.close();
});

test('a watch schedule runs the check; a planted regression fails it against the pinned baseline, escalates and notifies', async () => {
  // The baseline: a check with nothing to compare with, pinned.
  const first = await env.client.workflow.execute(performanceCheck, {
    taskQueue: TASK_QUEUE,
    workflowId: `watch-test-first-${Date.now()}`,
    args: [{ ...defaultCheckInput(shop.profile, 'test'), baseline: { kind: 'none' } }],
  });
  assert.equal(first.verdict, 'pass', JSON.stringify(first.reasons));
  assert.ok((first.measured.perSecond?.p95Ms.length ?? 0) >= 10);
  await pinBaseline(store, { target: TARGET, source: 'test', summary: first.measured, histograms: null, note: null, createdBy: 'test' });

  shop.toggles.planted = true; // every request of the page twice as slow
  const schedule = await env.client.schedule.create(watchScheduleOptions(defaultCheckInput(shop.profile, 'test'), 3_600_000, 'test watch'));
  try {
    await schedule.trigger();
    const started = await eventually('the scheduled check to start', async () => (await schedule.describe()).info.recentActions[0], 30_000);
    const wf = started.action.workflow;
    assert.match(wf.workflowId, new RegExp(`^${watchScheduleId(TARGET)}`));
    const result: CheckResult = await env.client.workflow.getHandle(wf.workflowId, wf.firstExecutionRunId).result();

    assert.equal(result.verdict, 'fail', JSON.stringify({ reasons: result.reasons, baseline: result.baseline }));
    assert.ok(result.baseline!.p95Ratio! > 1.3 && result.baseline!.p95RatioLow! > 1, JSON.stringify(result.baseline));
    assert.match(result.escalationWorkflowId ?? '', /:escalation$/);
    assert.deepEqual(
      result.notifications?.map((n) => [n.kind, n.status]),
      [
        ['webhook', 'sent'],
        ['alertmanager', 'sent'],
      ],
    );
    // Recorded: the pass that became the baseline's source check and the scheduled failure.
    const { rows } = await store.query(`SELECT verdict FROM ${STORE_SCHEMA}.checks WHERE target = $1 ORDER BY finished_at`, [TARGET]);
    assert.deepEqual(
      rows.map((r) => r.verdict),
      ['pass', 'fail'],
    );
    // The signed webhook: the failed check, and the architecture review it opened.
    const texts = await eventually('both webhook messages', async () => (received.length >= 2 ? received : undefined), 30_000);
    assert.ok(
      texts.every((t) => t.verified === null),
      'every message carries a valid signature',
    );
    assert.ok(texts.some((t) => /Performance check failed for watch-test/.test(t.body)));
    assert.ok(texts.some((t) => /Architecture review opened for watch-test/.test(t.body)));
    const alerts = (await (await fetch(`${ALERTMANAGER}/api/v2/alerts?filter=target%3D%22${TARGET}%22`)).json()) as {
      labels: Record<string, string>;
    }[];
    assert.ok(
      alerts.some((a) => a.labels.alertname === 'PerfOrchCheckFailed' && a.labels.target === TARGET),
      JSON.stringify(alerts.map((a) => a.labels)),
    );
  } finally {
    await schedule.delete();
  }
});

test('taking turns: one endpoint three times as slow fails the check by its own ratio while the whole mix passes', async () => {
  const input = defaultCheckInput(turnsCandidate.profile, 'test');
  const result = await env.client.workflow.execute(performanceCheck, {
    taskQueue: TASK_QUEUE,
    workflowId: `check-interleaved-${Date.now()}`,
    args: [
      { ...input, baseline: { kind: 'interleaved', baseUrl: turnsBaseline.profile.http.baseUrl, pairs: 5, blockSeconds: 4, sliceMs: 100 } },
    ],
  });
  const b = result.baseline!;
  const detail = JSON.stringify({ verdict: result.verdict, reasons: result.reasons, baseline: b });
  assert.equal(result.verdict, 'fail', detail);
  assert.notEqual(b.verdict, 'fail', `the whole mix's p95 is the page's, which did not change: ${detail}`);
  const byName = Object.fromEntries((b.endpoints ?? []).map((e) => [e.endpoint, e]));
  assert.deepEqual(Object.keys(byName).sort(), ['article', 'page'], detail);
  assert.equal(byName.article.verdict, 'fail', detail);
  // Timers of 4 and 12 ms read about 1.4-2.5 apart on this host, by its load: the verdict is the claim, not the size.
  assert.ok(byName.article.p95RatioLow > 1 && byName.article.p95Ratio > b.p95Ratio!, detail);
  assert.ok(byName.article.pairs >= 4, 'one pair a measured second');
  assert.match(b.method, /^sides taking turns every 100 ms, \d seconds paired/);
  // Each side had about half the window, and its throughput is read over its own turns.
  assert.ok(
    result.measured.throughputRps > 150,
    `the page at 20 ms and the article at 12 ms on 4 connections: ${result.measured.throughputRps}`,
  );
  assert.ok(Math.abs(byName.article.level - 0.975) < 1e-12, 'two endpoints: each at 97.5%');
  assert.notEqual(byName.page.verdict, 'fail', detail);
  assert.ok(
    result.reasons.some((r) => r.startsWith('endpoint article: p95 ratio')),
    detail,
  );
});
