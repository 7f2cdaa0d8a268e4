// perf-orch check against a live baseline deployment on a real Temporal dev server and workers, the
// two taking turns every 100 ms: one endpoint of the candidate is three times as slow while
// the whole mix's p95, which the slow other endpoint holds, does not move (field test 4's miss). The
// endpoint's own ratio fails the check; the other endpoint passes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { defaultCheckInput } from '../../common/gate/default-check';
import { TASK_QUEUE } from '../../common/run';
import { performanceCheck } from '../../workflows';
import { startScriptedTarget, type ScriptedTarget } from '../helpers/scripted-target';
import { runDatabase } from '../helpers/services';
import { startTemporal, startWorkers, type RunningWorkers } from '../helpers/temporal';

Runtime.install({ logger: new DefaultLogger('WARN') });

let env: TestWorkflowEnvironment;
let workers: RunningWorkers;
let database: Awaited<ReturnType<typeof runDatabase>>;
let baseline: ScriptedTarget;
let candidate: ScriptedTarget;

before(async () => {
  // Equal weights: half the requests are the page at 20 ms, so the mix's p95 is the page's.
  const profile = { load: { concurrency: 4, durationSeconds: 6, warmupSeconds: 0.5, abPairs: 0 }, gate: { thresholds: ['error_rate<1%'] } };
  baseline = await startScriptedTarget({ name: 'interleaved-test', endpoints: { page: 20, article: 4 }, profile });
  candidate = await startScriptedTarget({ name: 'interleaved-test', endpoints: { page: 20, article: 12 }, profile });
  env = await startTemporal();
  database = await runDatabase('perf_test_check_interleaved_store');
  workers = await startWorkers(env, { storeUrl: database.url, env: { ...candidate.env } });
});

after(async () => {
  await workers?.stop();
  await baseline?.close();
  await candidate?.close();
  await env?.teardown();
  await database?.drop();
});

test('taking turns: one endpoint three times as slow fails the check by its own ratio while the whole mix passes', async () => {
  const input = defaultCheckInput(candidate.profile, 'test');
  const result = await env.client.workflow.execute(performanceCheck, {
    taskQueue: TASK_QUEUE,
    workflowId: `check-interleaved-${Date.now()}`,
    args: [
      { ...input, baseline: { kind: 'interleaved', baseUrl: baseline.profile.http.baseUrl, pairs: 5, blockSeconds: 4, sliceMs: 100 } },
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
