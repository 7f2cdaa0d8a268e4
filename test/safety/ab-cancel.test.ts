// A run cancelled in the middle of its per-item A/B, with the toggle flipped off for a block
// without it: the cancel stops the A/B and the saga rolls back what the run applied, so the toggle
// ends at its value before the run and the rollback is recorded, with what the A/B measured until then.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { WorkflowFailedError } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { TASK_QUEUE, workflowIdFor, type RunStatus } from '../../common/run';
import { PERF_TARGET } from '../../common/search-attributes';
import { performanceOrchestration } from '../../workflows';
import { changeLines } from '../../client/render';
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
