// Clear failure messages (issue 9, item 13 and exit codes), on real Temporal, a real worker and
// scripted targets, through the real CLI: unknown workflow ids exit 2 saying so; a target that dies
// during the baseline shows the root cause, not "Child Workflow execution failed"; approved items not
// attempted because an earlier one failed are reported skipped, not not_approved.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import type { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TASK_QUEUE, workflowIdFor, type RunInput } from '../../common/run';
import { OutputContractSchema } from '../../common/output-contract';
import { statusQuery } from '../../workflows/messages';
import { performanceOrchestration } from '../../workflows';
import { startScriptedTarget, type ScriptedTarget } from '../helpers/scripted-target';
import { REDIS_URL, testDatabase } from '../helpers/services';
import { startTemporal, startWorkers, type RunningWorkers } from '../helpers/temporal';
import { eventually } from '../helpers/eventually';
import { perfOrch, type CliResult } from '../helpers/cli';

Runtime.install({ logger: new DefaultLogger('WARN') });

let env: TestWorkflowEnvironment;
let client: Client;
let workers: RunningWorkers;
let dying: ScriptedTarget; // stops answering during its baseline load test
let halfway: ScriptedTarget; // three toggles, the second refused
let cliEnv: NodeJS.ProcessEnv;
let deadRun: Promise<CliResult>;
let deadOrigin: string;

// perf-orch from the bundle (test/helpers/cli.ts).
const cli = (args: string[]): Promise<CliResult> => perfOrch(args, { env: cliEnv });

before(async () => {
  env = await startTemporal();
  client = env.client;
  dying = await startScriptedTarget({
    name: 'dying',
    endpoints: { home: 5 },
    profile: { scope: ['caching'], load: { concurrency: 2, durationSeconds: 6, warmupSeconds: 0.5 } },
  });
  halfway = await startScriptedTarget({
    name: 'halfway',
    endpoints: { big: 60, mid: 30, small: 10 },
    toggles: [
      { name: 'bigCache', endpoint: 'big', delayWhenOn: 1 },
      { name: 'midCache', endpoint: 'mid', refuse: true },
      { name: 'smallCache', endpoint: 'small', delayWhenOn: 1 },
    ],
    // All at once: the test is about the apply that fails halfway through one optimization.
    stages: 'all-at-once',
    profile: { redis: { urlEnv: 'HALFWAY_REDIS_URL' }, scope: ['caching'] },
  });
  workers = await startWorkers(env, {
    storeUrl: await testDatabase('perf_test_rollback_failures_store'),
    env: { ...dying.env, ...halfway.env, HALFWAY_REDIS_URL: REDIS_URL },
  });
  cliEnv = { ...process.env, TEMPORAL_ADDRESS: env.address, TEMPORAL_NAMESPACE: env.namespace ?? 'default' };
  // run --wait against a target that stopped answering (its port closed): started now, as its pre-check
  // retries for half a minute before the run fails; the test below reads the outcome.
  const dead = await startScriptedTarget({ name: 'dead', endpoints: { home: 5 } });
  await dead.close();
  deadOrigin = dead.profile.http.baseUrl;
  const profile = join(mkdtempSync(join(tmpdir(), 'perf-failures-')), 'dead.json');
  writeFileSync(profile, JSON.stringify(dead.profile));
  deadRun = cli(['run', '--target', profile, '--tier', 'T1', '--auto-approve', '--wait']);
});

after(async () => {
  await workers?.stop();
  await Promise.all([dying?.close(), halfway?.close()]);
  await env?.teardown();
});

function start(t: ScriptedTarget) {
  const input: RunInput = {
    target: t.profile,
    tier: 'T1',
    autoApprove: true,
    approvalTimeoutMs: 60_000,
    onApprovalTimeout: 'end',
    requestedBy: 'test',
  };
  return client.workflow.start(performanceOrchestration, {
    taskQueue: TASK_QUEUE,
    workflowId: workflowIdFor(t.profile.name),
    args: [input],
  });
}

describe('failure messages', { concurrency: false }, () => {
  test('status, report and rollback of an unknown workflow id exit 2 and say so', async () => {
    const calls = [
      ['status', 'perf-nothing-here'],
      ['report', 'perf-nothing-here'],
      ['rollback', 'perf-nothing-here'],
      ['status', 'perf-nothing-here', '--json'],
    ];
    const results = await Promise.all(calls.map(cli));
    calls.forEach((args, i) => {
      const r = results[i];
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /there is no run perf-nothing-here \(perf-orch list shows the runs\)/, args.join(' '));
    });
  });

  test('a target that dies during the baseline: status shows the root cause', async () => {
    const handle = await start(dying);
    await eventually('the baseline load test', async () => ((await handle.query(statusQuery)).phase === 'profiling' ? true : undefined));
    await new Promise((r) => setTimeout(r, 2000));
    const origin = dying.profile.http.baseUrl;
    await dying.close();
    await assert.rejects(handle.result());
    const [s, report] = await Promise.all([cli(['status', handle.workflowId]), cli(['report', handle.workflowId])]);
    assert.equal(s.code, 0, s.stderr);
    assert.match(s.stdout, /FAILED, phase failed/);
    assert.doesNotMatch(s.stdout, /Child Workflow execution failed/);
    assert.match(s.stdout, new RegExp(`now: run failed: .*${origin.replace(/[.]/g, '\\.')}`));
    assert.equal(report.code, 2);
    assert.match(report.stderr, new RegExp(`ended FAILED: .*${origin.replace(/[.]/g, '\\.')}`));
  });

  test('approved items after a failed one are reported skipped, not not_approved', async () => {
    const result = OutputContractSchema.parse(await (await start(halfway)).result());
    assert.equal(result.validation_results.improvement_summary.outcome, 'apply_failed_rolled_back');
    const statusOf = Object.fromEntries(result.optimizations_implemented.map((o) => [o.id, o.state]));
    assert.equal(statusOf['cache-mid'], 'failed');
    // Toggles are applied by impact: big first, then mid (refused); small is never attempted.
    assert.deepEqual(
      halfway.writes.map((w) => w.name),
      ['bigCache', 'bigCache'],
    );
    assert.deepEqual(statusOf, { 'cache-big': 'rolled_back', 'cache-mid': 'failed', 'cache-small': 'skipped' });
    assert.ok(
      result.next_steps.some((n) => /cache-small.*not attempted: cache-mid failed before it/.test(n)),
      result.next_steps.join('\n'),
    );
    const s = await cli(['status', workflowIdFor('halfway')]);
    assert.match(s.stdout, /failed: cache-mid: .*locked during the sale/);
    assert.match(s.stdout, /skipped \(not attempted after cache-mid failed\): cache-small/);
  });

  test('run --wait against a target that does not answer: the pre-check\'s message, not "Workflow execution failed"', async () => {
    const run = await deadRun;
    assert.equal(run.code, 1, run.stderr);
    assert.match(
      run.stderr,
      new RegExp(`error: the run failed: target dead does not answer at ${deadOrigin.replace(/[.]/g, '\\.')} .*\\(in activity precheck\\)`),
    );
  });
});
