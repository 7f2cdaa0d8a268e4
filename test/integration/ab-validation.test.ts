// The per-item validation on real Temporal with the real activities against a scripted target with
// two toggles: one that cuts an endpoint's delay (its A/B gain is improved, the interval above zero)
// and one that triples another endpoint's delay (worse: rolled back alone, the helpful one stays).
// Each flip is a real change through the audited apply/rollback. (A change that does nothing is
// simulated in test/unit/verdict-joint.test.ts.)
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { TASK_QUEUE, workflowIdFor } from '../../common/run';
import { OutputContractSchema } from '../../common/output-contract';
import { PERF_TARGET } from '../../common/search-attributes';
import { performanceOrchestration } from '../../workflows';
import { itemSection, summary } from '../../client/render';
import { startScriptedTarget, type ScriptedTarget } from '../helpers/scripted-target';
import { REDIS_URL, testDatabase } from '../helpers/services';
import { recordHistories } from '../helpers/record-histories';
import { startTemporal, startWorkers, type RunningWorkers } from '../helpers/temporal';

Runtime.install({ logger: new DefaultLogger('WARN') });

let env: TestWorkflowEnvironment;
let workers: RunningWorkers;
let target: ScriptedTarget;

before(async () => {
  env = await startTemporal();
  target = await startScriptedTarget({
    name: 'abtwo',
    endpoints: { slow: 40, steady: 5 },
    toggles: [
      { name: 'slowCache', endpoint: 'slow', delayWhenOn: 2 },
      { name: 'steadyCache', endpoint: 'steady', delayWhenOn: 15 },
    ],
    profile: {
      redis: { urlEnv: 'ABTWO_REDIS_URL' },
      scope: ['caching'],
      // Missed after the helpful toggle alone (the other endpoint takes 5 ms), so both stages apply.
      targets: { p95Ms: 3, p99Ms: 2000, throughputRps: 1 },
      load: { concurrency: 4, durationSeconds: 2, warmupSeconds: 0, abPairs: 3, abBlockSeconds: 1, attribution: { enabled: false } },
    },
  });
  workers = await startWorkers(env, {
    storeUrl: await testDatabase('perf_test_abtest_store'),
    env: { ...target.env, ABTWO_REDIS_URL: REDIS_URL },
  });
});

after(async () => {
  await workers?.stop();
  await target?.close();
  await env?.teardown();
});

test('each toggle measured by interleaved A/B: the one that helps is improved, the one that hurts is rolled back alone', async (t) => {
  const handle = await env.client.workflow.start(performanceOrchestration, {
    taskQueue: TASK_QUEUE,
    workflowId: workflowIdFor(target.profile.name),
    args: [
      {
        target: target.profile,
        tier: 'T1',
        autoApprove: true,
        approvalTimeoutMs: 60_000,
        onApprovalTimeout: 'end',
        requestedBy: 'test',
      },
    ],
    typedSearchAttributes: [{ key: PERF_TARGET, value: target.profile.name }],
  });
  const result = OutputContractSchema.parse(await handle.result());
  const byId = Object.fromEntries(result.optimizations_implemented.map((o) => [o.id, o]));
  const helps = byId['cache-slow'];
  const hurts = byId['cache-steady'];
  assert.ok(helps && hurts, Object.keys(byId).join(', '));
  for (const o of [helps, hurts]) {
    assert.equal(o.measured?.method, 'interleaved');
    assert.equal(o.measured?.ab_blocks, 6);
    assert.equal(o.measured?.ab_flips, 6);
    assert.equal(o.measured?.p95.n, 3);
  }
  const text = summary(result);
  t.diagnostic(itemSection(result).join('\n'));
  // Blocks of 1 s on a shared machine: the item's word (either metric) is what holds every run.
  assert.equal(helps.measured!.verdict, 'improved', text);
  assert.equal(helps.state, 'applied');
  assert.equal(helps.status, 'completed');
  assert.equal(hurts.measured!.verdict, 'worse', text);
  assert.equal(hurts.state, 'rolled_back', text);
  assert.equal(hurts.status, 'rolled_back', text);
  assert.match(hurts.measured!.note ?? '', /worse with it: rolled back alone; the other changes stay/);
  assert.match(text, /cache-slow\s+[\d.]+%\s+\+[\d.]+% \([+-][\d.]+% to \+[\d.]+%\).*interleaved A\/B, 3 pairs\s+improved/);
  assert.match(text, /cache-steady\s+[\d.]+%\s+-[\d.]+% \([+-][\d.]+% to [+-][\d.]+%\).*interleaved A\/B, 3 pairs\s+worse/);

  // Every flip went to the target's toggle API: on (apply), then off/on three times each, ending on;
  // the harmful one once more off, by its rollback.
  const flips = (name: string) => target.writes.filter((w) => w.name === name).map((w) => w.value);
  assert.deepEqual(flips('slowCache'), [true, false, true, false, true, false, true]);
  assert.deepEqual(flips('steadyCache'), [true, false, true, false, true, false, true, false]);
  assert.deepEqual(target.toggles, { slowCache: true, steadyCache: false });
  const validation = `${handle.workflowId}:validation:${handle.firstExecutionRunId}`;
  await recordHistories(env.client, 'ab-validation', [handle.workflowId, validation]);
});
