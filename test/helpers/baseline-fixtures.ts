// Shapes for the baseline and trend tests: a load-test summary, its stored full result, a run's
// output contract (the demo's, with the figures changed) and a check's result.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CheckResult, GateVerdict } from '../../common/gate/types';
import type { OutputContract } from '../../common/output-contract';
import type { LoadTestSummary } from '../../common/types';

export function sampleSummary(over: Partial<LoadTestSummary> = {}): LoadTestSummary {
  return {
    id: '41',
    phase: 'after',
    concurrency: 8,
    durationSeconds: 5,
    requests: 2000,
    errors: 4,
    errorRatePct: 0.2,
    throughputRps: 400,
    latencyMs: { p50: 10, p90: 18, p95: 22.5, p99: 40, max: 90, mean: 12 },
    endpoints: [{ name: 'products', requests: 2000, errors: 4, latencyMs: { p50: 10, p90: 18, p95: 22.5, p99: 40, max: 90, mean: 12 } }],
    errorKinds: { http_5xx: 4 },
    warmupRequests: 300,
    model: 'closed',
    rateRps: null,
    p95Drift: null,
    perSecond: { rps: [398, 401, 400, 402, 399], p95Ms: [22, 23, 22.5, 22, 23] },
    host: { cores: 2, loadAvg1: 0.8, hostCpuPct: 40 },
    ...over,
  };
}

/** The stored full result of a load test (activities/loadtest LoadTestArtifact), reduced to what the tests read. */
export function sampleArtifact(summary: LoadTestSummary): Record<string, unknown> {
  return {
    runId: 'run-1',
    phase: summary.phase,
    target: { name: 'shop', baseUrl: 'http://127.0.0.1:1' },
    model: 'closed',
    requestTimeoutMs: 5000,
    runBudget: { allowed: 1_000_000, spent: false },
    result: {
      model: 'closed',
      requests: summary.requests,
      errors: summary.errors,
      errorRatePct: summary.errorRatePct,
      throughputRps: summary.throughputRps,
      latencyMs: summary.latencyMs,
      endpoints: summary.endpoints,
      errorKinds: summary.errorKinds,
      errorKindsByEndpoint: {},
      histograms: {
        overall: 'HISTFAAAACR4nJNpmSzMwMDAxQABzFCaEUzOmNZg/wEi',
        endpoints: { products: 'HISTFAAAACR4nJNpmSzMwMDAxQABzFCaEUzOmNZg/wEi' },
      },
      progress: summary.perSecond!.rps.map((rps, i) => ({
        tSec: i + 1,
        warmup: false,
        currentRps: rps,
        p95Ms: summary.perSecond!.p95Ms[i],
      })),
      warmupRequests: summary.warmupRequests,
      measuredSeconds: summary.durationSeconds,
      aborted: false,
      capped: false,
      dropped: 0,
      offeredRps: 0,
      unfinished: 0,
      bytesIn: 1000,
      bytesOut: 500,
      concurrency: summary.concurrency,
      durationSeconds: summary.durationSeconds,
      warmupSeconds: 1,
      thinkTimeMs: 0,
      rateRps: null,
      rampFromRps: null,
      maxConnections: null,
    },
  };
}

const DEMO: OutputContract = JSON.parse(readFileSync(join(__dirname, '../fixtures/demo-report.json'), 'utf8'));

/** The demo run's contract with the given load-test ids, outcome and item states. */
export function sampleContract(o: {
  baselineId: string;
  afterId: string | null;
  outcome?: OutputContract['validation_results']['improvement_summary']['outcome'];
  states?: OutputContract['optimizations_implemented'][number]['state'][];
  target?: string;
}): OutputContract {
  const c: OutputContract = structuredClone(DEMO);
  c.target_system = o.target ?? 'shop';
  c.baseline_metrics.load_test_id = o.baselineId;
  c.regression_prevention_plan.baseline_load_test_id = o.baselineId;
  c.regression_prevention_plan.after_load_test_id = o.afterId;
  if (o.outcome) c.validation_results.improvement_summary.outcome = o.outcome;
  if (o.afterId === null) c.validation_results.improvement_summary.comparison = [];
  o.states?.forEach((s, i) => {
    if (c.optimizations_implemented[i]) c.optimizations_implemented[i].state = s;
  });
  return c;
}

export function sampleCheck(verdict: GateVerdict, measured: LoadTestSummary, target = 'shop'): CheckResult {
  return {
    target,
    verdict,
    reasons: verdict === 'pass' ? [] : ['p95 above the baseline'],
    startedAt: '2026-11-30T10:00:00.000Z',
    finishedAt: '2026-11-30T10:01:00.000Z',
    measured,
    thresholds: [],
    baseline: null,
    lowConfidence: [],
  };
}
