// Worker entry: connects to Temporal, serves the perf-orchestrator task queue until SIGINT/SIGTERM.
import { NativeConnection } from '@temporalio/worker';
import { DEFAULT_STORE_URL, temporalConfig } from '../common/temporal-config';
import { createWorkers, type WorkerRole } from './create-worker';
import { describePolicy, readOperatorPolicy } from './operator-policy';

async function main(): Promise<void> {
  const policy = readOperatorPolicy(); // before connecting: a malformed policy stops the worker at once
  const cfg = temporalConfig();
  const connection = await NativeConnection.connect({ address: cfg.address, tls: cfg.tls || undefined, apiKey: cfg.apiKey });
  const roles = (process.env.PERF_WORKER_ROLES || 'orchestrator,loadgen').split(',').map((r) => r.trim()) as WorkerRole[];
  const bad = roles.filter((r) => r !== 'orchestrator' && r !== 'loadgen');
  if (bad.length) throw new Error(`PERF_WORKER_ROLES: unknown role(s) ${bad.join(', ')}; use orchestrator, loadgen or both`);
  const { workers, run, close } = await createWorkers({
    connection,
    namespace: cfg.namespace,
    storeUrl: process.env.PERF_STORE_URL || DEFAULT_STORE_URL,
    roles,
    policy,
  });
  console.log(describePolicy(policy));
  console.log(
    `worker serving task queue(s) ${workers.map((w) => w.options.taskQueue).join(', ')} on ${cfg.address} (namespace ${cfg.namespace})`,
  );
  try {
    await run(); // shuts down gracefully on SIGINT/SIGTERM
  } finally {
    await close();
    await connection.close();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
