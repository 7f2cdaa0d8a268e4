// Which planned statements go on to the evaluation: those whose generic plan costs at least
// minPlanCost (Dexter's anchor), and those measured slow whatever their plan costs. The planner's
// estimate can be far off: a LIMIT over an expression it has no statistics for (Django's
// `.get(email__iexact=...)`: `WHERE UPPER(email) = UPPER($1) LIMIT 21`) looks like it stops early and
// costs under 100, while each call scans the whole table (found in a field test: 11.7 ms per call).
import type { AdvisorOptions } from './options';

export function passesCostGate(
  cost: number,
  s: { calls: number; totalMs: number },
  opts: Pick<AdvisorOptions, 'minPlanCost' | 'slowMeanMs'>,
): boolean {
  return cost >= opts.minPlanCost || measuredSlow(cost, s, opts);
}

/** Below the cost threshold, but measured at least slowMeanMs per call. */
export function measuredSlow(
  cost: number,
  s: { calls: number; totalMs: number },
  opts: Pick<AdvisorOptions, 'minPlanCost' | 'slowMeanMs'>,
): boolean {
  return cost < opts.minPlanCost && s.calls > 0 && s.totalMs / s.calls >= opts.slowMeanMs;
}
