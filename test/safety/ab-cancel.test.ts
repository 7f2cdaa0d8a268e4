// A run cancelled in the middle of its per-item A/B, with the toggle flipped off for a block
// without it: the cancel stops the A/B and the saga rolls back what the run applied, so the toggle
// ends at its value before the run and the rollback is recorded, with what the A/B measured until then.
// And the optimization cancelled during the before blocks of a costly change: the blocks stop, the
// change is never applied.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { WorkflowFailedError } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { TASK_QUEUE, workflowIdFor, type RunStatus } from '../../common/run';
import { PERF_TARGET } from '../../common/search-attributes';
import { optimizationWorkflow, performanceOrchestration } from '../../workflows';
import { changeLines } from '../../client/render';
import type { ActionSpec, PlanItem } from '../../common/types';
import { statusQuery } from '../../workflows/messages';
import { startScriptedTarget, type ScriptedTarget } from '../helpers/scripted-target';
import { REDIS_URL, testDatabase } from '../helpers/services';
import { eventually } from '../helpers/eventually';
import { startTemporal, startWorkers, type RunningWorkers } from '../helpers/temporal';

Runtime.install({ logger: new DefaultLogger('WARN') });

let env: TestWorkflowEnvironment;
let workers: RunningWorkers;
let target: ScriptedTarget;

before(async () => {
  env = await startTemporal();
  target = await startScriptedTarget({
    name: 'abcancel',
    endpoints: { slow: 30 },
    toggles: [{ name: 'slowCache', endpoint: 'slow', delayWhenOn: 2 }],
    profile: {
      redis: { urlEnv: 'ABCANCEL_REDIS_URL' },
      scope: ['caching'],
      // Blocks long enough that the cancel lands while the toggle is off.
      load: { concurrency: 2, durationSeconds: 1, warmupSeconds: 0, abPairs: 2, abBlockSeconds: 3, attribution: { enabled: false } },
    },
  });
  workers = await startWorkers(env, {
    storeUrl: await testDatabase('perf_test_abtest_cancel_store'),
    env: { ...target.env, ABCANCEL_REDIS_URL: REDIS_URL },
  });
});

after(async () => {
  await workers?.stop();
  await target?.close();
  await env?.teardown();
});

test('cancelled mid-A/B with the toggle off: the run ends rolled back, the toggle at its value before the run', async () => {
  const handle = await env.client.workflow.start(performanceOrchestration, {
    taskQueue: TASK_QUEUE,
    workflowId: workflowIdFor(target.profile.name),
    args: [
      { target: target.profile, tier: 'T1', autoApprove: true, approvalTimeoutMs: 60_000, onApprovalTimeout: 'end', requestedBy: 'test' },
    ],
    typedSearchAttributes: [{ key: PERF_TARGET, value: target.profile.name }],
  });
  // Applied (on), then the A/B's first flip off for a block without it.
  await eventually('the A/B to turn the toggle off', async () => (target.writes.length >= 2 ? true : undefined), 120_000, 50);
  assert.deepEqual(target.writes, [
    { name: 'slowCache', value: true },
    { name: 'slowCache', value: false },
  ]);
  await handle.cancel();
  await assert.rejects(handle.result(), (err: unknown) => err instanceof WorkflowFailedError && err.cause instanceof CancelledFailure);
  assert.equal(target.toggles.slowCache, false);
  assert.notEqual(target.writes.at(-1)?.value, true, JSON.stringify(target.writes));
  const s: RunStatus = await handle.query(statusQuery);
  assert.equal(s.phase, 'cancelled');
  assert.deepEqual(
    s.rolledBack.map((r) => [r.itemId, r.ok, r.reason]),
    [['cache-slow', true, 'run cancelled']],
  );
  // What the A/B measured before the cancel stays on the run: one block with it, the flip off, no verdict.
  const [m] = s.measuredItems ?? [];
  assert.equal(m?.itemId, 'cache-slow', JSON.stringify(s.measuredItems));
  assert.deepEqual(
    m.blocks?.map((b) => b.with),
    [true],
  );
  assert.ok(m.blocks![0].throughputRps > 0);
  assert.deepEqual(
    m.flips?.map((f) => f.to),
    ['off'],
  );
  assert.equal(m.verdict, 'not enough data');
  assert.match(m.note ?? '', /A\/B stopped: run cancelled/);
  assert.ok(
    changeLines(s, null).includes(
      'measured before the end: cache-slow: 1 A/B block(s), 1 flip(s), not enough data (A/B stopped: run cancelled)',
    ),
    changeLines(s, null).join('\n'),
  );
  const validation = env.client.workflow.getHandle(`${handle.workflowId}:validation:${handle.firstExecutionRunId}`);
  assert.equal((await validation.describe()).status.name, 'CANCELLED');
});

test('the optimization cancelled during its before blocks: the block is cut short, the costly change never applied, the toggle rolled back', async () => {
  target.writes.length = 0;
  const item = (id: string, action: ActionSpec, impactScore: number) =>
    ({
      id,
      layer: 'caching',
      rootCause: 'uncached_endpoint',
      title: id,
      evidence: [],
      estimatedLatencyReductionMs: 1,
      effortDays: 0,
      risk: 'low',
      action,
      rollback: '',
      source: 'test',
      impactScore,
      estimatedGainPct: 1,
      automatic: true,
    }) as PlanItem;
  const toggle = item('cache-slow', { type: 'feature_toggle', toggle: 'slowCache', value: true }, 2);
  // Never built: the cancel lands before it (this target has no database, an apply would fail).
  const index = item(
    'idx-never',
    { type: 'create_index', schema: 'public', table: 't', columns: [{ name: 'a' }], indexName: 'perf_never_idx' },
    1,
  );
  const handle = await env.client.workflow.start(optimizationWorkflow, {
    taskQueue: TASK_QUEUE,
    workflowId: `abcancel-before-blocks-${process.pid}`,
    args: [{ target: target.profile, items: [index, toggle], runId: 'before-blocks', baselineConcurrency: 2 }],
  });
  await eventually('the toggle applied', async () => (target.writes.length >= 1 ? true : undefined), 60_000, 50);
  const blocks = async () =>
    ((await handle.fetchHistory()).events ?? []).filter(
      (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'runLoadTest',
    );
  await eventually('the first before block scheduled', async () => ((await blocks()).length >= 1 ? true : undefined), 60_000, 100);
  await new Promise((r) => setTimeout(r, 1000)); // into the 3 s block
  await handle.cancel();
  const r = await handle.result();
  assert.deepEqual(
    r.failed,
    { itemId: 'idx-never', error: 'cancelled before idx-never was applied, during the before blocks' },
    JSON.stringify(r),
  );
  assert.deepEqual(
    r.rolledBack.map((x) => [x.itemId, x.ok]),
    [['cache-slow', true]],
  );
  assert.equal(target.toggles.slowCache, false);
  const events = (await handle.fetchHistory()).events ?? [];
  assert.ok(
    events.some((e) => e.activityTaskCancelRequestedEventAttributes),
    'the running block was asked to stop',
  );
  assert.equal((await blocks()).length, 1, 'the second block never started');
});
