// The finding of a check that is not applied by the tool: the affected objects in its evidence, exact
// SQL steps (action `manual`) and how to undo them; its latency gain is not estimated (0).
import type { Finding, RootCause } from '../../../../../common/types';
import { effortDays, type EffortKind } from '../../../../../common/rules/effort';

export const HEALTH_SOURCE = 'database-optimization-analyzer (health checks)';

export interface ManualFindingSpec {
  kind: string;
  rootCause: RootCause;
  title: string;
  summary: string[];
  items: string[];
  steps: string[];
  rollback: string;
  risk: Finding['risk'];
  effort: EffortKind; // a row of the effort table (common/rules/effort.ts)
}

/** At most `max` items are listed (the rest is counted) and at most `max + 5` steps. */
export function manualFinding(s: ManualFindingSpec, max: number): Finding {
  const items = s.items.slice(0, max);
  if (s.items.length > max) items.push(`... and ${s.items.length - max} more`);
  const steps = s.steps.slice(0, max + 5);
  if (s.steps.length > steps.length)
    steps.push(`... ${s.steps.length - steps.length} more steps of the same kind for the objects listed in the evidence`);
  return {
    id: `db-health-${s.kind}`,
    layer: 'database',
    rootCause: s.rootCause,
    title: s.title,
    evidence: [...s.summary, ...items],
    estimatedLatencyReductionMs: 0,
    effortDays: effortDays(s.effort),
    risk: s.risk,
    action: { type: 'manual', steps },
    rollback: s.rollback,
    source: HEALTH_SOURCE,
  };
}
