// Open model: requests arrive at a constant or linearly ramping rate (or any piecewise-linear
// schedule), whatever the target's speed. Latency is measured from each request's intended send
// time, so a stall of the target shows in the percentiles (no coordinated omission); an arrival
// that finds all maxConnections busy is counted as dropped, never hidden or delayed. A steady
// warm-up (`warmup`) runs at the starting rate; the measured schedule starts when it ends.
import { runLoad, type LoadOptions, type LoadResult } from './load';

export type OpenLoadOptions = Omit<LoadOptions, 'model' | 'concurrency' | 'thinkTimeMs'>;

export function runOpenLoad(opts: OpenLoadOptions): Promise<LoadResult> {
  return runLoad({ ...opts, model: 'open' });
}
