export { observabilityStackConfigurator } from './activity';
export { analyzeObservability } from './analyze';
export { DEFAULT_OBSERVABILITY_OPTIONS, type ObservabilityOptions } from './options';
export type { ObservabilityEvidence } from './findings';
