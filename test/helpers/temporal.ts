// A real Temporal dev server per test file (the Temporal CLI, started by the SDK's test environment).
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { findTemporalCli } from '../../client/dev/temporal-cli';
import { SEARCH_ATTRIBUTES } from '../../common/search-attributes';
import { bundleWorkflows } from '../../worker/create-worker';

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
/** The workflow bundle, built once per test process. */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflows();
  return bundle;
}
