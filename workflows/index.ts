export { performanceOrchestration } from './orchestration';
export { profilingWorkflow } from './profiling';
export { analysisWorkflow } from './analysis';
export { optimizationWorkflow } from './optimization';
export { validationWorkflow } from './validation';
export { architectureEscalation } from './escalation';
export { rollbackChangesWorkflow } from './rollback';
export { loadTestWorkflow } from './load-test';
