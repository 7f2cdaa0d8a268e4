// The CLI end to end, as a user runs it: real Temporal dev server, a worker process, the demo shop
// on real PostgreSQL and Redis.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { OutputContractSchema } from '../../common/output-contract';
import { startDemoTarget, type DemoTarget } from '../helpers/demo-target';
import { runDatabase } from '../helpers/services';
import { startTemporal } from '../helpers/temporal';
import { eventually } from '../helpers/eventually';
import { CLI_BIN, cliBundle, perfOrch, runCli, type CliResult } from '../helpers/cli';
import { statusQuery } from '../../workflows/messages';

const ROOT = join(__dirname, '../..');

let env: TestWorkflowEnvironment;
let shop: DemoTarget;
let worker: ChildProcess;
let workerLog = '';
let cliEnv: NodeJS.ProcessEnv;
let storeDb: Awaited<ReturnType<typeof runDatabase>> | undefined;
const dir = mkdtempSync(join(tmpdir(), 'perf-e2e-'));
const profileFile = join(dir, 'shop.json');
const checkProfileFile = join(dir, 'shop-check.json');

// perf-orch from the bundle (test/helpers/cli.ts); binCli runs bin/perf-orch, the user's entry point.
const cli = (args: string[]): Promise<CliResult> => perfOrch(args, { env: cliEnv, cwd: dir, timeoutMs: 300_000 });
const binCli = (args: string[]): Promise<CliResult> => runCli(CLI_BIN, args, { env: cliEnv, cwd: dir, timeoutMs: 300_000 });

before(async () => {
  let storeUrl: string;
  [env, shop, storeUrl] = await Promise.all([
    startTemporal(),
    // No A/B or blocks: the per-item measurement is covered in test/integration (orchestration, ab-validation).
    startDemoTarget('perf_test_e2e_shop', { load: { concurrency: 8, durationSeconds: 3, warmupSeconds: 1, abPairs: 0 } }),
    // A store of its own per test process: checks and baselines of earlier runs would answer --baseline recent.
    runDatabase('perf_test_e2e_store').then((d) => ((storeDb = d), d.url)),
    cliBundle(),
  ]);
  writeFileSync(profileFile, JSON.stringify(shop.profile, null, 2));
  cliEnv = { ...process.env, TEMPORAL_ADDRESS: env.address, TEMPORAL_NAMESPACE: env.namespace ?? 'default', PERF_STORE_URL: storeUrl };
  // Short checks: the comparison with a pinned baseline then says it has too few seconds (the watch
  // integration test measures ten a side and compares for real).
  writeFileSync(checkProfileFile, JSON.stringify(shop.profile, null, 2));
  // The worker, like a user's: its own process, the secrets only in its environment.
  worker = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'worker/main.ts')], {
    cwd: ROOT,
    env: { ...cliEnv, ...shop.env, PERF_STORE_URL: storeUrl },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  worker.stdout!.on('data', (d) => (workerLog += d));
  worker.stderr!.on('data', (d) => (workerLog += d));
  await eventually(
    'the worker to start',
    async () =>
      workerLog.includes('worker serving')
        ? true
        : worker.exitCode !== null || worker.signalCode !== null
          ? Promise.reject(new Error(`the worker exited (${worker.exitCode ?? worker.signalCode}): ${workerLog}`))
          : undefined,
    120_000,
  );
});

after(async () => {
  // A worker that died (by a signal too) sends no more 'exit': waiting for one would hang the file.
  if (worker && worker.exitCode === null && worker.signalCode === null) {
    const exited = new Promise((r) => worker.once('exit', r));
    worker.kill('SIGTERM');
    await exited;
  }
  await shop?.close();
  await env?.teardown();
  await storeDb?.drop();
});

describe('perf-orch CLI', { concurrency: false }, () => {
  test('an invalid profile exits 2 and names the wrong field', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'name: Shop!\nhttp:\n  baseUrl: not-a-url\n  endpoints: []\ntargets: {p95Ms: 10, p99Ms: 20, throughputRps: 5}\n');
    const [r, tier] = await Promise.all([cli(['run', '--target', bad]), cli(['run', '--target', profileFile, '--tier', 'T9'])]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /Invalid target profile .*bad\.yaml/);
    assert.match(r.stderr, /- name: use 1-41 lower-case/);
    assert.match(r.stderr, /- http\.baseUrl: must be an absolute URL/);
    assert.match(r.stderr, /- http\.endpoints: list at least one endpoint/);
    assert.equal(tier.code, 2);
    assert.match(tier.stderr, /--tier must be auto, T1, T2, T3 or T4/);
  });

  test('run --auto-approve --wait improves p95 and throughput, measured by real load tests, and writes the report', async () => {
    const reports = join(dir, 'reports');
    // The user's entry point, bin/perf-orch (the other calls run the same client from the bundle).
    const r = await binCli([
      'run',
      '--target',
      profileFile,
      '--tier',
      'T1',
      '--auto-approve',
      '--wait',
      '--reports',
      reports,
      '--pin-baseline',
      '--watch-every',
      '1w',
    ]);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}\n${workerLog.slice(-3000)}`);
    assert.match(r.stdout, /p95 latency \(ms\)/);
    // Live progress of the load tests, read from their heartbeats: the test that runs, and never a load of zeros.
    assert.match(r.stderr, /profiling: baseline load test: \d+\/\d+s, [\d.]+ req\/s, p95 [\d.]+ ms, \d+ errors/);
    assert.doesNotMatch(r.stderr, / 0\/0s, 0 req\/s/);
    assert.match(r.stdout, /Web UI: http:\/\/.*\/namespaces\/default\/workflows\/perf-shop\//);
    const files = readdirSync(reports).filter((f) => f.endsWith('.json'));
    assert.equal(files.length, 1);
    const report = OutputContractSchema.parse(JSON.parse(readFileSync(join(reports, files[0]), 'utf8')));
    const base = files[0].replace(/\.json$/, '');
    assert.match(readFileSync(join(reports, `${base}.html`), 'utf8'), /<svg .*aria-label="p95 latency \(ms\)"/);
    assert.match(readFileSync(join(reports, `${base}.playbook.md`), 'utf8'), /perf-orch rollback perf-shop/);
    const row = (m: string) => report.validation_results.improvement_summary.comparison.find((c) => c.metric === m)!;
    assert.ok(row('p95Ms').after < row('p95Ms').before, JSON.stringify(row('p95Ms')));
    assert.ok(row('throughputRps').after > row('throughputRps').before, JSON.stringify(row('throughputRps')));
    assert.notEqual(report.baseline_metrics.load_test_id, report.regression_prevention_plan.after_load_test_id);
    assert.ok(
      report.optimizations_implemented.some((o) => o.status === 'completed' && o.type === 'index' && o.root_cause === 'missing_index'),
    );
    assert.equal(report.validation_results.improvement_summary.outcome, 'improved');
    // Left in place: the after window pinned as the baseline, and the check on a weekly schedule.
    assert.equal(report.regression_prevention, true, JSON.stringify(report.regression_prevention_plan));
    assert.equal(report.regression_prevention_plan.in_place?.watch_schedule_id, 'perf-watch-shop');
    assert.match(report.regression_prevention_plan.in_place?.pinned_baseline_id ?? '', /^\d+$/);
    const watch = await env.client.schedule.getHandle('perf-watch-shop').describe();
    assert.equal((watch.action as { workflowType: string }).workflowType, 'performanceCheck');
    // Each endpoint measured alone, before and after: the category page's N+1 is 1 + 20 statements per request.
    const listBefore = report.baseline_metrics.endpoint_attribution?.endpoints.find((e) => e.endpoint === 'products-by-category');
    assert.equal(listBefore?.statements_per_request, 21, JSON.stringify(report.baseline_metrics.endpoint_attribution));
    const pairs = report.validation_results.improvement_summary.endpoints ?? [];
    assert.deepEqual(
      pairs.map((p) => p.endpoint),
      ['products-by-category', 'catalog', 'product', 'me'],
    );
    assert.ok(pairs.every((p) => p.before && p.after));
    assert.match(r.stdout, /per endpoint \(each endpoint alone, 30 requests one at a time/);
    assert.match(r.stdout, /products-by-category +[\d.]+ +-> [\d.]+ +21 +-> [\d.]+/);
    assert.match(readFileSync(join(reports, `${base}.html`), 'utf8'), /<h2>Per endpoint \(before &rarr; after\)<\/h2>/);

    // Read-only commands, at once.
    const [status, json, list] = await Promise.all([
      cli(['status', 'perf-shop']),
      cli(['report', 'perf-shop', '--json']),
      cli(['list', '--target', 'shop']),
    ]);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /perf-shop: COMPLETED, phase completed/);
    assert.match(status.stdout, /per endpoint \(each endpoint alone/);
    assert.match(status.stdout, /products-by-category +[\d.]+ +-> [\d.]+ +21 +-> [\d.]+/);
    assert.equal(json.code, 0, json.stderr);
    assert.deepEqual(JSON.parse(json.stdout), report);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /perf-shop .* COMPLETED/);

    // Undo it all after the fact: the index and the toggles go back.
    const rb = await cli(['rollback', 'perf-shop']);
    assert.equal(rb.code, 0, rb.stderr);
    assert.match(rb.stdout, /rolled back idx-/);
    const { rows } = await shop.pool.query(
      `SELECT count(*)::int AS n FROM pg_indexes WHERE tablename = 'products' AND indexname <> 'products_pkey'`,
    );
    assert.equal(rows[0].n, 0);
  });

  test('a pending run: second run refused, unknown items refused, rejection ends it', async () => {
    const started = await cli(['run', '--target', profileFile, '--tier', 'T1']);
    assert.equal(started.code, 0, started.stderr);
    assert.match(started.stdout, /started perf-shop/);
    const again = await cli(['run', '--target', profileFile]);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /a run for target "shop" is already in progress/);

    // Waited for through the client (a status process per poll would load the machine the load test
    // runs on); `status --json` then says it too.
    const handle = env.client.workflow.getHandle('perf-shop');
    await eventually('the plan', async () =>
      (await handle.query(statusQuery).catch(() => null))?.phase === 'awaiting_approval' ? true : undefined,
    );
    // Refusals and reads, which change nothing: at once.
    const { runId } = await handle.describe();
    const [s, byRunId, approve, empty, unknown] = await Promise.all([
      cli(['status', 'perf-shop', '--json']),
      cli(['status', runId, '--json']),
      cli(['approve', 'perf-shop', '--items', 'no-such-item']),
      cli(['approve', 'perf-shop', '--items', '']),
      cli(['approve', 'perf-nothing-here']),
    ]);
    assert.equal(s.code, 0, s.stderr);
    assert.equal(JSON.parse(s.stdout).phase, 'awaiting_approval');
    assert.equal(byRunId.code, 0, `a run id alone, as perf-orch list prints it: ${byRunId.stderr}`);
    assert.equal(JSON.parse(byRunId.stdout).phase, 'awaiting_approval');
    assert.equal(approve.code, 2);
    assert.match(approve.stderr, /approval refused: unknown plan item "no-such-item"/);
    assert.equal(empty.code, 2, 'an empty --items used to approve every automatic item');
    assert.match(empty.stderr, /--items lists no plan item/);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /there is no run perf-nothing-here/);
    const reject = await cli(['reject', 'perf-shop', '--reason', 'freeze week']);
    assert.equal(reject.code, 0, reject.stderr);
    assert.match(reject.stdout, /plan of perf-shop rejected/);
    // One decision per run: an approval or a second rejection after it is refused, saying why.
    const [late, twice] = await Promise.all([cli(['approve', 'perf-shop']), cli(['reject', 'perf-shop', '--reason', 'again'])]);
    assert.equal(late.code, 2);
    // (the rejected run ends at once: usually the approval finds it ended)
    assert.match(
      late.stderr,
      /approval refused: (the plan was already rejected by .*: freeze week|perf-shop is not running \(it ended COMPLETED\))/,
    );
    assert.equal(twice.code, 2);
    assert.match(twice.stderr, /rejection refused: (the plan was already rejected|perf-shop is not running)/);
    await handle.result();
    const report = await eventually('the report', async () => {
      const r = await cli(['report', 'perf-shop', '--json']);
      return r.code === 0 ? JSON.parse(r.stdout) : undefined;
    });
    assert.equal(report.validation_results.improvement_summary.outcome, 'rejected');
  });

  test('check: usage errors exit 2 at once, naming the flag', async () => {
    const [threshold, noWait, nothing, baseline] = await Promise.all([
      cli(['check', '--target', checkProfileFile, '--threshold', 'p97<3', '--wait']),
      cli(['check', '--target', checkProfileFile, '--junit', join(dir, 'x.xml')]),
      cli(['check']),
      cli(['check', '--target', checkProfileFile, '--baseline', 'latest', '--wait']),
    ]);
    assert.equal(threshold.code, 2);
    assert.match(threshold.stderr, /--threshold: threshold "p97<3": unknown metric "p97"/);
    assert.equal(noWait.code, 2);
    assert.match(noWait.stderr, /--junit and --markdown need --wait/);
    assert.equal(nothing.code, 2);
    assert.match(nothing.stderr, /give --target <profile> to run the gate, or profile files to check them/);
    assert.equal(baseline.code, 2);
    assert.match(baseline.stderr, /--baseline must be pinned, pinned:ID, recent:N or none/);
  });

  test('check: pass (exit 0) with a JUnit report a parser reads; pin it; a broken threshold against the pinned baseline fails (exit 1)', async () => {
    const { parse } = await import('junit2json');
    const junit = join(dir, 'reports/junit.xml');
    const markdown = join(dir, 'reports/summary.md');
    const base = ['check', '--target', checkProfileFile, '--wait'];
    // Nothing to compare with yet (no passing check), or an unknown baseline: the setup is wrong, not the target (exit 2 with the fix).
    const [noChecks, unknownId] = await Promise.all([
      cli([...base, '--baseline', 'recent:3']),
      cli([...base, '--baseline', 'pinned:999999']),
    ]);
    assert.equal(noChecks.code, 2, noChecks.stdout + noChecks.stderr);
    assert.match(noChecks.stderr, /error: no passing check of target shop on record yet: run one with --baseline none first/);
    assert.equal(unknownId.code, 2, unknownId.stdout + unknownId.stderr);
    assert.match(unknownId.stderr, /error: baseline 999999 is not in the store \(see perf-orch baseline list\)/);
    const pass = await cli([
      ...base,
      '--baseline',
      'none',
      '--threshold',
      'p95<60000',
      '--threshold',
      'error_rate<50%',
      '--junit',
      junit,
      '--markdown',
      markdown,
    ]);
    assert.equal(pass.code, 0, pass.stdout + pass.stderr + workerLog.slice(-2000));
    assert.match(pass.stdout, /^PASS: perf-orch check of shop/m);
    const parsed = (await parse(readFileSync(junit, 'utf8'))) as {
      tests?: number;
      failures?: number;
      testsuite?: { testcase?: { name?: string }[] }[];
    };
    assert.equal(parsed.tests, 2);
    assert.equal(parsed.failures, 0);
    assert.deepEqual(
      parsed.testsuite?.[0].testcase?.map((c) => c.name),
      ['p95<60000', 'error_rate<50%'],
    );
    assert.match(readFileSync(markdown, 'utf8'), /^## ✅ perf-orch check: PASS \(shop\)/);

    const checkId = /started (perf-check-shop-\S+)/.exec(pass.stdout)?.[1];
    assert.ok(checkId, pass.stdout);
    const pin = await cli(['baseline', 'pin', '--target', 'shop', '--from-check', checkId]);
    assert.equal(pin.code, 0, pin.stderr);

    const junit2 = join(dir, 'reports/junit-fail.xml');
    const fail = await cli([...base, '--baseline', 'pinned', '--threshold', 'p95<0.001', '--junit', junit2]);
    assert.equal(fail.code, 1, fail.stdout + fail.stderr);
    assert.match(fail.stdout, /^FAIL: perf-orch check of shop/m);
    assert.match(
      fail.stdout,
      /baseline \(pinned \d+\): warn: not enough data for an interval of the p95 ratio \(at least 10 measured seconds a side/,
    );
    const failed = (await parse(readFileSync(junit2, 'utf8'))) as {
      failures?: number;
      testsuite?: { testcase?: { name?: string; failure?: unknown[] }[] }[];
    };
    assert.ok((failed.failures ?? 0) >= 1);
    const cases = failed.testsuite?.[0].testcase ?? [];
    assert.ok(cases.find((c) => c.name === 'p95<0.001')?.failure, JSON.stringify(cases));
    assert.ok(
      cases.some((c) => c.name === 'p95 ratio vs pinned baseline'),
      JSON.stringify(cases),
    );
    const trend = await cli(['trend', '--target', 'shop', '--json']);
    assert.equal(trend.code, 0, trend.stderr);
    assert.ok(JSON.stringify(JSON.parse(trend.stdout)).includes(checkId), 'the trend lists the check');
  });

  test('watch: the schedule the run left is shown, paused, listed and deleted; a second one is refused', async () => {
    const again = await cli(['watch', 'create', '--target', checkProfileFile, '--every', '1w']);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /perf-watch-shop already exists/);
    const [tooOften, show] = await Promise.all([
      cli(['watch', 'create', '--target', checkProfileFile, '--every', '10s']),
      cli(['watch', 'show', 'shop']),
    ]);
    assert.equal(tooOften.code, 2);
    assert.match(tooOften.stderr, /--every must be at least 1m/);
    assert.equal(show.code, 0, show.stderr);
    assert.match(show.stdout, /schedule perf-watch-shop: active/);
    assert.equal((await cli(['watch', 'pause', 'shop'])).code, 0);
    const list = await cli(['watch', 'list']);
    assert.match(list.stdout, /perf-watch-shop {2}paused/);
    assert.equal((await cli(['watch', 'delete', 'shop'])).code, 0);
    const gone = await cli(['watch', 'show', 'shop']);
    assert.equal(gone.code, 2);
    assert.match(gone.stderr, /no schedule perf-watch-shop/);
  });
});
