// Step 3 in stages: each priority group through its own optimization child (the same saga), a brief
// load test under the baseline load after each group but the last, and stop when it meets the
// targets (the specification: high first, medium next, low only when the targets are still missed).
import type { ProfilingResult, OptimizationResult } from '../common/stages';
import type { TargetProfile } from '../common/profile';
import { stageCheck, stageGroups, stoppedWhy, type StageCheck, type StageGroup } from '../common/rules/stages';
import type { PlanItem } from '../common/types';
import { loadTest } from './load-test';

export const STAGED_PATCH = 'staged-optimization';

export interface StagedRun {
  runId: string;
  target: TargetProfile;
  profiling: ProfilingResult;
  /** Runs one group's optimization child (k: 0-based stage); `blocks`: it may measure the costly changes' before blocks. */
  optimizeGroup(group: StageGroup, k: number, of: number, blocks: boolean): Promise<OptimizationResult>;
  /** Called after each group with everything so far (the run's record and rollback see it at once). */
  record(total: OptimizationResult): void;
  rollbackRequested(): boolean;
}

/** The stages so far: the changes of all, the first before blocks (measured once a run). */
function merged(a: OptimizationResult, b: OptimizationResult): OptimizationResult {
  const beforeBlocks = a.beforeBlocks ?? b.beforeBlocks;
  const monitoringFailed = a.monitoringFailed ?? b.monitoringFailed;
  return {
    applied: [...a.applied, ...b.applied],
    failed: b.failed,
    rolledBack: [...a.rolledBack, ...b.rolledBack],
    ...(beforeBlocks ? { beforeBlocks } : {}),
    ...(monitoringFailed ? { monitoringFailed } : {}),
  };
}

export async function optimizeInStages(run: StagedRun, approved: PlanItem[]): Promise<OptimizationResult> {
  const groups = stageGroups(approved);
  let total: OptimizationResult = { applied: [], failed: null, rolledBack: [] };
  const checks: StageCheck[] = [];
  for (const [k, group] of groups.entries()) {
    total = merged(total, await run.optimizeGroup(group, k, groups.length, total.beforeBlocks === undefined));
    run.record(total);
    if (total.failed || k === groups.length - 1 || run.rollbackRequested()) break;
    const check = stageCheck(group, await briefCheck(run), run.target.targets);
    checks.push(check);
    if (check.targetsMet) {
      const rest = groups.slice(k + 1).flatMap((g) => g.items.map((i) => i.id));
      total = { ...total, notApplied: { itemIds: rest, why: stoppedWhy(check) } };
      break;
    }
  }
  total = groups.length > 1 ? { ...total, stages: checks } : total;
  run.record(total);
  return total;
}

function briefCheck(run: StagedRun) {
  const { load } = run.target;
  return loadTest({
    runId: run.runId,
    phase: 'stage',
    target: run.target,
    concurrency: run.profiling.baseline.concurrency,
    durationSeconds: Math.min(load.durationSeconds, 5),
    warmupSeconds: Math.min(1, load.warmupSeconds),
  });
}
