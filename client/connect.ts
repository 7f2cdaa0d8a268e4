import { Client, Connection } from '@temporalio/client';
import { temporalConfig, type TemporalConfig } from '../common/temporal-config';

export async function connectClient(cfg: TemporalConfig = temporalConfig()): Promise<{ client: Client; close: () => Promise<void> }> {
  let connection: Connection;
  try {
    connection = await Connection.connect({ address: cfg.address, tls: cfg.tls || undefined, apiKey: cfg.apiKey, connectTimeout: '5s' });
  } catch (err) {
    throw new Error(
      `Temporal does not answer at ${cfg.address} (${(err as Error).message}).\n` +
        'Start the embedded dev server with `npm run perf-orch -- dev server`, or set TEMPORAL_ADDRESS to a running one.',
      { cause: err },
    );
  }
  return { client: new Client({ connection, namespace: cfg.namespace }), close: () => connection.close() };
}

/** Runs `fn` with a connected client and always closes the connection. */
export async function withClient<T>(fn: (client: Client) => Promise<T>, cfg: TemporalConfig = temporalConfig()): Promise<T> {
  const { client, close } = await connectClient(cfg);
  try {
    return await fn(client);
  } finally {
    await close();
  }
}
