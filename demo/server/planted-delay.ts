// A planted regression, for benches that measure the CI gate (npm run bench:gate): each response is
// held back by pct% of that request's own server-side handling time (process.hrtime from the request's
// arrival to res.end), with a timer, so no CPU is burnt. Off (0) unless set. Admin token required:
//   GET /admin/planted-delay          -> {"pct": 0, "since": {...}}
//   PUT /admin/planted-delay {"pct": 10} -> {"pct": 10, "previous": 0, "since": {...}}
// "since" sums up the responses since the last PUT: how many, their mean handling time and the mean
// delay actually added (timers fire on whole milliseconds, late on a busy host: measured, and made up for).
import type { ServerResponse } from 'node:http';

export const MAX_PLANTED_DELAY_PCT = 1000;

export interface PlantedDelayStats {
  pct: number;
  requests: number;
  meanHandlingMs: number;
  meanAddedMs: number;
  addedPct: number; // added / handling, over the responses since the last PUT
}

/** The pct from a PUT body, or the reason it is refused (400). */
export function parsePlantedDelayBody(body: unknown): { pct: number } | { error: string } {
  const example = 'send JSON such as {"pct": 10}';
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { error: `body must be an object: ${example}` };
  const unknown = Object.keys(body).filter((k) => k !== 'pct');
  if (unknown.length > 0) return { error: `unknown key(s) ${unknown.map((k) => JSON.stringify(k)).join(', ')}: the only key is "pct"` };
  const pct = (body as { pct?: unknown }).pct;
  if (typeof pct !== 'number' || !Number.isFinite(pct) || pct < 0 || pct > MAX_PLANTED_DELAY_PCT) {
    return { error: `"pct" must be a number from 0 to ${MAX_PLANTED_DELAY_PCT} (got ${JSON.stringify(pct)}): ${example}` };
  }
  return { pct };
}

/** A timer delay for `ms`: whole milliseconds below 1 ms are planted with probability ms (right on average). */
function timerDelay(ms: number, random: () => number): number {
  if (ms >= 1) return ms;
  return random() < ms ? 1 : 0;
}

export function createPlantedDelay(random: () => number = Math.random) {
  let pct = 0;
  let sums = { requests: 0, handlingMs: 0, addedMs: 0, plannedMs: 0 };
  const pending = { ms: 0 }; // delays under way, not yet in addedMs
  const stats = (): PlantedDelayStats => {
    const n = sums.requests;
    const round = (x: number): number => Math.round(x * 1000) / 1000;
    return {
      pct,
      requests: n,
      meanHandlingMs: n ? round(sums.handlingMs / n) : 0,
      meanAddedMs: n ? round(sums.addedMs / n) : 0,
      addedPct: sums.handlingMs > 0 ? round((100 * sums.addedMs) / sums.handlingMs) : 0,
    };
  };
  return {
    state: (): { pct: number; since: PlantedDelayStats } => ({ pct, since: stats() }),
    set(next: number): { pct: number; previous: number; since: PlantedDelayStats } {
      const out = { pct: next, previous: pct, since: stats() };
      pct = next;
      sums = { requests: 0, handlingMs: 0, addedMs: 0, plannedMs: 0 };
      return out;
    },
    /** Call first thing for each request: holds its res.end back while a delay is planted. */
    hold(res: ServerResponse): void {
      const planted = pct;
      if (planted <= 0) return;
      const start = process.hrtime.bigint();
      const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
      res.end = ((...args: unknown[]) => {
        const endCalled = process.hrtime.bigint();
        const handlingMs = Number(endCalled - start) / 1e6;
        const finish = (): void => {
          sums.requests++;
          sums.handlingMs += handlingMs;
          sums.addedMs += Number(process.hrtime.bigint() - endCalled) / 1e6;
          pending.ms -= delay;
          end(...args);
        };
        // Timers fire on whole milliseconds, and late on a busy host: what was added beyond the plan
        // so far is taken off this delay, so the mean added delay stays at pct% of the handling time.
        const wanted = (handlingMs * planted) / 100;
        sums.plannedMs += wanted;
        const delay = timerDelay(Math.max(0, Math.min(2 * wanted, sums.plannedMs - sums.addedMs - pending.ms)), random);
        pending.ms += delay;
        if (delay > 0) setTimeout(finish, delay);
        else finish();
        return res;
      }) as ServerResponse['end'];
    },
  };
}
