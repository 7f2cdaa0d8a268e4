// The health checks of the database-optimization-analyzer: healthFindings runs the checks on a snapshot.
export { healthFindings } from './findings';
export { DEFAULT_HEALTH_OPTIONS, type HealthOptions } from './options';
export type { HealthWindow } from './window';
export { expectedTablePages } from './checks/page-estimates';
