// Builds the workers with their dependencies; used by the worker entry, the demo and the tests.
import { type NativeConnection, Worker, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { Pool } from 'pg';
import { createActivities } from '../activities';
import { TargetConnections } from '../activities/connections';
import { ensureDatabase } from '../activities/store/database';
import { migrateStore } from '../activities/store/schema';
import { LOADGEN_TASK_QUEUE, TASK_QUEUE } from '../common/run';
import type { OperatorPolicy } from '../common/operator-policy';
import { readOperatorPolicy } from './operator-policy';
import { compileOurWorkflows } from './workflow-bundle-config';

export interface WorkerSetup {
  connection: NativeConnection;
  namespace: string;
  storeUrl: string;
  taskQueue?: string;
  env?: NodeJS.ProcessEnv;
  /** Default: read from `env` (PERF_TARGET_HOSTS, PERF_TARGET_SECRETS, PERF_MAX_RUN_SECONDS, PERF_MAX_RUN_REQUESTS). */
  policy?: OperatorPolicy;
  workflowBundle?: WorkflowBundleWithSourceMap;
  loadgenSlots?: number;
}

export function workflowsPath(): string {
  return require.resolve('../workflows');
}

/** Bundling takes seconds; tests bundle once and share it across workers. */
export function bundleWorkflows(): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({
    workflowsPath: workflowsPath(),
    webpackConfigHook: compileOurWorkflows(),
    logger: { info() {}, warn() {}, error: console.error, debug() {}, trace() {}, log() {} } as never,
  });
}

export type WorkerRole = 'orchestrator' | 'loadgen';

/**
 * The orchestrator role serves the workflows and every activity on `perf-orchestrator`; the loadgen
 * role serves load-test shards on `perf-loadgen`. One process runs both by default; more loadgen-only
 * workers (PERF_WORKER_ROLES=loadgen) on other machines add load-generation capacity.
 */
export async function createWorkers(setup: WorkerSetup & { roles?: WorkerRole[] }): Promise<{
  workers: Worker[];
  policy: OperatorPolicy;
  run: () => Promise<void>;
  shutdown: () => void;
  close: () => Promise<void>;
}> {
  const roles = setup.roles ?? ['orchestrator', 'loadgen'];
  const env = setup.env ?? process.env;
  const policy = setup.policy ?? readOperatorPolicy(env);
  await ensureDatabase(setup.storeUrl);
  const store = new Pool({ connectionString: setup.storeUrl, max: 4, application_name: 'perf-orchestrator-store' });
  await migrateStore(store);
  const connections = new TargetConnections(env, policy);
  const activities = createActivities({ store, connections, policy });
  const common = {
    connection: setup.connection,
    namespace: setup.namespace,
    // Heartbeats carry cancellation: a load test must hear of it within a second or two.
    maxHeartbeatThrottleInterval: '1 second',
  } as const;
  const workers: Worker[] = [];
  if (roles.includes('orchestrator')) {
    workers.push(
      await Worker.create({
        ...common,
        taskQueue: setup.taskQueue ?? TASK_QUEUE,
        ...(setup.workflowBundle
          ? { workflowBundle: setup.workflowBundle }
          : { workflowsPath: workflowsPath(), bundlerOptions: { webpackConfigHook: compileOurWorkflows() } }),
        activities,
        // Samplers and the CPU profiler run side by side with the analyzers.
        maxConcurrentActivityTaskExecutions: 20,
      }),
    );
  }
  if (roles.includes('loadgen')) {
    workers.push(
      await Worker.create({
        ...common,
        taskQueue: LOADGEN_TASK_QUEUE,
        activities: { runLoadTest: activities.runLoadTest, runAlternatingLoadTest: activities.runAlternatingLoadTest },
        // A generator wants the machine to itself; more shards go to more workers.
        maxConcurrentActivityTaskExecutions: setup.loadgenSlots ?? 4,
      }),
    );
  }
  return {
    workers,
    policy,
    run: async () => {
      await Promise.all(workers.map((w) => w.run()));
    },
    shutdown: () => workers.forEach((w) => w.shutdown()),
    close: async () => {
      await connections.close();
      await store.end();
    },
  };
}
