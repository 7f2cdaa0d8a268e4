// A planted regression, for benches that measure the CI gate (npm run bench:gate): each response costs
// a fixed number of microseconds more of the shop's own thread (a busy wait just before it is sent),
// like code that got slower. On a shop whose thread is the bottleneck, the client's latency then rises
// by that cost over the time each request takes of the thread: the bench sets it to a percentage of
// the baseline's measured time per request. Off (0) unless set. Admin token required:
//   GET /admin/planted-delay            -> {"us": 0, "since": {...}}
//   PUT /admin/planted-delay {"us": 25} -> {"us": 25, "previous": 0, "since": {...}}
// "since" sums up the responses since the last PUT: how many and the mean cost actually added.
import type { ServerResponse } from 'node:http';

export const MAX_PLANTED_DELAY_US = 100_000;

export interface PlantedDelayStats {
  us: number;
  requests: number;
  meanAddedUs: number;
}

/** The cost from a PUT body, or the reason it is refused (400). */
export function parsePlantedDelayBody(body: unknown): { us: number } | { error: string } {
  const example = 'send JSON such as {"us": 25}';
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { error: `body must be an object: ${example}` };
  const unknown = Object.keys(body).filter((k) => k !== 'us');
  if (unknown.length > 0) return { error: `unknown key(s) ${unknown.map((k) => JSON.stringify(k)).join(', ')}: the only key is "us"` };
  const us = (body as { us?: unknown }).us;
  if (typeof us !== 'number' || !Number.isFinite(us) || us < 0 || us > MAX_PLANTED_DELAY_US) {
    return { error: `"us" must be a number from 0 to ${MAX_PLANTED_DELAY_US} (got ${JSON.stringify(us)}): ${example}` };
  }
  return { us };
}

/** Holds the thread for `us` microseconds of wall time. */
function busyWait(us: number): number {
  const start = process.hrtime.bigint();
  const until = start + BigInt(Math.round(us * 1000));
  let now = start;
  while (now < until) now = process.hrtime.bigint();
  return Number(now - start) / 1000;
}

export function createPlantedDelay() {
  let planted = 0;
  let sums = { requests: 0, addedUs: 0 };
  const stats = (): PlantedDelayStats => ({
    us: planted,
    requests: sums.requests,
    meanAddedUs: sums.requests ? Math.round((sums.addedUs / sums.requests) * 10) / 10 : 0,
  });
  return {
    state: (): { us: number; since: PlantedDelayStats } => ({ us: planted, since: stats() }),
    set(next: number): { us: number; previous: number; since: PlantedDelayStats } {
      const out = { us: next, previous: planted, since: stats() };
      planted = next;
      sums = { requests: 0, addedUs: 0 };
      return out;
    },
    /** Call first thing for each request: its res.end first spends the planted cost while one is set. */
    hold(res: ServerResponse): void {
      const cost = planted;
      if (cost <= 0) return;
      const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
      res.end = ((...args: unknown[]) => {
        sums.addedUs += busyWait(cost);
        sums.requests++;
        return end(...args);
      }) as ServerResponse['end'];
    },
  };
}
