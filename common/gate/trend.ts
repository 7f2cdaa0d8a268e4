// A target's figures over time (perf-orch trend): the orchestration runs' load tests and the gate's
// checks as one series, with the runs that changed something marked. Pure.
import type { OutputContract } from '../output-contract';
import type { CheckResult, GateVerdict } from './types';

export interface TrendRun {
  workflowId: string;
  runId: string;
  startedAt: string; // ISO 8601
  finishedAt: string;
  result: OutputContract;
}

export interface TrendCheck {
  workflowId: string;
  runId: string;
  finishedAt: string;
  verdict: GateVerdict;
  result: CheckResult;
}

export interface TrendPoint {
  at: string; // ISO 8601: a run's baseline at its start, its after window at its end; a check at its end
  kind: 'run' | 'check';
  ref: string; // workflowId/runId
  window: 'baseline' | 'after' | 'check';
  p95Ms: number;
  p99Ms: number;
  throughputRps: number;
  errorRatePct: number;
  verdict: string; // a check's pass|warn|fail; a run's outcome
}

/** A run that applied changes (kept or rolled back): drawn as a vertical line at its end. */
export interface TrendMarker {
  at: string;
  ref: string;
  outcome: string;
  applied: string[]; // "id: description" of the changes still in place after the run
  rolledBack: string[];
}

export interface Trend {
  points: TrendPoint[]; // oldest first
  markers: TrendMarker[]; // oldest first, only those within the points' span
}

function runPoints(r: TrendRun): TrendPoint[] {
  const c = r.result;
  const ref = `${r.workflowId}/${r.runId}`;
  const verdict = c.validation_results.improvement_summary.outcome;
  const b = c.baseline_metrics;
  const points: TrendPoint[] = [
    {
      at: r.startedAt,
      kind: 'run',
      ref,
      window: 'baseline',
      p95Ms: b.latency_p95_ms,
      p99Ms: b.latency_p99_ms,
      throughputRps: b.throughput_rps,
      errorRatePct: b.error_rate_percent,
      verdict,
    },
  ];
  const rows = c.validation_results.improvement_summary.comparison;
  const after = (metric: string) => rows.find((row) => row.metric === metric)?.after;
  const p95 = after('p95Ms');
  if (c.regression_prevention_plan.after_load_test_id !== null && p95 !== undefined) {
    points.push({
      at: r.finishedAt,
      kind: 'run',
      ref,
      window: 'after',
      p95Ms: p95,
      p99Ms: after('p99Ms') ?? p95,
      throughputRps: after('throughputRps') ?? 0,
      errorRatePct: after('errorRatePct') ?? 0,
      verdict,
    });
  }
  return points;
}

function runMarker(r: TrendRun): TrendMarker | null {
  const items = r.result.optimizations_implemented;
  const label = (o: (typeof items)[number]) => `${o.id}: ${o.description}`;
  const applied = items.filter((o) => o.state === 'applied').map(label);
  const rolledBack = items.filter((o) => o.state === 'rolled_back').map(label);
  if (applied.length === 0 && rolledBack.length === 0) return null;
  const outcome = r.result.validation_results.improvement_summary.outcome;
  return { at: r.finishedAt, ref: `${r.workflowId}/${r.runId}`, outcome, applied, rolledBack };
}

function checkPoint(c: TrendCheck): TrendPoint {
  const m = c.result.measured;
  return {
    at: c.finishedAt,
    kind: 'check',
    ref: `${c.workflowId}/${c.runId}`,
    window: 'check',
    p95Ms: m.latencyMs.p95,
    p99Ms: m.latencyMs.p99,
    throughputRps: m.throughputRps,
    errorRatePct: m.errorRatePct,
    verdict: c.verdict,
  };
}

const time = (iso: string) => Date.parse(iso);

/** The series of runs and checks in time order, the last `last` points (all when absent), and the markers among them. */
export function buildTrend(runs: readonly TrendRun[], checks: readonly TrendCheck[], last?: number): Trend {
  const all = [...runs.flatMap(runPoints), ...checks.map(checkPoint)].sort((a, b) => time(a.at) - time(b.at));
  const points = last !== undefined && last < all.length ? all.slice(all.length - last) : all;
  if (points.length === 0) return { points, markers: [] };
  const from = time(points[0].at);
  const markers = runs
    .map(runMarker)
    .filter((m): m is TrendMarker => m !== null && time(m.at) >= from)
    .sort((a, b) => time(a.at) - time(b.at));
  return { points, markers };
}

/** The unit of the time axis for a span: minutes up to 3 hours, hours up to 3 days, then days. */
export function timeUnit(spanMs: number): { name: 'minutes' | 'hours' | 'days'; ms: number } {
  if (spanMs <= 3 * 3600_000) return { name: 'minutes', ms: 60_000 };
  if (spanMs <= 3 * 86400_000) return { name: 'hours', ms: 3600_000 };
  return { name: 'days', ms: 86400_000 };
}
