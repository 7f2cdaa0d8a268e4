// The workflow bundler compiles .ts files except those under node_modules. When perf-orchestrator is
// itself a dependency (node_modules/perf-orchestrator, as `perf-orch ci init` sets a project up), our
// workflows and common/ are such files: this hook lets the bundler compile ours, and still none else.
import { resolve, sep } from 'node:path';
import type { BundleOptions } from '@temporalio/worker';

type WebpackConfig = Parameters<NonNullable<BundleOptions['webpackConfigHook']>>[0];
type Rule = { test?: unknown; exclude?: unknown };

export const PROJECT_ROOT = resolve(__dirname, '..');

/** Whether the bundler's TypeScript rule must skip `file`: it is under node_modules, and not ours (or in our own node_modules). */
export function notOurTypeScript(root: string): (file: string) => boolean {
  const ours = root + sep;
  const ownDeps = resolve(root, 'node_modules') + sep;
  return (file) => (file.startsWith(ours) ? file.startsWith(ownDeps) : /[\\/]node_modules[\\/]/.test(file));
}

export function compileOurWorkflows(root: string = PROJECT_ROOT): (config: WebpackConfig) => WebpackConfig {
  return (config) => {
    for (const rule of (config.module?.rules ?? []) as Rule[]) {
      if (rule && rule.test instanceof RegExp && rule.test.test('x.ts') && rule.exclude instanceof RegExp)
        rule.exclude = notOurTypeScript(root);
    }
    return config;
  };
}
