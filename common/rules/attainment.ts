// How far the run got towards its targets, as the specification's validation rules read it. Pure.
//   met:     every target met after the changes -> success
//   partial: every missed metric achieved at least 80% of the improvement it needed (needed = the
//            baseline's distance to the target) -> accepted, monitored for regressions
//   missed:  less -> the T4 escalation (an architecture review)
import { lowerIsBetter, type MetricComparison } from '../compare';
import { round } from '../round';

export type Attainment = 'met' | 'partial' | 'missed';
export const PARTIAL_SHARE_PCT = 80;

/** Percent of the needed improvement achieved by a missed metric (0 when it was met before and is missed now). */
export function achievedSharePct(c: MetricComparison): number {
  const lower = lowerIsBetter(c.metric);
  const needed = lower ? c.before - c.target : c.target - c.before;
  if (needed <= 0) return 0;
  const achieved = lower ? c.before - c.after : c.after - c.before;
  return round(Math.max(0, (100 * achieved) / needed), 1);
}

export interface AttainmentResult {
  level: Attainment;
  /** Each metric missed after the changes, with the share of its needed improvement achieved. */
  missed: { metric: MetricComparison['metric']; achievedPct: number }[];
}

export function attainmentOf(rows: readonly MetricComparison[]): AttainmentResult {
  const missed = rows.filter((r) => !r.metAfter).map((r) => ({ metric: r.metric, achievedPct: achievedSharePct(r) }));
  if (missed.length === 0) return { level: 'met', missed };
  return { level: missed.every((m) => m.achievedPct >= PARTIAL_SHARE_PCT) ? 'partial' : 'missed', missed };
}
