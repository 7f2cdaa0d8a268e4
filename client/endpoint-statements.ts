// Which of an endpoint's top statements the reports and the status show: the costliest, then every
// statement called MANY_CALLS_PER_REQUEST times or more per request (an N+1 is many cheap calls that the
// costliest hide). Reports written before the most called ones were recorded hold the costliest only.
import type { EndpointMetrics } from '../common/contract-endpoints';
import { MANY_CALLS_PER_REQUEST, MOST_CALLED } from '../common/endpoint-attribution';

type Statement = EndpointMetrics['top_statements'][number];

export interface ShownStatement extends Statement {
  /** Called MANY_CALLS_PER_REQUEST times or more per request (the reports say so). */
  manyCalls: boolean;
}

export function statementsToShow(all: Statement[], costliest: number): ShownStatement[] {
  const byTime = [...all].sort((a, b) => b.ms_per_request - a.ms_per_request).slice(0, costliest);
  const byCalls = all
    .filter((s) => !byTime.includes(s) && s.calls_per_request >= MANY_CALLS_PER_REQUEST)
    .sort((a, b) => b.calls_per_request - a.calls_per_request)
    .slice(0, MOST_CALLED);
  return [...byTime, ...byCalls].map((s) => ({ ...s, manyCalls: s.calls_per_request >= MANY_CALLS_PER_REQUEST }));
}
