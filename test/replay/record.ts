// Records the histories of the latest demo run into test/replay/histories/ (run `npm run demo --
// --keep-up` first, or point TEMPORAL_ADDRESS at a server that holds a finished perf-shop run). Files
// are named by the run's start date: earlier recordings stay, so histories of older workflow code
// keep replaying against today's.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { temporalConfig } from '../../common/temporal-config';

async function main(): Promise<void> {
  const cfg = temporalConfig();
  const connection = await Connection.connect({ address: cfg.address });
  const client = new Client({ connection, namespace: cfg.namespace });
  const parent = client.workflow.getHandle('perf-shop');
  const { runId, startTime } = await parent.describe();
  const day = startTime.toISOString().slice(0, 10).replaceAll('-', '');
  const dir = join(__dirname, 'histories');
  mkdirSync(dir, { recursive: true });
  const ids = ['perf-shop', ...['profiling', 'analysis', 'optimization', 'validation'].map((s) => `perf-shop:${s}:${runId}`)];
  for (const id of ids) {
    const history = await client.workflow.getHandle(id).fetchHistory();
    const name = `${day}-${id === 'perf-shop' ? 'demo-perf-shop' : `demo-perf-shop-${id.split(':')[1]}`}`;
    writeFileSync(join(dir, `${name}.json`), JSON.stringify({ workflowId: id, history: JSON.parse(historyToJSON(history)) }, null, 1));
    console.log(`recorded ${id}`);
  }
  await connection.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
