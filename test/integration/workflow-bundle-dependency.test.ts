// perf-orchestrator installed as a dependency (node_modules/perf-orchestrator, what `perf-orch ci init`
// sets up): the worker's workflow bundle still compiles our TypeScript workflows there. Without the
// hook the bundler's TypeScript rule skips everything under node_modules ("Module parse failed").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { compileOurWorkflows, notOurTypeScript } from '../../worker/workflow-bundle-config';

const ROOT = join(__dirname, '../..');

test('our workflows compile from node_modules/perf-orchestrator; other packages in node_modules stay uncompiled', async () => {
  // A user's project: its node_modules holds the packages (hoisted) and a real copy of our workflows and common/.
  const project = realpathSync(mkdtempSync(join(tmpdir(), 'ci-bundle-')));
  const pkg = join(project, 'node_modules/perf-orchestrator');
  mkdirSync(pkg, { recursive: true });
  for (const d of ['workflows', 'common']) cpSync(join(ROOT, d), join(pkg, d), { recursive: true });
  const deps = realpathSync(join(ROOT, 'node_modules'));
  for (const name of readdirSync(deps)) if (!name.startsWith('.')) symlinkSync(join(deps, name), join(project, 'node_modules', name));

  const skip = notOurTypeScript(pkg);
  assert.equal(/node_modules/.test(join(pkg, 'workflows/index.ts')), true, "the bundler's own rule would skip our files");
  assert.equal(skip(join(pkg, 'workflows/index.ts')), false);
  assert.equal(skip(join(pkg, 'node_modules/x/index.ts')), true);
  assert.equal(skip(join(project, 'node_modules/other/index.ts')), true);
  assert.equal(skip(join(ROOT, 'workflows/index.ts')), /[\\/]node_modules[\\/]/.test(ROOT), 'a checkout compiles as before');

  const bundle = await bundleWorkflowCode({
    workflowsPath: join(pkg, 'workflows/index.ts'),
    webpackConfigHook: compileOurWorkflows(pkg),
    logger: { info() {}, warn() {}, error() {}, debug() {}, trace() {}, log() {} } as never,
  });
  assert.match(bundle.code, /performanceOrchestration/);
});
