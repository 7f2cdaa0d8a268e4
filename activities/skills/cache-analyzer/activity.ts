// The cache-analyzer skill: cacheable endpoints served without a cache, a cold cache, memory
// pressure and slow commands, from what profiling measured (Redis INFO/SLOWLOG over the window and
// the baseline's endpoints). Its evidence is already in the profiling result: collect only picks it.
import type { Skill } from '../skill';
import { analyzeCache } from './analyze';
import { SOURCE, type CacheEvidence } from './findings';
import { cacheAnalyzerOptionsFor, type CacheAnalyzerOptions } from './options';

export const cacheAnalyzer: Skill<CacheAnalyzerOptions, CacheEvidence> = {
  name: SOURCE,
  skip: ({ target, profiling }) => (!target.redis || !profiling.cache ? `target ${target.name} has no redis section` : null),
  options: cacheAnalyzerOptionsFor,
  collect: async (_deps, { profiling }) => ({ evidence: { cache: profiling.cache!, baseline: profiling.baseline }, notes: [] }),
  analyze: (evidence, options, { target }) => ({ findings: analyzeCache({ target, ...evidence }, options), notes: [] }),
  figures: ({ cache }) => ({
    available: cache.available,
    hitRatioPct: cache.hitRatioPct,
    evictions: cache.evictions,
    slowlogEntries: cache.slowlog.length,
  }),
};
