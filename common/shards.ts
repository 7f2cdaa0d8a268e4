// Splitting one load test into shards that together send the same load. Pure: used by workflows.
import type { LoadTestRequest } from './types';

/** n parts of `total` that differ by at most one and add up to it. */
export function evenParts(total: number, n: number): number[] {
  const base = Math.floor(total / n);
  return Array.from({ length: n }, (_, i) => base + (i < total - base * n ? 1 : 0));
}

/**
 * Closed model: the virtual users are divided (never more shards than users). Open model: the
 * rates and the connection limit are divided. The request cap is divided too.
 */
export function splitLoad(req: LoadTestRequest, shards: number, open: boolean): LoadTestRequest[] {
  const n = Math.max(1, Math.min(shards, open ? shards : req.concurrency));
  if (n === 1) return [req];
  const users = evenParts(req.concurrency, n);
  const conns = req.maxConnections === undefined ? undefined : evenParts(req.maxConnections, n).map((c) => Math.max(1, c));
  const cap = req.maxRequests === undefined ? undefined : evenParts(req.maxRequests, n).map((c) => Math.max(1, c));
  return users.map((u, i) => ({
    ...req,
    concurrency: open ? req.concurrency : u,
    rateRps: req.rateRps === undefined ? undefined : req.rateRps / n,
    rampFromRps: req.rampFromRps === undefined ? undefined : req.rampFromRps / n,
    maxConnections: conns?.[i],
    maxRequests: cap?.[i],
  }));
}
