// Activity wrapper of the cache analyzer skill. The decisions live in ./rules (pure).
import type { TargetProfile } from '../../../common/profile';
import type { CacheProfile, Finding, LoadTestSummary } from '../../../common/types';
import type { ActivityDeps } from '../../deps';
import { analyzeCache } from './rules';

export interface CacheAnalyzerRequest {
  target: TargetProfile;
  cache: CacheProfile;
  baseline: LoadTestSummary;
}

// eslint-disable-next-line @typescript-eslint/no-unused-vars
export function createCacheAnalyzerActivities(_deps: ActivityDeps) {
  return {
    async cacheAnalyzer(req: CacheAnalyzerRequest): Promise<Finding[]> {
      return analyzeCache(req);
    },
  };
}
