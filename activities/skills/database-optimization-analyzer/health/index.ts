// The health checks of the database-optimization-analyzer: collectHealth reads the snapshot, healthFindings runs the checks on it.
export { collectHealth } from './collect';
export { healthFindings } from './findings';
export { DEFAULT_HEALTH_OPTIONS, healthOptionsFrom, type HealthOptions } from './options';
export type { HealthForeignKey, HealthIndex, HealthSequence, HealthSession, HealthSnapshot, HealthTable } from './snapshot';
export type { HealthWindow } from './window';
export { expectedTablePages } from './checks/page-estimates';
