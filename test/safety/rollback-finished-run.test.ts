// Rolling back a run that has finished (issue 9, item 7), on real Temporal, a real worker, real
// PostgreSQL and a scripted toggle target, driven through the real CLI: the rollback is recorded on
// the run (status, report, playbook), a second one changes nothing and says so, and each undo checks
// the current state first (a toggle someone changed since is left alone, an index someone dropped is
// reported already gone, an index of the same name with another definition is not the run's).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import type { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Pool } from 'pg';
import { TASK_QUEUE, workflowIdFor } from '../../common/run';
import { OutputContractSchema } from '../../common/output-contract';
import { parseTargetProfile } from '../../common/profile';
import type { AppliedChange, PlanItem, RolledBackChange } from '../../common/types';
import { rollbackWorkflowId } from '../../common/later-rollback';
import { optimizationWorkflow, performanceOrchestration, rollbackChangesWorkflow } from '../../workflows';
import { startScriptedTarget, type ScriptedTarget, type ScriptedToggle } from '../helpers/scripted-target';
import { recordHistories } from '../helpers/record-histories';
import { REDIS_URL, testDatabase, testPool } from '../helpers/services';
import { startTemporal, startWorkers, type RunningWorkers } from '../helpers/temporal';
import { perfOrch, type CliResult } from '../helpers/cli';

Runtime.install({ logger: new DefaultLogger('WARN') });

const DB = 'perf_test_rollback_indexes';
let env: TestWorkflowEnvironment;
let client: Client;
let workers: RunningWorkers;
let shop: ScriptedTarget; // two toggles that each make an endpoint fast
const alpha: ScriptedToggle = { name: 'alphaCache', endpoint: 'alpha', delayWhenOn: 1 }; // a test may make its API refuse
let pool: Pool;
let cliEnv: NodeJS.ProcessEnv;
const dir = mkdtempSync(join(tmpdir(), 'perf-rollback-'));

// perf-orch from the bundle (test/helpers/cli.ts).
const cli = (args: string[]): Promise<CliResult> => perfOrch(args, { env: cliEnv, cwd: dir });

before(async () => {
  env = await startTemporal();
  client = env.client;
  pool = await testPool(DB);
  shop = await startScriptedTarget({
    name: 'rbshop',
    endpoints: { alpha: 30, beta: 20 },
    toggles: [alpha, { name: 'betaCache', endpoint: 'beta', delayWhenOn: 1 }],
    stages: 'all-at-once', // both toggles applied: the test rolls a finished run back
    profile: { redis: { urlEnv: 'RBSHOP_REDIS_URL' }, scope: ['caching'] },
  });
  workers = await startWorkers(env, {
    storeUrl: await testDatabase('perf_test_rollback_store'),
    env: { ...shop.env, RBSHOP_REDIS_URL: REDIS_URL, RBSHOP_DB_URL: await testDatabase(DB) },
  });
  cliEnv = { ...process.env, TEMPORAL_ADDRESS: env.address, TEMPORAL_NAMESPACE: env.namespace ?? 'default' };
});

after(async () => {
  await workers?.stop();
  await shop?.close();
  await pool?.end();
  await env?.teardown();
});

function indexItem(id: string, indexName: string, column: string): PlanItem {
  return {
    id,
    layer: 'database',
    rootCause: 'missing_index',
    title: `index ${indexName}`,
    evidence: [],
    estimatedLatencyReductionMs: 1,
    effortDays: 0.1,
    risk: 'low',
    action: { type: 'create_index', schema: 'public', table: 'rb_orders', columns: [{ name: column }], indexName },
    rollback: `DROP INDEX CONCURRENTLY ${indexName}`,
    source: 'test',
    impactScore: 1,
    estimatedGainPct: 1,
    automatic: true,
  };
}

async function indexDef(name: string): Promise<string | null> {
  const { rows } = await pool.query(`SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' AND indexname = $1`, [name]);
  return rows[0]?.indexdef ?? null;
}

/** A run of the shop with both toggles approved; returns when it has finished. */
async function runShop() {
  const id = workflowIdFor(shop.profile.name);
  const handle = await client.workflow.start(performanceOrchestration, {
    taskQueue: TASK_QUEUE,
    workflowId: id,
    args: [
      {
        target: shop.profile,
        tier: 'T1',
        autoApprove: true,
        approvalTimeoutMs: 60_000,
        onApprovalTimeout: 'end',
        requestedBy: 'test',
        regressionThresholdPct: 50,
      },
    ],
  });
  return { id, handle };
}

describe('rollback of a finished run', { concurrency: false }, () => {
  test('recorded on the run, idempotent, and a toggle changed since is left alone', async () => {
    const { id, handle } = await runShop();
    const result = OutputContractSchema.parse(await handle.result());
    assert.deepEqual(result.optimizations_implemented.map((o) => [o.id, o.status]).sort(), [
      ['cache-alpha', 'completed'],
      ['cache-beta', 'completed'],
    ]);
    assert.deepEqual({ ...shop.toggles }, { alphaCache: true, betaCache: true });
    // Someone else sets betaCache to another value after the run.
    shop.toggles.betaCache = 'maintenance';
    const writes = shop.writes.length;

    const first = await cli(['rollback', id]);
    assert.equal(first.code, 0, `${first.stdout}\n${first.stderr}`);
    assert.match(first.stdout, /rolled back cache-alpha: toggle alphaCache restored to false/);
    assert.match(first.stdout, /skipped cache-beta: left as it is: toggle betaCache is now "maintenance", not true as the run set it/);
    assert.deepEqual(shop.toggles, { alphaCache: false, betaCache: 'maintenance' }, 'the toggle changed since is left alone');
    assert.equal(shop.writes.length, writes + 1, JSON.stringify(shop.writes));

    const second = await cli(['rollback', id]);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, new RegExp(`${id}: already rolled back`));
    assert.equal(shop.writes.length, writes + 1, 'the second rollback changes nothing');
    assert.deepEqual(shop.toggles, { alphaCache: false, betaCache: 'maintenance' });

    // Reads, at once.
    const [status, text, report] = await Promise.all([
      cli(['status', id, '--json']),
      cli(['status', id]),
      cli(['report', id, '--json', '--out', join(dir, 'reports')]),
    ]);
    assert.equal(status.code, 0, status.stderr);
    const s = JSON.parse(status.stdout);
    assert.deepEqual(
      s.rolledBack.map((r: { itemId: string; ok: boolean; skipped?: string }) => [r.itemId, r.ok, Boolean(r.skipped)]).sort(),
      [
        ['cache-alpha', true, false],
        ['cache-beta', true, true],
      ],
    );
    assert.match(text.stdout, /rolled back after the run .*cache-alpha/);
    assert.match(text.stdout, /cache-beta \(skipped: left as it is: toggle betaCache is now "maintenance"/);

    assert.equal(report.code, 0, report.stderr);
    const r = OutputContractSchema.parse(JSON.parse(report.stdout));
    assert.deepEqual(r.optimizations_implemented.map((o) => [o.id, o.status]).sort(), [
      ['cache-alpha', 'rolled_back'],
      ['cache-beta', 'rolled_back'],
    ]);
    assert.ok(
      r.next_steps.some((n) => /rolled back after the run/.test(n)),
      r.next_steps.join('\n'),
    );
    assert.ok(r.next_steps.some((n) => /cache-beta: left as it is: toggle betaCache is now "maintenance"/.test(n)));
    const playbook = readdirSync(join(dir, 'reports')).find((f) => f.endsWith('.playbook.md'))!;
    const md = readFileSync(join(dir, 'reports', playbook), 'utf8');
    assert.match(md, /None: nothing the tool applied is still in place/);
    assert.match(md, /## Rolled back after the run/);
    assert.match(md, /cache-beta.*left as it is/);
  });

  test('undoing an index checks it first: gone is already dropped, another definition is not ours', async () => {
    await pool.query('DROP TABLE IF EXISTS rb_orders');
    await pool.query('CREATE TABLE rb_orders (id int PRIMARY KEY, customer int, placed int)');
    const target = parseTargetProfile({ ...shop.profile, database: { urlEnv: 'RBSHOP_DB_URL' } });
    const applied = await client.workflow.execute(optimizationWorkflow, {
      taskQueue: TASK_QUEUE,
      workflowId: 'rb-indexes:optimization',
      args: [{ target, items: [indexItem('idx-customer', 'rb_customer', 'customer'), indexItem('idx-placed', 'rb_placed', 'placed')] }],
    });
    assert.equal(applied.failed, null);
    assert.ok(await indexDef('rb_customer'));
    // Someone drops one index, and replaces the other with an index of the same name on another column.
    await pool.query('DROP INDEX rb_customer');
    await pool.query('DROP INDEX rb_placed');
    await pool.query('CREATE INDEX rb_placed ON rb_orders (customer, placed)');
    const replaced = await indexDef('rb_placed');
    // And a toggle change whose previous value is back already.
    shop.toggles.alphaCache = false;
    const toggled: AppliedChange = {
      itemId: 'cache-alpha',
      action: { type: 'feature_toggle', toggle: 'alphaCache', value: true },
      appliedAt: new Date().toISOString(),
      undo: { type: 'set_toggle', toggle: 'alphaCache', value: false },
      details: '',
    };
    const writes = shop.writes.length;
    const undone = await client.workflow.execute(rollbackChangesWorkflow, {
      taskQueue: TASK_QUEUE,
      workflowId: 'rb-indexes:rollback',
      args: [{ target, changes: [toggled, ...applied.applied], reason: 'test' }],
    });
    const byId = Object.fromEntries(undone.map((u) => [u.itemId, u]));
    assert.equal(byId['idx-customer'].ok, true);
    assert.match(byId['idx-customer'].skipped ?? '', /already dropped/);
    assert.equal(byId['idx-placed'].ok, true, byId['idx-placed'].details);
    assert.match(byId['idx-placed'].skipped ?? '', /not the run's/);
    assert.equal(await indexDef('rb_placed'), replaced, 'an index that is not the run’s is left as it is');
    assert.match(byId['cache-alpha'].skipped ?? '', /already restored/);
    assert.equal(shop.writes.length, writes, 'nothing written to the toggle API');
  });

  test('an undo that fails is reported, exits 1, and the next rollback retries it alone', async () => {
    Object.assign(shop.toggles, { alphaCache: false, betaCache: false });
    const { id, handle } = await runShop();
    await handle.result();
    assert.deepEqual({ ...shop.toggles }, { alphaCache: true, betaCache: true });
    alpha.refuse = true; // the toggle API refuses alphaCache for now
    const first = await cli(['rollback', id]);
    assert.equal(first.code, 1, first.stdout);
    assert.match(first.stdout, /FAILED cache-alpha: rollback failed: .*locked during the sale/);
    assert.match(first.stdout, /rolled back cache-beta: toggle betaCache restored to false/);
    assert.match(first.stderr, /1 undo\(s\) failed; fix the cause and run perf-orch rollback perf-rbshop again: only those are retried/);
    alpha.refuse = false;
    const writes = shop.writes.length;
    const second = await cli(['rollback', id]);
    assert.equal(second.code, 0, second.stderr);
    assert.equal(second.stdout.trim(), 'rolled back cache-alpha: toggle alphaCache restored to false');
    assert.deepEqual(shop.writes.slice(writes), [{ name: 'alphaCache', value: false }], 'betaCache is not touched again');
    const third = await cli(['rollback', id]);
    assert.match(third.stdout, /already rolled back/);
    const record: RolledBackChange[] = await client.workflow.getHandle(rollbackWorkflowId(id, handle.firstExecutionRunId)).result();
    assert.deepEqual(
      record.map((r) => [r.itemId, r.ok]),
      [
        ['cache-beta', true],
        ['cache-alpha', false],
        ['cache-alpha', true],
      ],
    );
    // The latest rollback (a previous record in, one change left to undo): replayed by test/replay.
    await recordHistories(client, 'rollback-retried', [rollbackWorkflowId(id, handle.firstExecutionRunId)]);
  });
});
