// A check's verdict from its parts: the thresholds (any broken one fails), the comparison with the
// baseline (pass / warn / fail by the ratio rule), and the trust flags on the measured window. Pure.
import { windowConfidence, type MeasuredWindow } from '../verdict/before-after';
import { gateVerdictOf, storedP95Ratio, worstVerdict, type RatioEstimate } from './ratio';
import type { BaselineChoice, BaselineComparison, GateVerdict, ThresholdResult } from './types';

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
  return comparisonOf(
    kind,
    baselines.map((b) => b.id),
    storedP95Ratio(pooled, measuredP95Ms),
    maxRatio,
  );
}

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
  const broken = thresholdReasons(thresholds);
  const verdicts: GateVerdict[] = [broken.length ? 'fail' : 'pass', baseline?.verdict ?? 'pass'];
  const reasons = [...broken, ...(baseline && baseline.verdict !== 'pass' ? [`baseline: ${baseline.why}`] : [])];
  const confidence = windowConfidence('measured', window);
  return { verdict: worstVerdict(verdicts), reasons, lowConfidence: confidence.level === 'low' ? confidence.reasons : [] };
}

/** The exit code of `perf-orch check`: 0 pass (and warn unless failOnWarn), 1 fail. */
export function exitCodeOf(verdict: GateVerdict, failOnWarn: boolean): 0 | 1 {
  return verdict === 'fail' || (verdict === 'warn' && failOnWarn) ? 1 : 0;
}
