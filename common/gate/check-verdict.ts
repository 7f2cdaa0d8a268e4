// A check's verdict from its parts: the thresholds (any broken one fails), the comparison with the
// baseline (pass / warn / fail by the ratio rule), and the trust flags on the measured window. Pure.
import { windowConfidence, type MeasuredWindow } from '../verdict/before-after';
import { endpointRatios, MIN_ENDPOINT_PAIRS, MIN_ENDPOINT_REQUESTS, type EndpointFigures } from './endpoint-ratios';

import { warmingReason } from './warming-window';
import { gateVerdictOf, interleavedP95Ratio, pairP95s, storedP95Ratio, worstVerdict, type BlockFigures, type RatioEstimate } from './ratio';
import type { BaselineChoice, BaselineComparison, GateVerdict, ThresholdResult } from './types';

/** Why a comparison has no endpoint table (field test 5: a slow app answered 1-18 requests a second). */
export const ENDPOINTS_NOT_COMPARED =
  `no endpoint compared one by one: each needs ${MIN_ENDPOINT_PAIRS} pairs or more in which it answered at least ` +
  `${MIN_ENDPOINT_REQUESTS} requests on both sides (and two such endpoints); a slow or lightly loaded target does not ` +
  'reach that per second: use --pairs with longer blocks, or per-endpoint thresholds (p95{name}<ms)';

/** A measured figure for reports: two decimals at most, or "not measured". */
export const figureText = (x: number | null): string => (x === null ? 'not measured' : String(Math.round(x * 100) / 100));

export function thresholdReasons(results: readonly ThresholdResult[]): string[] {
  return results.filter((r) => !r.passed).map((r) => `threshold ${r.threshold.text} broken: measured ${figureText(r.actual)}`);
}

/** The comparison's record from a ratio estimate (null estimate: not enough data, a warning). */
export function comparisonOf(
  kind: BaselineChoice['kind'],
  baselineIds: string[],
  estimate: RatioEstimate | null,
  maxRatio: number,
): BaselineComparison {
  const { verdict, why } = gateVerdictOf(estimate, maxRatio);
  return {
    kind,
    baselineIds,
    method: estimate?.method ?? 'none',
    p95Ratio: estimate?.ratio ?? null,
    p95RatioLow: estimate?.low ?? null,
    p95RatioHigh: estimate?.high ?? null,
    verdict,
    why,
  };
}

/** The measured per-second p95 against stored ones (one baseline, or several recent checks pooled). */
export function storedComparison(
  kind: 'pinned' | 'recent',
  baselines: readonly { id: string; perSecondP95Ms: readonly number[] }[],
  measuredP95Ms: readonly number[],
  maxRatio: number,
): BaselineComparison {
  const pooled = baselines.flatMap((b) => [...b.perSecondP95Ms]);
  const comparison = comparisonOf(
    kind,
    baselines.map((b) => b.id),
    storedP95Ratio(pooled, measuredP95Ms),
    maxRatio,
  );
  const warming = baselines.flatMap((b) => warmingReason(`baseline ${b.id}`, b.perSecondP95Ms) ?? []);
  return warming.length ? { ...comparison, lowConfidence: warming } : comparison;
}

/** An interleaved block: what the whole mix's p95 and the endpoints' are read from. */
export type InterleavedBlock = BlockFigures & { endpoints: readonly EndpointFigures[] };

/**
 * Interleaved pairs of blocks (or of seconds of sides taking turns: alternating.ts): the whole mix's
 * ratio, each pair's p95s (blocks only: seconds are too many to print) and, when asked, the endpoints' ratios.
 */
export function interleavedComparison(
  pairs: readonly { baseline: InterleavedBlock; candidate: InterleavedBlock }[],
  maxRatio: number,
  withEndpoints: boolean,
  alternating?: { sliceMs: number },
): BaselineComparison {
  const usable = pairs.map((p) => pairP95s(p.baseline, p.candidate)).filter((x): x is { a: number; b: number } => x !== null);
  const estimate = interleavedP95Ratio(usable);
  const method = alternating
    ? `sides taking turns every ${alternating.sliceMs} ms, ${usable.length} seconds paired, paired t on log p95`
    : estimate?.method;
  const comparison: BaselineComparison = {
    ...comparisonOf('interleaved', [], estimate && method ? { ...estimate, method } : estimate, maxRatio),
    ...(alternating
      ? { sliceMs: alternating.sliceMs }
      : { pairs: pairs.map((p) => ({ baselineP95Ms: p.baseline.latencyMs.p95, candidateP95Ms: p.candidate.latencyMs.p95 })) }),
  };
  if (!withEndpoints) return comparison;
  const endpoints = endpointRatios(pairs, maxRatio);
  return { ...comparison, endpoints, ...(endpoints.length ? {} : { endpointsNote: ENDPOINTS_NOT_COMPARED }) };
}

/** The comparison's own verdict and its endpoints': the worse. */
export const comparisonVerdict = (c: BaselineComparison): GateVerdict =>
  worstVerdict([c.verdict, ...(c.endpoints ?? []).map((e) => e.verdict)]);

export interface CheckVerdict {
  verdict: GateVerdict;
  reasons: string[];
  lowConfidence: string[];
}

export function checkVerdict(
  thresholds: readonly ThresholdResult[],
  baseline: BaselineComparison | null,
  window: MeasuredWindow,
): CheckVerdict {
  const warming = warmingReason('measured', window.perSecond?.p95Ms);
  const broken = thresholdReasons(thresholds);
  const endpoints = baseline?.endpoints ?? [];
  const verdicts: GateVerdict[] = [broken.length ? 'fail' : 'pass', baseline ? comparisonVerdict(baseline) : 'pass'];
  const reasons = [
    ...broken,
    ...(baseline && baseline.verdict !== 'pass' ? [`baseline: ${baseline.why}`] : []),
    ...endpoints.filter((e) => e.verdict !== 'pass').map((e) => `endpoint ${e.endpoint}: ${e.why}`),
  ];
  const confidence = windowConfidence('measured', window);
  const lowConfidence = [
    ...(confidence.level === 'low' ? confidence.reasons : []),
    ...(warming ? [warming] : []),
    ...(baseline?.lowConfidence ?? []),
  ];
  return { verdict: worstVerdict(verdicts), reasons, lowConfidence };
}

/** The exit code of `perf-orch check`: 0 pass (and warn unless failOnWarn), 1 fail. */
export function exitCodeOf(verdict: GateVerdict, failOnWarn: boolean): 0 | 1 {
  return verdict === 'fail' || (verdict === 'warn' && failOnWarn) ? 1 : 0;
}
