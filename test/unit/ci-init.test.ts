// `perf-orch ci init`'s generators: the GitHub Actions and GitLab CI files, parsed back and read as
// the CI would; their shell run by bash (syntax, and the target start with a real listener).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import { parseTargetProfile } from '../../common/profile';
import { ciInput, type CiInput } from '../../client/ci/ci-input';
import { githubWorkflow } from '../../client/ci/github';
import { gitlabCi } from '../../client/ci/gitlab';
import { startTargetScript, TEMPORAL_READY, WORKER_READY } from '../../client/ci/shell';
import { devServerLines } from '../../client/dev/dev-server-env';
import { loadProfileFile } from '../../client/profile-file';
import { freePort } from '../helpers/ports';

const ROOT = join(__dirname, '../..');
const shop = loadProfileFile(join(ROOT, 'demo/targets/shop.yaml'));
const START = `API_KEY="$SHOP_ADMIN_TOKEN" node server.js --name 'it''s'`;

function input(over: Partial<Parameters<typeof ciInput>[1]> = {}, profile = shop): CiInput {
  return ciInput(profile, {
    profilePath: 'perf/shop.yaml',
    start: START,
    baselineFile: 'perf/baseline.json',
    generatedBy: 'perf-orch ci init --provider github --target perf/shop.yaml',
    ...over,
  });
}

interface GhStep {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}

function githubJob(text: string) {
  const wf = YAML.parse(text) as {
    on: Record<string, unknown>;
    jobs: Record<string, { services: Record<string, { image: string }>; steps: GhStep[] }>;
  };
  return { wf, job: wf.jobs['perf-check']! };
}

const stepIndex = (steps: GhStep[], re: RegExp) => steps.findIndex((s) => re.test(s.run ?? '') || re.test(s.uses ?? ''));

test('github: pull_request and workflow_dispatch, postgres:15 as a service, the steps in the order a check needs', () => {
  const { wf, job } = githubJob(githubWorkflow(input()));
  assert.deepEqual(Object.keys(wf.on), ['pull_request', 'workflow_dispatch']);
  assert.equal(job.services.postgres!.image, 'postgres:15');
  const order = [
    /actions\/checkout@v4/,
    /actions\/setup-node@v4/,
    /^npm ci$/,
    /install-temporal\.sh/,
    /perf-orch dev server/,
    /worker\/main\.ts/,
    /PERF_TARGET_START/,
    /perf-orch baseline import --file perf\/baseline\.json/,
    /perf-orch check /,
    /GITHUB_STEP_SUMMARY/,
    /actions\/upload-artifact@v4/,
  ].map((re) => stepIndex(job.steps, re));
  assert.ok(!order.includes(-1), `every step is there: ${order.join(',')}`);
  assert.deepEqual(
    order,
    [...order].sort((a, b) => a - b),
  );
  const node = job.steps.find((s) => s.uses === 'actions/setup-node@v4')!;
  assert.deepEqual(node.with, { 'node-version': 20, cache: 'npm' });
});

test('github: the check names the profile, the pinned baseline and the JUnit and Markdown files; reports are uploaded always', () => {
  const { job } = githubJob(githubWorkflow(input()));
  const check = job.steps.find((s) => s.run?.startsWith('npx perf-orch check'))!;
  assert.equal(
    check.run,
    'npx perf-orch check --target perf/shop.yaml --baseline pinned --junit reports/perf-junit.xml --markdown reports/perf-summary.md --wait',
  );
  const summary = job.steps.find((s) => s.run?.includes('GITHUB_STEP_SUMMARY'))!;
  assert.equal(summary.if, 'always()');
  assert.match(summary.run!, /cat reports\/perf-summary\.md >> "\$GITHUB_STEP_SUMMARY"/);
  const upload = job.steps.find((s) => s.uses === 'actions/upload-artifact@v4')!;
  assert.equal(upload.if, 'always()');
  assert.deepEqual(String(upload.with!.path).trim().split('\n'), ['reports/', 'perf-logs/']);
});

test("github: the profile's secrets reach the worker step only, by name from the repository secrets", () => {
  const { job } = githubJob(githubWorkflow(input()));
  const worker = job.steps.find((s) => s.run?.includes('worker/main.ts'))!;
  assert.deepEqual(worker.env, {
    SHOP_ADMIN_TOKEN: '${{ secrets.SHOP_ADMIN_TOKEN }}',
    SHOP_DATABASE_URL: '${{ secrets.SHOP_DATABASE_URL }}',
    SHOP_DEMO_PASSWORD: '${{ secrets.SHOP_DEMO_PASSWORD }}',
    SHOP_REDIS_URL: '${{ secrets.SHOP_REDIS_URL }}',
  });
  const others = job.steps.filter((s) => s !== worker).map((s) => JSON.stringify(s));
  assert.ok(!others.some((s) => s.includes('secrets.')), 'no other step sees a secret');
});

test('the start command reaches CI exactly as given (quotes, $ and all): an env value, never spliced into the script', () => {
  const { job } = githubJob(githubWorkflow(input()));
  const start = job.steps.find((s) => s.env?.PERF_TARGET_START)!;
  assert.equal(start.env!.PERF_TARGET_START, START);
  assert.ok(!start.run!.includes('server.js'));
  const gl = YAML.parse(gitlabCi(input()))['perf-check'];
  // GitLab expands $NAME in variables unless told not to.
  assert.deepEqual(gl.variables.PERF_TARGET_START, { value: START, expand: false });
  const plain = YAML.parse(gitlabCi(input({ start: 'npm start' })))['perf-check'];
  assert.equal(plain.variables.PERF_TARGET_START, 'npm start');
});

test('gitlab: postgres service, artifacts.reports.junit, artifacts kept always, the check with the JUnit flag', () => {
  const gl = YAML.parse(gitlabCi(input()))['perf-check'];
  assert.deepEqual(gl.services, [{ name: 'postgres:15', alias: 'postgres' }]);
  assert.match(gl.variables.PERF_STORE_URL, /@postgres:5432\//);
  assert.equal(gl.artifacts.reports.junit, 'reports/perf-junit.xml');
  assert.equal(gl.artifacts.when, 'always');
  assert.deepEqual(gl.artifacts.paths, ['reports/', 'perf-logs/']);
  assert.deepEqual(gl.script, [
    'npx perf-orch baseline import --file perf/baseline.json',
    'npx perf-orch check --target perf/shop.yaml --baseline pinned --junit reports/perf-junit.xml --markdown reports/perf-summary.md --wait',
  ]);
  assert.match(gl.image, /^node:20/);
  assert.ok(gl.rules.some((r: { if: string }) => r.if.includes('merge_request_event')));
});

test('without --start the job waits for the base URL instead; a non-loopback base URL is allowed to the worker (PERF_TARGET_HOSTS)', () => {
  const i = input({ start: undefined, baseUrl: 'https://staging.example.com' });
  assert.equal(i.targetHosts, '127.0.0.1,localhost,::1,staging.example.com');
  const { job } = githubJob(githubWorkflow(i));
  assert.equal(stepIndex(job.steps, /PERF_TARGET_START/), -1);
  assert.match(
    job.steps.find((s) => s.name === 'Wait for the target')!.run!,
    /curl -s -o \/dev\/null --max-time 2 https:\/\/staging\.example\.com/,
  );
  assert.equal(job.steps.find((s) => s.run?.includes('worker/main.ts'))!.env!.PERF_TARGET_HOSTS, i.targetHosts);
  assert.match(job.steps.find((s) => s.run?.startsWith('npx perf-orch check'))!.run!, /--base-url https:\/\/staging\.example\.com /);
  const gl = YAML.parse(gitlabCi(i))['perf-check'];
  assert.equal(gl.variables.PERF_TARGET_HOSTS, i.targetHosts);
  assert.equal(gl.variables.PERF_TARGET_START, undefined);
  // A loopback-only profile without secrets: no PERF_TARGET_HOSTS, no env on the worker step.
  const bare = parseTargetProfile(
    {
      name: 'api',
      http: { baseUrl: 'http://localhost:3000', endpoints: [{ name: 'home', path: '/' }] },
      targets: { p95Ms: 100, p99Ms: 200, throughputRps: 10 },
    },
    'api.yaml',
  );
  const b = input({}, bare);
  assert.equal(b.targetHosts, undefined);
  assert.deepEqual(b.secrets, []);
  assert.equal(githubJob(githubWorkflow(b)).job.steps.find((s) => s.run?.includes('worker/main.ts'))!.env, undefined);
});

test('the files are stable (same input, same text) and commented', () => {
  for (const gen of [githubWorkflow, gitlabCi]) {
    const text = gen(input());
    assert.equal(gen(input()), text);
    assert.match(text, /^# Performance check of shop /);
    assert.ok(text.split('\n').filter((l) => /^\s*# /.test(l)).length >= 10, 'says what its parts do');
    assert.ok(!/[ \t]$/m.test(text), 'no trailing whitespace');
  }
});

test('the readiness lines the CI waits for are the ones the dev server and the worker print', () => {
  assert.ok(devServerLines({ port: 7233, uiPort: 8233 }, 'x.log')[0]!.startsWith(TEMPORAL_READY));
  assert.ok(readFileSync(join(ROOT, 'worker/main.ts'), 'utf8').includes(`\`${WORKER_READY} task queue`));
});

test('every shell script of both files is valid bash', () => {
  const scripts: string[] = [];
  for (const s of githubJob(githubWorkflow(input())).job.steps) if (s.run) scripts.push(s.run);
  const gl = YAML.parse(gitlabCi(input()))['perf-check'];
  scripts.push(...gl.before_script, ...gl.script, ...gl.after_script);
  for (const script of scripts) {
    const r = spawnSync('bash', ['-n'], { input: script, encoding: 'utf8' });
    assert.equal(r.status, 0, `${script}\n${r.stderr}`);
  }
});

test('the target step starts the command in the background and ends once the base URL answers; a command that dies fails it with its log', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ci-init-'));
  const port = await freePort();
  // Listens after 1 s, answers 404 (any answer counts), and stops by itself.
  writeFileSync(
    join(dir, 'server.js'),
    `setTimeout(() => require('http').createServer((q, s) => { s.statusCode = 404; s.end(); }).listen(${port}, '127.0.0.1'), 1000);\n` +
      'setTimeout(() => process.exit(0), 6000);\n',
  );
  const run = (start: string, onPort: number) =>
    spawnSync('bash', ['-e', '-c', startTargetScript(input({ baseUrl: `http://127.0.0.1:${onPort}` }))], {
      cwd: dir,
      env: { ...process.env, PERF_TARGET_START: start },
      encoding: 'utf8',
      timeout: 30_000,
    });
  const ok = run('node server.js', port);
  assert.equal(ok.status, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, new RegExp(`the target \\(http://127\\.0\\.0\\.1:${port}\\) is up`));
  const started = Date.now();
  const dead = run('echo "cannot bind: address in use" >&2; exit 3', await freePort());
  assert.equal(dead.status, 1);
  assert.match(dead.stdout, /did not start within 120 s; its log \(perf-logs\/target\.log\):\ncannot bind: address in use/);
  assert.ok(Date.now() - started < 5000, 'a dead process fails the step at once, not after the timeout');
});
