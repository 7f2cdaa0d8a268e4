// The cache analyzer's thresholds, as a zod schema with their defaults. No profile section sets them
// yet (when one does, its schema joins common/profile.ts and its values are parsed here).
import { z } from 'zod';
import type { TargetProfile } from '../../../common/profile';

export const CacheAnalyzerOptionsSchema = z.object({
  /** Below this mean latency (ms) an endpoint is cheap enough that a cache would not pay off. */
  expensiveMinMs: z.number().min(0).default(2),
  /** What a cache hit is assumed to cost, per request (ms). */
  cacheHitMs: z.number().min(0).default(1),
  /** A hit ratio below this (%) is a cold cache... */
  coldHitRatioPct: z.number().min(0).max(100).default(70),
  /** ...once there were at least this many lookups in the window. */
  coldMinLookups: z.number().int().min(0).default(100),
  /** With maxmemory-policy noeviction, memory use above this (%) is a risk of write errors. */
  noevictionMemoryPct: z.number().min(0).max(100).default(90),
  /** Slowlog entries faster than this (µs) are noise (e.g. when slowlog-log-slower-than is 0). */
  slowCommandMinUs: z.number().min(0).default(1_000),
});

export type CacheAnalyzerOptions = z.infer<typeof CacheAnalyzerOptionsSchema>;

export const DEFAULT_CACHE_ANALYZER_OPTIONS: CacheAnalyzerOptions = CacheAnalyzerOptionsSchema.parse({});

export function cacheAnalyzerOptionsFor(_target: TargetProfile): CacheAnalyzerOptions {
  return DEFAULT_CACHE_ANALYZER_OPTIONS;
}
