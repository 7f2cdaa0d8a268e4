export { createCacheAnalyzerActivities, type CacheAnalyzerRequest } from './activity';
export { analyzeCache, type CacheAnalyzerInput } from './rules';
