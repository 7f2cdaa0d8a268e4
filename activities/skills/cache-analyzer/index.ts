export { createCacheAnalyzerActivities, type CacheAnalyzerRequest } from './activity';
export { analyzeCache, type CacheAnalyzerInput } from './rules';
export { parseRedisInfo, infoNumber, parseInfoFields, type RedisInfo } from './redis-info';
