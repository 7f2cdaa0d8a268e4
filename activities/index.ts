// All activities, built from their dependencies. Workflows import only the type.
import type { ActivityDeps } from './deps';
import { createActionActivities } from './actions';
import { createLoadTestActivities } from './loadtest/activity';
import { createAlternatingLoadTestActivities } from './loadtest/alternating';
import { createNotifyActivities } from './notify/activity';
import { createPrecheckActivities } from './precheck';
import { createCacheProfileActivities } from './profiling/cache';
import { createCpuProfileActivities } from './profiling/cpu-profile';
import { createDatabaseProfileActivities } from './profiling/database';
import { createDatabaseActivitySampler } from './profiling/database-activity';
import { createEndpointAttributionActivities } from './profiling/endpoint-attribution';
import { createProcessActivities } from './profiling/process';
import { createPySpyActivities } from './profiling/py-spy';
import { createSkillActivities } from './skills';
import { createStoreActivities } from './store/activities';
import { createRegressionPreventionActivities } from './store/regression-prevention';
import { createBaselineActivities } from './store/baselines';

export function createActivities(deps: ActivityDeps) {
  return {
    ...createPrecheckActivities(deps),
    ...createLoadTestActivities(deps),
    ...createAlternatingLoadTestActivities(deps),
    ...createProcessActivities(deps),
    ...createCpuProfileActivities(deps),
    ...createPySpyActivities(deps),
    ...createDatabaseProfileActivities(deps),
    ...createDatabaseActivitySampler(deps),
    ...createEndpointAttributionActivities(deps),
    ...createCacheProfileActivities(deps),
    ...createSkillActivities(deps),
    ...createActionActivities(deps),
    ...createStoreActivities(deps),
    ...createRegressionPreventionActivities(deps),
    ...createBaselineActivities(deps),
    ...createNotifyActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
export type { ActivityDeps };
