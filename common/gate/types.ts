// The CI gate's shared shapes: a stored baseline, a check's input and result. Pure types.
import type { TargetProfile } from '../profile';
import type { NotifyOutcome } from '../notify/types';
import type { LoadTestSummary } from '../types';
import type { EndpointComparison } from './endpoint-ratios';

/** A target's reference measurement (perf_orchestrator.baselines), without its histograms. */
export interface StoredBaseline {
  id: string;
  target: string;
  // Where it came from: "check:<workflowId>/<runId>", "run:<workflowId>/<runId>" (the after window), "import:<file name>".
  source: string;
  pinned: boolean;
  note: string | null;
  createdBy: string;
  createdAt: string; // ISO 8601
  summary: LoadTestSummary; // with perSecond (the gate's samples), latencyMs, endpoints, host
}

export type GateVerdict = 'pass' | 'warn' | 'fail';

/** One k6-style threshold: `p95<300`, `error_rate<1%`, `throughput>500`, optionally for one endpoint. */
export interface Threshold {
  text: string; // as written, for reports ("GET /products: p95<300")
  metric: 'p50' | 'p90' | 'p95' | 'p99' | 'max' | 'mean' | 'error_rate' | 'throughput';
  op: '<' | '<=' | '>' | '>=';
  value: number; // ms for latencies, percent for error_rate, req/s for throughput
  endpoint?: string; // an endpoint name of the profile; absent: the whole test
}

/** What the check compares the measurement with. */
export type BaselineChoice =
  | { kind: 'pinned'; id?: string } // the target's latest pinned baseline (or this one)
  | { kind: 'recent'; n: number } // the last n passing checks of the target, pooled
  // A live baseline deployment: with sliceMs, both take turns every sliceMs over the profile's window
  // (common/gate/alternating.ts); without, pairs of blocks of blockSeconds alternate.
  | { kind: 'interleaved'; baseUrl: string; pairs: number; blockSeconds: number; sliceMs?: number }
  | { kind: 'none' }; // thresholds only

export interface CheckInput {
  target: TargetProfile;
  thresholds: Threshold[];
  baseline: BaselineChoice;
  // The p95 ratio (candidate / baseline) above which a regression fails the gate: 1.05 by default.
  maxP95Ratio: number;
  requestedBy: string;
  // Set by a scheduled watch: a failure opens an escalation and notifies.
  watch?: { scheduleId: string };
}

export interface ThresholdResult {
  threshold: Threshold;
  actual: number | null; // null: the endpoint or metric was not measured
  passed: boolean;
}

/** The p95 comparison with the baseline: the ratio with its 95% interval and the verdict it gives. */
export interface BaselineComparison {
  kind: BaselineChoice['kind'];
  baselineIds: string[]; // stored baselines or checks compared with ([] for interleaved)
  method: string; // e.g. "batch means of per-second p95, 5 batches a side"
  p95Ratio: number | null;
  p95RatioLow: number | null;
  p95RatioHigh: number | null;
  verdict: GateVerdict;
  why: string;
  pairs?: { baselineP95Ms: number; candidateP95Ms: number }[]; // interleaved blocks: each pair's block p95
  sliceMs?: number; // interleaved, taking turns: each side's turn (the pairs are seconds, not printed)
  // interleaved: the same ratio endpoint by endpoint (common/gate/endpoint-ratios.ts); absent before it existed
  endpoints?: EndpointComparison[];
  endpointsNote?: string; // why no endpoint was compared (when endpoints is [])
  // What to read the comparison with care for: a stored baseline that was measured warming up.
  lowConfidence?: string[];
}

export interface CheckResult {
  target: string;
  verdict: GateVerdict;
  reasons: string[]; // why not pass, in words
  startedAt: string;
  finishedAt: string;
  measured: LoadTestSummary;
  thresholds: ThresholdResult[];
  baseline: BaselineComparison | null;
  lowConfidence: string[]; // saturation, drift: figures to read with care
  escalationWorkflowId?: string | null;
  notifications?: NotifyOutcome[]; // a failed check: what was sent to the profile's notifiers
}
