// k6-style thresholds for the CI gate: parse `p95<300`, `p(99)<=800`, `error_rate<1%`,
// `throughput>500`, `p95{product}<200` (one endpoint), and evaluate them on a load test. Pure.
import type { LoadTestSummary } from '../types';
import type { Threshold, ThresholdResult } from './types';

export class ThresholdError extends Error {}

const LATENCY = ['p50', 'p90', 'p95', 'p99', 'max', 'mean'] as const;
const SYNTAX =
  'write METRIC[{ENDPOINT}] OP VALUE, e.g. p95<300, p(99)<=800, error_rate<1%, throughput>500 or p95{product}<200 ' +
  `(metrics: ${LATENCY.join(', ')} in ms or with s, error_rate in %, throughput in req/s)`;

const PATTERN = /^\s*([a-z_][a-z0-9_]*|p\(\d+\))\s*(?:\{([^}]+)\})?\s*(<=|>=|<|>)\s*([0-9]*\.?[0-9]+)\s*(ms|s|%|rps|req\/s)?\s*$/;

function metricOf(raw: string, text: string): Threshold['metric'] {
  const m = /^p\((\d+)\)$/.exec(raw);
  const name = m ? `p${m[1]}` : raw;
  if ((LATENCY as readonly string[]).includes(name) || name === 'error_rate' || name === 'throughput') return name as Threshold['metric'];
  throw new ThresholdError(`threshold "${text}": unknown metric "${raw}"; ${SYNTAX}`);
}

function valueOf(metric: Threshold['metric'], raw: number, unit: string | undefined, text: string): number {
  const bad = (want: string): never => {
    throw new ThresholdError(`threshold "${text}": ${metric} takes ${want}, not "${unit}"`);
  };
  if (metric === 'error_rate') {
    if (unit !== '%') throw new ThresholdError(`threshold "${text}": write error_rate as a percentage, e.g. error_rate<1%`);
    return raw;
  }
  if (metric === 'throughput') return unit === undefined || unit === 'rps' || unit === 'req/s' ? raw : bad('req/s');
  if (unit === undefined || unit === 'ms') return raw;
  return unit === 's' ? raw * 1000 : bad('ms or s');
}

/** One threshold; `endpoints` are the profile's endpoint names (an unknown one is refused, with the known ones). */
export function parseThreshold(text: string, endpoints: readonly string[]): Threshold {
  const m = PATTERN.exec(text);
  if (!m) throw new ThresholdError(`threshold "${text}" does not parse; ${SYNTAX}`);
  const metric = metricOf(m[1], text);
  const endpoint = m[2]?.trim();
  if (endpoint !== undefined && !endpoints.includes(endpoint)) {
    throw new ThresholdError(`threshold "${text}": unknown endpoint "${endpoint}"; the profile's endpoints are ${endpoints.join(', ')}`);
  }
  const value = valueOf(metric, Number(m[4]), m[5], text);
  return { text: text.trim(), metric, op: m[3] as Threshold['op'], value, ...(endpoint !== undefined ? { endpoint } : {}) };
}

export function parseThresholds(texts: readonly string[], endpoints: readonly string[]): Threshold[] {
  return texts.map((t) => parseThreshold(t, endpoints));
}

function actualOf(t: Threshold, s: LoadTestSummary): number | null {
  if (t.endpoint === undefined) {
    if (t.metric === 'error_rate') return s.errorRatePct;
    if (t.metric === 'throughput') return s.throughputRps;
    return s.latencyMs[t.metric];
  }
  const e = s.endpoints.find((x) => x.name === t.endpoint);
  if (!e || e.requests === 0) return null;
  if (t.metric === 'error_rate') return (e.errors / e.requests) * 100;
  if (t.metric === 'throughput') return s.durationSeconds > 0 ? e.requests / s.durationSeconds : null;
  return e.latencyMs[t.metric];
}

const holds = (actual: number, op: Threshold['op'], value: number): boolean =>
  op === '<' ? actual < value : op === '<=' ? actual <= value : op === '>' ? actual > value : actual >= value;

/** Each threshold against the measured figures; an endpoint not measured fails its threshold (actual null). */
export function evaluateThresholds(thresholds: readonly Threshold[], s: LoadTestSummary): ThresholdResult[] {
  return thresholds.map((threshold) => {
    const actual = actualOf(threshold, s);
    return { threshold, actual, passed: actual !== null && holds(actual, threshold.op, threshold.value) };
  });
}

/** The profile's SLO targets as thresholds (the gate's default when neither profile nor command line names any). */
export function targetThresholds(targets: { p95Ms: number; p99Ms: number; throughputRps: number; errorRatePct: number }): string[] {
  return [`p95<${targets.p95Ms}`, `p99<${targets.p99Ms}`, `error_rate<${targets.errorRatePct}%`, `throughput>${targets.throughputRps}`];
}
