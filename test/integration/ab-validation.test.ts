// The per-item validation on real Temporal with the real activities against a scripted target with
// two toggles: one that cuts an endpoint's delay (its A/B gain is improved, the interval above zero)
// and one that changes nothing (no detectable change). Each flip is a real change through the
// audited apply/rollback, and both toggles end on as approved.
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
    endpoints: { slow: 40, steady: 20 },
    toggles: [
      { name: 'slowCache', endpoint: 'slow', delayWhenOn: 2 },
      { name: 'steadyCache', endpoint: 'steady' },
    ],
    profile: {
      redis: { urlEnv: 'ABTWO_REDIS_URL' },
      scope: ['caching'],
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

test('each toggle measured by interleaved A/B: the one that helps is improved, the no-op measures small', async (t) => {
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
  const noop = byId['cache-steady'];
  assert.ok(helps && noop, Object.keys(byId).join(', '));
  for (const o of [helps, noop]) {
    assert.equal(o.state, 'applied');
    assert.equal(o.measured?.method, 'interleaved');
    assert.equal(o.measured?.ab_blocks, 6);
    assert.equal(o.measured?.ab_flips, 6);
    assert.equal(o.measured?.p95.n, 3);
  }
  const text = summary(result);
  t.diagnostic(itemSection(result).join('\n'));
  // Blocks of 1 s on a shared machine: one slow second can widen a p95 interval past zero, so the
  // checks that hold every run are the item's word (either metric) and throughput, which counts every
  // request. The no-op is "no detectable change" about nine runs in ten (two metrics at 95% each);
  // what always holds is that it measures far below the helpful toggle.
  assert.equal(helps.measured!.verdict, 'improved', text);
  const tput = (o: typeof helps) => o.measured!.throughput.improvement_pct!;
  assert.ok(Math.abs(tput(noop)) < 30, `no-op throughput ${tput(noop)}%: ${text}`);
  assert.ok(tput(helps) - tput(noop) > 30, text);
  assert.match(text, /cache-slow\s+[\d.]+%\s+\+[\d.]+% \([+-][\d.]+% to \+[\d.]+%\).*interleaved A\/B, 3 pairs\s+improved/);
  assert.match(text, /cache-steady\s+[\d.]+%.*interleaved A\/B, 3 pairs\s+(no detectable change|improved|worse)/);

  // Every flip went to the target's toggle API: on (apply), then off/on three times each, ending on.
  const flips = (name: string) => target.writes.filter((w) => w.name === name).map((w) => w.value);
  for (const name of ['slowCache', 'steadyCache']) assert.deepEqual(flips(name), [true, false, true, false, true, false, true]);
  assert.deepEqual(target.toggles, { slowCache: true, steadyCache: true });
  const validation = `${handle.workflowId}:validation:${handle.firstExecutionRunId}`;
  await recordHistories(env.client, 'ab-validation', [handle.workflowId, validation]);
});
