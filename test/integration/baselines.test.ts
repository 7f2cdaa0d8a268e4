// Baselines and trends against a real PostgreSQL store: a baseline pinned from a stored run (its
// after window's real load-test result, histograms included), from a check, exported to a file and
// imported back unchanged, the gate's activities, and the CLI's baseline and trend commands.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { Pool } from 'pg';
import { parseTargetProfile } from '../../common/profile';
import type { RunInput } from '../../common/run';
import type { LoadTestRequest, LoadTestSummary } from '../../common/types';
import type { CheckResult } from '../../common/gate/types';
import { TargetConnections } from '../../activities/connections';
import { createLoadTestActivities } from '../../activities/loadtest/activity';
import { createStoreActivities } from '../../activities/store/activities';
import { createBaselineActivities } from '../../activities/store/baselines';
import { baselineFromCheck, baselineFromRun, BaselineSourceError } from '../../activities/store/queries/baseline-sources';
import {
  getBaselineHistograms,
  latestPinned,
  listBaselines,
  pinBaseline,
  recentPassingChecks,
  unpin,
} from '../../activities/store/queries/baselines';
import { exportBaseline, importBaseline } from '../../activities/store/queries/baseline-transfer';
import { migrateStore, STORE_SCHEMA } from '../../activities/store/schema';
import { perfOrch } from '../helpers/cli';
import { runDatabase } from '../helpers/services';
import { sampleCheck, sampleContract } from '../helpers/baseline-fixtures';

const RUN = (n: number) => `0b6b2c1e-1111-4222-8333-00000000000${n}`;
let server: Server;
let store: Pool;
let storeUrl: string;
let dropStore: () => Promise<void>;
let connections: TargetConnections;
const measured: LoadTestSummary[] = [];
const dir = mkdtempSync(join(tmpdir(), 'perf-baselines-'));

/** One real load test (1 s, 2 connections) against the local server, its full result stored as the activity does. */
async function loadTest(runId: string, phase: LoadTestRequest['phase']): Promise<LoadTestSummary> {
  const port = (server.address() as AddressInfo).port;
  const target = parseTargetProfile({
    name: 'shop',
    http: { baseUrl: `http://127.0.0.1:${port}`, endpoints: [{ name: 'item', path: '/item' }] },
    targets: { p95Ms: 100, p99Ms: 200, throughputRps: 10 },
  });
  const activities = createLoadTestActivities({ store, connections, policy: connections.policy });
  const req: LoadTestRequest = { runId, phase, target, concurrency: 2, durationSeconds: 1, warmupSeconds: 0 };
  return new MockActivityEnvironment().run(activities.runLoadTest, req);
}

/** A finished run recorded the way the orchestration records it (started, then its validated result). */
async function recordRun(workflowId: string, runId: string, contract: ReturnType<typeof sampleContract>): Promise<void> {
  const activities = createStoreActivities({ store } as Parameters<typeof createStoreActivities>[0]);
  const input = { target: { name: contract.target_system } } as unknown as RunInput;
  await activities.recordRunStarted({ workflowId, runId, input });
  await activities.recordRunResult({
    workflowId,
    runId,
    status: contract.validation_results.improvement_summary.outcome,
    result: contract,
  });
}

async function recordCheck(workflowId: string, result: CheckResult, finishedAt: string): Promise<void> {
  await store.query(
    `INSERT INTO ${STORE_SCHEMA}.checks (workflow_id, run_id, target, verdict, result, started_at, finished_at) VALUES ($1, $2, $3, $4, $5, $6, $6)`,
    [workflowId, RUN(9), result.target, result.verdict, JSON.stringify(result), finishedAt],
  );
}

before(async () => {
  server = createServer((_req, res) => setTimeout(() => res.end('ok'), 2));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const db = await runDatabase('perf_test_baselines');
  storeUrl = db.url;
  dropStore = db.drop;
  store = new Pool({ connectionString: storeUrl });
  await migrateStore(store);
  connections = new TargetConnections();
  // Run 1 improved (after window kept); run 2's changes were rolled back (its baseline window is the reference).
  measured.push(await loadTest(RUN(1), 'baseline'), await loadTest(RUN(1), 'after'));
  await recordRun('perf-shop-1', RUN(1), sampleContract({ baselineId: measured[0].id, afterId: measured[1].id }));
  await recordRun(
    'perf-shop-2',
    RUN(2),
    sampleContract({ baselineId: measured[0].id, afterId: measured[1].id, outcome: 'regressed_rolled_back', states: ['rolled_back'] }),
  );
  await store.query(
    `UPDATE ${STORE_SCHEMA}.runs SET started_at = now() - interval '2 hours', finished_at = now() - interval '90 minutes' WHERE run_id = $1`,
    [RUN(1)],
  );
});

after(async () => {
  server?.close();
  await connections?.close();
  await store?.end();
  await dropStore?.();
});

describe('pinning from the store', () => {
  test("a run's after window: the summary rebuilt from its stored result, with the histograms", async () => {
    const c = await baselineFromRun(store, { target: 'shop', workflowId: 'perf-shop-1' });
    assert.equal(c.source, `run:perf-shop-1/${RUN(1)}`);
    assert.match(c.why, /^the after window of run perf-shop-1\/\S+ \(outcome improved\)$/);
    // All the activity returned but what the artifact does not keep (the wall-clock window, the host reading).
    const { window: _w, host: _h, ...fromActivity } = measured[1];
    assert.deepEqual(c.summary, fromActivity);
    assert.ok(c.summary.perSecond!.rps.length >= 1 && c.summary.requests > 50, `${c.summary.requests} requests`);
    const histograms = c.histograms as { result: { histograms: { overall: string } } };
    assert.match(histograms.result.histograms.overall, /^HIST/);
    const b = await pinBaseline(store, { ...c, note: 'release 1', createdBy: 'test' });
    assert.deepEqual(await latestPinned(store, 'shop'), b);
    assert.deepEqual(await getBaselineHistograms(store, b.id), c.histograms);
  });

  test('the latest run, whose changes were rolled back: its baseline window, and why', async () => {
    const c = await baselineFromRun(store, { target: 'shop' });
    assert.equal(c.source, `run:perf-shop-2/${RUN(2)}`);
    assert.match(c.why, /baseline window .* its changes were undone \(regressed_rolled_back\)/);
    assert.equal(c.summary.id, measured[0].id);
    assert.equal(c.summary.phase, 'baseline');
  });

  test('a run of another target, an unknown run and a target without runs are refused by name', async () => {
    await assert.rejects(
      baselineFromRun(store, { target: 'blog', workflowId: 'perf-shop-1' }),
      /perf-shop-1\/\S+ is a run of target "shop", not "blog"/,
    );
    await assert.rejects(baselineFromRun(store, { target: 'shop', workflowId: 'nope' }), BaselineSourceError);
    await assert.rejects(baselineFromRun(store, { target: 'blog' }), /no finished run of target "blog"/);
  });

  test('checks: recentPassingChecks newest first and only passing; a baseline from the latest passing check', async () => {
    const s = (p95: number) => ({ ...measured[1], latencyMs: { ...measured[1].latencyMs, p95 } });
    await recordCheck('check-a', sampleCheck('pass', s(11)), '2026-11-30T10:00:00Z');
    await recordCheck('check-b', sampleCheck('fail', s(99)), '2026-11-30T11:00:00Z');
    await recordCheck('check-c', sampleCheck('pass', s(12)), '2026-11-30T12:00:00Z');
    await recordCheck('check-blog', sampleCheck('pass', s(13), 'blog'), '2026-11-30T12:30:00Z');
    const recent = await recentPassingChecks(store, 'shop', 5);
    assert.deepEqual(
      recent.map((r) => r.latencyMs.p95),
      [12, 11],
    );
    assert.equal((await recentPassingChecks(store, 'shop', 1)).length, 1);
    const c = await baselineFromCheck(store, { target: 'shop' });
    assert.equal(c.source, `check:check-c/${RUN(9)}`);
    assert.equal(c.summary.latencyMs.p95, 12);
    const activities = createBaselineActivities({ store });
    assert.deepEqual(await activities.recentPassingChecks({ target: 'shop', n: 2 }), recent);
  });

  test('an interleaved check (one short candidate block) is no baseline: skipped by recent and the latest, refused by name', async () => {
    const block = { ...measured[1], latencyMs: { ...measured[1].latencyMs, p95: 14 } };
    const interleaved: CheckResult = {
      ...sampleCheck('pass', block),
      baseline: {
        kind: 'interleaved',
        baselineIds: [],
        method: 'interleaved blocks, 2 pairs, paired t on log p95',
        p95Ratio: 1,
        p95RatioLow: 0.9,
        p95RatioHigh: 1.1,
        verdict: 'pass',
        why: 'no regression beyond noise',
      },
    };
    await recordCheck('check-d', interleaved, '2026-11-30T13:00:00Z');
    assert.deepEqual(
      (await recentPassingChecks(store, 'shop', 5)).map((r) => r.latencyMs.p95),
      [12, 11],
    );
    assert.equal((await baselineFromCheck(store, { target: 'shop' })).source, `check:check-c/${RUN(9)}`);
    await assert.rejects(
      baselineFromCheck(store, { target: 'shop', workflowId: 'check-d' }),
      (e: Error) =>
        e instanceof BaselineSourceError &&
        /check-d\/\S+ compared with a live baseline \(--baseline-url\).*--baseline pinned, recent:N or none/.test(e.message),
    );
  });
});

describe('export and import', () => {
  test('round trip: the same summary and histograms, pinned as the newest, with the origin in the note', async () => {
    const c = await baselineFromRun(store, { target: 'shop', workflowId: 'perf-shop-1' });
    const b = await pinBaseline(store, { ...c, note: 'to export', createdBy: 'alice' });
    const file = await exportBaseline(store, b.id);
    assert.ok(file);
    const copy = await importBaseline(store, JSON.parse(JSON.stringify(file)), 'shop-baseline.json', 'ci');
    assert.equal(copy.source, 'import:shop-baseline.json');
    assert.deepEqual(copy.summary, b.summary);
    assert.deepEqual(await getBaselineHistograms(store, copy.id), await getBaselineHistograms(store, b.id));
    assert.match(copy.note!, /^to export \(imported from run:perf-shop-1\/\S+, created \S+ by alice\)$/);
    assert.deepEqual(await latestPinned(store, 'shop'), copy);
    const listed = await listBaselines(store, 'shop');
    assert.deepEqual(
      listed.slice(0, 2).map((x) => x.id),
      [copy.id, b.id],
    );
    assert.equal((await listBaselines(store)).length, listed.length);
    await assert.rejects(importBaseline(store, { ...file, extra: 1 }, 'x.json', 'ci'), /\(root\): unknown key "extra"/);
  });

  test('loadBaseline: the latest pinned, one by id (of this target only), none for a target without', async () => {
    const activities = createBaselineActivities({ store });
    const latest = await activities.loadBaseline({ target: 'shop' });
    assert.deepEqual(latest, await latestPinned(store, 'shop'));
    assert.ok(latest && !('histograms' in latest), 'no histograms in workflow history');
    await unpin(store, latest.id);
    assert.notEqual((await activities.loadBaseline({ target: 'shop' }))?.id, latest.id);
    assert.equal((await activities.loadBaseline({ target: 'shop', id: latest.id }))?.id, latest.id);
    assert.equal(await activities.loadBaseline({ target: 'blog' }), null);
    await assert.rejects(activities.loadBaseline({ target: 'blog', id: latest.id }), /is of target "shop", not "blog"/);
    await assert.rejects(activities.loadBaseline({ target: 'shop', id: '999999' }), /baseline 999999 is not in the store/);
  });
});

describe('the CLI', () => {
  const cli = (...args: string[]) => perfOrch(args, { env: { ...process.env, PERF_STORE_URL: storeUrl } });

  test('baseline pin, list, show, export, import; usage errors exit 2 naming the flag', async () => {
    const pinned = await cli('baseline', 'pin', '--target', 'shop', '--from-run', `perf-shop-1/${RUN(1)}`, '--note', 'from the CLI');
    assert.equal(pinned.code, 0, pinned.stderr);
    const id = /pinned baseline (\d+) for target shop: the after window/.exec(pinned.stdout)?.[1];
    assert.ok(id, pinned.stdout);
    const [list, show] = await Promise.all([cli('baseline', 'list', '--target', 'shop'), cli('baseline', 'show', id)]);
    assert.match(list.stdout, new RegExp(`^${id} +shop +pinned .* run:perf-shop-1/`, 'm'));
    const l = measured[1].latencyMs;
    assert.match(show.stdout, new RegExp(`latency: +p50 ${Math.round(l.p50 * 10) / 10} ms, p95 ${Math.round(l.p95 * 10) / 10} ms`));
    assert.match(show.stdout, /measured: +\d+ s \(per-second series kept\)/);
    assert.match(show.stdout, /host load: +not read/);
    assert.match(show.stdout, /^item +\d+ +0 +/m);
    const file = join(dir, 'b.json');
    const exported = await cli('baseline', 'export', id, '--file', file);
    assert.equal(exported.code, 0, exported.stderr);
    const imported = await cli('baseline', 'import', '--file', file);
    assert.match(imported.stdout, /imported .*b\.json as baseline \d+ of target shop \(pinned\)/);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), version: 3 }));
    const refused = await cli('baseline', 'import', '--file', bad);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /bad\.json: version is 3; this perf-orch reads version 1/);
    const usage = await Promise.all([cli('baseline', 'pin'), cli('baseline', 'export', id), cli('trend')]);
    assert.deepEqual(
      usage.map((u) => u.code),
      [2, 2, 2],
    );
    assert.match(usage[0].stderr, /baseline pin needs --target NAME/);
    assert.match(usage[1].stderr, /baseline export needs --file FILE/);
    assert.match(usage[2].stderr, /trend needs --target NAME/);
  });

  test('trend: the runs and checks in a table, the changes listed, and an HTML page of SVG charts', async () => {
    const html = join(dir, 'trend.html');
    const [r, last] = await Promise.all([
      cli('trend', '--target', 'shop', '--html', html),
      cli('trend', '--target', 'shop', '--last', '2', '--json'),
    ]);
    assert.equal(r.code, 0, r.stderr);
    // Two runs of two points each and four shop checks (one interleaved).
    assert.match(r.stdout, /trend of shop: 8 point\(s\)/);
    assert.match(r.stdout, /#1 .* perf-shop-1\/\S+ \(improved\)/);
    assert.match(r.stdout, /rolled back: cache-catalog/);
    const page = readFileSync(html, 'utf8');
    assert.equal((page.match(/<svg /g) ?? []).length, 3);
    assert.equal((page.match(/<line class="marker"/g) ?? []).length, 2 * 3);
    assert.equal((JSON.parse(last.stdout) as { points: unknown[] }).points.length, 2);
  });
});
