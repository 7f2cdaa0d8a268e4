export { databaseOptimizationAnalyzer, analyzeDatabase } from './activity';
export { DEFAULT_ANALYZER_OPTIONS, analyzerOptionsFor, type AnalyzerOptions } from './options';
export type { DatabaseEvidence } from './findings';
export { adviseIndexes, DEFAULT_ADVISOR_OPTIONS } from './advisor';
export type { AdvisorOptions, AdvisorResult, IndexRecommendation, WorkloadStatement, TableWrites } from './advisor';
export { DEFAULT_HEALTH_OPTIONS, healthFindings } from './health';
export type { HealthOptions } from './health';
