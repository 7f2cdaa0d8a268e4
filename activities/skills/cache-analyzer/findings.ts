// What the cache analyzer looks at and what it finds: uncached_endpoint (a cacheable endpoint served
// without a cache; a feature toggle when the profile has one), cold_cache (hit ratio), capacity
// (evictions; noeviction near maxmemory) and hot_function (a slow command blocking Redis' one thread).
import type { CacheProfile, LoadTestSummary } from '../../../common/types';

export const SOURCE = 'cache-analyzer';

/** The Redis window and the baseline's per-endpoint figures, both measured by profiling. */
export interface CacheEvidence {
  cache: CacheProfile;
  baseline: LoadTestSummary;
}
