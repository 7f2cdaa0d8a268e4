// A real Temporal dev server per test file (the Temporal CLI, started by the SDK's test environment).
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { NativeConnection, WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { findTemporalCli } from '../../client/dev/temporal-cli';
import { SEARCH_ATTRIBUTES } from '../../common/search-attributes';
import { bundleWorkflows, createWorkers } from '../../worker/create-worker';
import { cachedWorkflowBundle } from './workflow-bundle-cache';

export async function startTemporal(): Promise<TestWorkflowEnvironment> {
  let cli: string;
  try {
    cli = findTemporalCli();
  } catch (err) {
    throw new Error(`${(err as Error).message} (tests need the real Temporal dev server)`, { cause: err });
  }
  return TestWorkflowEnvironment.createLocal({
    server: { executable: { type: 'existing-path', path: cli }, searchAttributes: SEARCH_ATTRIBUTES, extraArgs: ['--log-level', 'error'] },
  });
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
/** The workflow bundle, built once per test process, or once for all while its sources do not change (workflow-bundle-cache.ts). */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= cachedWorkflowBundle(bundleWorkflows);
  return bundle;
}

export interface RunningWorkers {
  workers: Awaited<ReturnType<typeof createWorkers>>;
  /** Shuts the workers down, waits for them and closes their pools. */
  stop(): Promise<void>;
}

/** The project's workers (both roles, the shared bundle) on the test server, running. */
export async function startWorkers(
  env: TestWorkflowEnvironment,
  setup: { storeUrl: string; env: NodeJS.ProcessEnv },
): Promise<RunningWorkers> {
  const workers = await createWorkers({
    connection: env.nativeConnection as NativeConnection,
    namespace: env.namespace ?? 'default',
    storeUrl: setup.storeUrl,
    env: setup.env,
    workflowBundle: await workflowBundle(),
  });
  const done = workers.run();
  return {
    workers,
    stop: async () => {
      workers.shutdown();
      await done;
      await workers.close();
    },
  };
}
