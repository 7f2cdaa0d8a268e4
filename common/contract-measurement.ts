// The output contract's figures on how the baseline was measured (common/verdict/baseline-measurement.ts),
// in the contract's snake_case.
import type { BaselineMeasurement } from './verdict';

export function measurementContract(m: BaselineMeasurement) {
  return {
    warmup_s: m.warmupSeconds,
    warmup_steady: m.warmupSteady,
    remeasured_first_drift_pct: m.remeasuredFirstDriftPct,
    confidence: m.confidence.level,
    confidence_reasons: m.confidence.reasons,
  };
}
