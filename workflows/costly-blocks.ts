// The before/after blocks of the changes costly to redo (issue 11): k short load tests under the
// baseline load just before the first costly change (optimization), k once after the after-test
// (validation); common/verdict/blocks.ts turns them into effects with drift control. Their start
// times are workflow time (Date.now() in a workflow is the task's time, the same on replay), one
// clock for both children. The blocks are load tests: a cancel stops them.
import { isCancellation } from '@temporalio/workflow';
import type { AbSettings } from '../common/ab-validation';
import { rootCauseMessage } from '../common/failure-cause';
import type { TargetProfile } from '../common/profile';
import type { BlocksRun } from '../common/stages';
import type { PlanItem } from '../common/types';
import type { TimedBlock } from '../common/verdict/blocks';
import { loadTest } from './load-test';

export const COSTLY_BLOCKS_PATCH = 'costly-blocks';

/**
 * An index build or drop is costly to redo: measured by blocks. A toggle is not (A/B flips), nor are
 * alert rules (they change the monitoring, not the service: nothing to measure).
 */
export const isCostly = (item: PlanItem): boolean => item.action.type === 'create_index' || item.action.type === 'drop_index';

/** Whether a run gets blocks: at least two a side, and a costly change to measure. */
export const wantsBlocks = (s: AbSettings, items: readonly PlanItem[]): boolean => s.pairs >= 2 && items.some(isCostly);

/** k blocks on one side; a failed load test stops them (the note says why), a cancel is thrown on. */
export async function runBlocks(
  req: { runId: string; target: TargetProfile; concurrency: number; side: TimedBlock['side'] },
  s: AbSettings,
): Promise<BlocksRun> {
  const { runId, target, concurrency, side } = req;
  const blocks: TimedBlock[] = [];
  try {
    for (let i = 0; i < s.pairs; i++) {
      const startS = Date.now() / 1000;
      const t = await loadTest({
        runId,
        phase: 'ab',
        target,
        concurrency,
        durationSeconds: s.blockSeconds,
        warmupSeconds: s.warmupSeconds,
      });
      blocks.push({ side, startS, throughputRps: t.throughputRps, p95Ms: t.latencyMs.p95, loadTestId: t.id });
    }
    return { blocks };
  } catch (err) {
    if (isCancellation(err)) throw err;
    return { blocks, note: `${side} blocks stopped after ${blocks.length}: ${rootCauseMessage(err)}` };
  }
}
