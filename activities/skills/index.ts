// The skills' activities, one per line of the registry (common/skills.ts); the type checker insists.
import type { SkillActivityName } from '../../common/skills';
import type { SkillRequest, SkillResult } from '../../common/stages';
import type { ActivityDeps } from '../deps';
import { cacheAnalyzer } from './cache-analyzer';
import { databaseOptimizationAnalyzer } from './database-optimization-analyzer';
import { observabilityStackConfigurator } from './observability-stack-configurator';
import { skillActivity, type LegacySkillRequest } from './skill';

export function createSkillActivities(deps: ActivityDeps) {
  return {
    databaseOptimizationAnalyzer: skillActivity(databaseOptimizationAnalyzer, deps),
    cacheAnalyzer: skillActivity(cacheAnalyzer, deps),
    observabilityStackConfigurator: skillActivity(observabilityStackConfigurator, deps),
  } satisfies Record<SkillActivityName, (req: SkillRequest | LegacySkillRequest) => Promise<SkillResult>>;
}
