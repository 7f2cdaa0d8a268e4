// Closed model: `concurrency` virtual users (one connection each) send requests back to back, with
// an optional think time, for warmupSeconds (or until steady, with `warmup`) + durationSeconds.
// Only requests that start after the warm-up are counted. Bounded in time (deadline), in count (maxRequests) and stops at once on an
// AbortSignal. The engine (engine.ts) does the work; this is the historical entry point.
import { runLoad, type LoadOptions, type LoadResult } from './load';

export { DEFAULT_MAX_REQUESTS } from './load';
export type { LoadProgress, PartialResult } from './load';

export interface ClosedLoadOptions extends Omit<
  LoadOptions,
  'model' | 'rateRps' | 'rampFromRps' | 'segments' | 'maxConnections' | 'concurrency'
> {
  concurrency: number;
}

export type ClosedLoadResult = LoadResult;

export function runClosedLoad(opts: ClosedLoadOptions): Promise<ClosedLoadResult> {
  return runLoad({ ...opts, model: 'closed' });
}
