// Staged optimization (the specification's Step 3): the approved changes in priority groups, high
// first, then medium, then low, with a brief check between groups that stops when the targets are
// met. Pure: the orchestration runs the groups and the checks.
import { measuredOf, meetsAllTargets } from '../compare';
import type { SloTargets } from '../profile';
import type { LoadTestSummary, PlanItem } from '../types';

export const STAGE_ORDER = ['high', 'medium', 'low'] as const;
export type StagePriority = (typeof STAGE_ORDER)[number] | 'all';

export interface StageGroup {
  priority: StagePriority;
  items: PlanItem[];
}

/** The non-empty priority groups in order; items without a priority (plans before them) form one group. */
export function stageGroups(items: readonly PlanItem[]): StageGroup[] {
  if (items.some((i) => i.priority === undefined)) return items.length ? [{ priority: 'all', items: [...items] }] : [];
  // Alert rules are no performance stage: they go with the first group, whatever their priority.
  const monitoring = items.filter(isMonitoring);
  const groups = STAGE_ORDER.map((priority) => ({
    priority,
    items: items.filter((i) => i.priority === priority && !isMonitoring(i)),
  })).filter((g) => g.items.length > 0);
  if (monitoring.length === 0) return groups;
  if (groups.length === 0) return [{ priority: monitoring[0].priority!, items: monitoring }];
  return [{ ...groups[0], items: [...groups[0].items, ...monitoring] }, ...groups.slice(1)];
}

const isMonitoring = (i: PlanItem): boolean => i.action.type === 'install_alert_rules';

/** A stage's brief check: the load test under the baseline load, and whether it met every target. */
export interface StageCheck {
  priority: StagePriority;
  itemIds: string[];
  loadTestId: string;
  p95Ms: number;
  throughputRps: number;
  targetsMet: boolean;
}

export function stageCheck(group: StageGroup, t: LoadTestSummary, targets: SloTargets): StageCheck {
  const m = measuredOf(t);
  return {
    priority: group.priority,
    itemIds: group.items.map((i) => i.id),
    loadTestId: t.id,
    p95Ms: m.p95Ms,
    throughputRps: m.throughputRps,
    targetsMet: meetsAllTargets(m, targets),
  };
}

/** Why the later groups were not applied. */
export function stoppedWhy(check: StageCheck): string {
  const figures = `brief check ${check.loadTestId}: p95 ${check.p95Ms} ms, ${check.throughputRps} req/s`;
  return `targets met after the ${check.priority}-priority changes (${figures}): the lower-priority changes were not applied`;
}
