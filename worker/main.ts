// Worker entry: connects to Temporal, serves the perf-orchestrator task queue until SIGINT/SIGTERM.
import { NativeConnection } from '@temporalio/worker';
import { DEFAULT_STORE_URL, temporalConfig } from '../common/temporal-config';
import { createWorker } from './create-worker';

async function main(): Promise<void> {
  const cfg = temporalConfig();
  const connection = await NativeConnection.connect({ address: cfg.address, tls: cfg.tls || undefined, apiKey: cfg.apiKey });
  const { worker, close } = await createWorker({
    connection,
    namespace: cfg.namespace,
    storeUrl: process.env.PERF_STORE_URL || DEFAULT_STORE_URL,
  });
  console.log(`worker serving task queue ${worker.options.taskQueue} on ${cfg.address} (namespace ${cfg.namespace})`);
  try {
    await worker.run(); // shuts down gracefully on SIGINT/SIGTERM
  } finally {
    await close();
    await connection.close();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
