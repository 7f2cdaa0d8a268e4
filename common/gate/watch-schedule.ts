// The scheduled watch's Temporal Schedule: one per target (perf-watch-<target>), the check as its
// action. Pure: `perf-orch watch create` and a run's --watch-every build it here.
import { ScheduleOverlapPolicy, type ScheduleOptions } from '@temporalio/client';
import { TASK_QUEUE } from '../run';
import { PERF_TARGET } from '../search-attributes';
import type { CheckInput } from './types';

export const watchScheduleId = (target: string): string => `perf-watch-${target}`;

export function watchScheduleOptions(input: CheckInput, everyMs: number, note: string): ScheduleOptions {
  const name = input.target.name;
  const scheduleId = watchScheduleId(name);
  return {
    scheduleId,
    spec: { intervals: [{ every: everyMs }] },
    action: {
      type: 'startWorkflow',
      workflowType: 'performanceCheck',
      workflowId: scheduleId,
      taskQueue: TASK_QUEUE,
      args: [{ ...input, watch: { scheduleId } }],
      typedSearchAttributes: [{ key: PERF_TARGET, value: name }],
      staticSummary: `Scheduled check of ${name}: ${input.thresholds.map((t) => t.text).join(', ') || 'no thresholds'}; baseline ${input.baseline.kind}`,
    },
    // A check still running when the next is due: skip the next (two at once would load the target twice).
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 hour' },
    state: { note },
  };
}
