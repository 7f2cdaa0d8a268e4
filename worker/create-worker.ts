// Builds a worker with its dependencies; used by the worker entry, the demo and the tests.
import { NativeConnection, Worker, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { Pool } from 'pg';
import { createActivities } from '../activities';
import { TargetConnections } from '../activities/connections';
import { ensureDatabase } from '../activities/store/database';
import { migrateStore } from '../activities/store/schema';
import { TASK_QUEUE } from '../common/run';

export interface WorkerSetup {
  connection: NativeConnection;
  namespace: string;
  storeUrl: string;
  taskQueue?: string;
  env?: NodeJS.ProcessEnv;
  workflowBundle?: WorkflowBundleWithSourceMap;
}

export function workflowsPath(): string {
  return require.resolve('../workflows');
}

/** Bundling takes seconds; tests bundle once and share it across workers. */
export function bundleWorkflows(): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({ workflowsPath: workflowsPath(), logger: { info() {}, warn() {}, error: console.error, debug() {}, trace() {}, log() {} } as never });
}

export async function createWorker(setup: WorkerSetup): Promise<{ worker: Worker; close: () => Promise<void> }> {
  await ensureDatabase(setup.storeUrl);
  const store = new Pool({ connectionString: setup.storeUrl, max: 4, application_name: 'perf-orchestrator-store' });
  await migrateStore(store);
  const connections = new TargetConnections(setup.env ?? process.env);
  const worker = await Worker.create({
    connection: setup.connection,
    namespace: setup.namespace,
    taskQueue: setup.taskQueue ?? TASK_QUEUE,
    ...(setup.workflowBundle ? { workflowBundle: setup.workflowBundle } : { workflowsPath: workflowsPath() }),
    activities: createActivities({ store, connections }),
    // Load tests and samplers run side by side with the analyzers.
    maxConcurrentActivityTaskExecutions: 20,
    // Heartbeats carry cancellation: a load test must hear of it within a second or two.
    maxHeartbeatThrottleInterval: '1 second',
  });
  return {
    worker,
    close: async () => {
      await connections.close();
      await store.end();
    },
  };
}
