export { createDatabaseAnalyzerActivities, analyzeDatabase, DEFAULT_ANALYZER_OPTIONS } from './activity';
export type { AnalyzerOptions, AnalysisResult, DatabaseAnalyzerRequest } from './activity';
