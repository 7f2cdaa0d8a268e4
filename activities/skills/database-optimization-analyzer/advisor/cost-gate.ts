// Which planned statements go on to the evaluation: those whose generic plan costs at least
// minPlanCost (Dexter's anchor), and those measured slow whatever their plan costs. The planner's
// estimate can be far off: a LIMIT over an expression it has no statistics for (Django's
// `.get(email__iexact=...)`: `WHERE UPPER(email) = UPPER($1) LIMIT 21`) looks like it stops early and
// costs under 100, while each call scans the whole table (found in a field test: 11.7 ms per call).
import { costAt } from '../../../postgres/plan-walk';
import type { AdvisorOptions } from './options';
import { rowsPerCall, type Stmt } from './statement';

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

/**
 * The gate for a planned statement: one measured slow below minPlanCost is marked as reading to the end
 * (its LIMIT did not stop it early) and costed again so; true when it goes on to the evaluation.
 */
export function gatePlanned(
  s: Pick<Stmt, 'calls' | 'totalMs' | 'rows' | 'kind' | 'beforeModel' | 'costBefore' | 'scansToEnd'>,
  opts: Pick<AdvisorOptions, 'minPlanCost' | 'slowMeanMs'>,
): boolean {
  if (measuredSlow(s.costBefore, s, opts)) {
    s.scansToEnd = true;
    s.costBefore = costAt(s.beforeModel!, rowsPerCall(s));
  }
  return passesCostGate(s.costBefore, s, opts);
}
