export { createDatabaseAnalyzerActivities, analyzeDatabase, DEFAULT_ANALYZER_OPTIONS } from './activity';
export type { AnalyzerOptions, AnalysisResult, DatabaseAnalyzerRequest } from './activity';
export { adviseIndexes, DEFAULT_ADVISOR_OPTIONS } from './advisor';
export type { AdvisorOptions, AdvisorResult, IndexRecommendation, WorkloadStatement, TableWrites } from './advisor';
export { DEFAULT_HEALTH_OPTIONS, healthFindings } from './health';
export type { HealthOptions } from './health';
