// All activities, built from their dependencies. Workflows import only the type.
import type { ActivityDeps } from './deps';
import { createActionActivities } from './actions';
import { createLoadTestActivities } from './loadtest/activity';
import { createPrecheckActivities } from './precheck';
import { createCacheProfileActivities } from './profiling/cache';
import { createCpuProfileActivities } from './profiling/cpu-profile';
import { createDatabaseProfileActivities } from './profiling/database';
import { createProcessActivities } from './profiling/process';
import { createCacheAnalyzerActivities } from './skills/cache-analyzer/activity';
import { createDatabaseAnalyzerActivities } from './skills/database-optimization-analyzer/activity';
import { createStoreActivities } from './store/activities';

export function createActivities(deps: ActivityDeps) {
  return {
    ...createPrecheckActivities(deps),
    ...createLoadTestActivities(deps),
    ...createProcessActivities(deps),
    ...createCpuProfileActivities(deps),
    ...createDatabaseProfileActivities(deps),
    ...createCacheProfileActivities(deps),
    ...createDatabaseAnalyzerActivities(deps),
    ...createCacheAnalyzerActivities(deps),
    ...createActionActivities(deps),
    ...createStoreActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
export type { ActivityDeps };
