// An HTTP target whose answer delay is a function of the seconds since its clock started: a service
// that starts slow and warms up, or one that never settles, for the load engine's warm-up and the
// before/after's trust flags (test/integration/steady-warmup.test.ts, measurement-confidence.test.ts).
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface WarmingTarget {
  baseUrl: string;
  /** Restarts the clock that the delay reads (a cold start now). */
  restart(delayAt?: (seconds: number) => number): void;
  close(): Promise<void>;
}

export async function startWarmingTarget(delayAt: (seconds: number) => number): Promise<WarmingTarget> {
  let since = Date.now();
  let delay = delayAt;
  const server = http.createServer((_req, res) => {
    setTimeout(() => res.end('{"ok":true}'), delay((Date.now() - since) / 1000));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    restart(next) {
      since = Date.now();
      if (next) delay = next;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
