// The output contract's fields on how far the figures can be trusted: the baseline's measurement
// and the before/after verdicts with their intervals (common/verdict), in the contract's snake_case.
import type { BaselineMeasurement, BeforeAfter, Verdict } from './verdict';

export function measurementContract(m: BaselineMeasurement) {
  return {
    warmup_s: m.warmupSeconds,
    warmup_steady: m.warmupSteady,
    remeasured_first_drift_pct: m.remeasuredFirstDriftPct,
    confidence: m.confidence.level,
    confidence_reasons: m.confidence.reasons,
  };
}

function verdictContract(v: Verdict) {
  return {
    verdict: v.verdict,
    improvement_pct: v.improvementPct,
    ci_low_pct: v.improvementLowPct,
    ci_high_pct: v.improvementHighPct,
    method: v.method,
    n: v.n,
    regressed: v.regressed,
  };
}

export function beforeAfterContract(b: BeforeAfter) {
  return {
    throughput: verdictContract(b.throughput),
    p95: verdictContract(b.p95),
    confidence: b.confidence.level,
    confidence_reasons: b.confidence.reasons,
  };
}
