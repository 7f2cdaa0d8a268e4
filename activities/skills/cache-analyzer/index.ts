export { cacheAnalyzer } from './activity';
export { analyzeCache, type CacheAnalyzerInput } from './analyze';
export { DEFAULT_CACHE_ANALYZER_OPTIONS, type CacheAnalyzerOptions } from './options';
