// The output contract's verdicts: an effect with its 95% interval, the before/after, the baseline's
// measurement, and each applied item's measured gain (common/verdict, common/ab-validation.ts). Pure.
import { JOINT_LEVEL, type BaselineMeasurement, type BeforeAfter, type Verdict } from './verdict';
import type { ItemMeasurement } from './ab-validation';

export function verdictContract(v: Verdict) {
  return {
    verdict: v.verdict,
    improvement_pct: v.improvementPct,
    ci_low_pct: v.improvementLowPct,
    ci_high_pct: v.improvementHighPct,
    method: v.method,
    n: v.n,
    regressed: v.regressed,
    ci_joint: v.level === JOINT_LEVEL,
  };
}

export function measuredContract(m: ItemMeasurement | undefined) {
  if (!m) return {};
  return {
    measured: {
      method: m.method,
      verdict: m.verdict,
      throughput: verdictContract(m.throughput),
      p95: verdictContract(m.p95),
      ab_blocks: m.blocks?.length ?? m.timedBlocks?.length ?? 0,
      ab_flips: m.flips?.length ?? 0,
      together: m.together ?? [],
      drift: m.drift ? driftContract(m.drift) : null,
      confidence: m.confidence?.level ?? null,
      note: m.note ?? null,
    },
  };
}

/** Blocks' drift per metric: detected or corrected when either metric's was. */
function driftContract(d: NonNullable<ItemMeasurement['drift']>) {
  const both = [d.throughput, d.p95];
  return {
    throughput_pct_per_min: d.throughput?.pctPerMinute ?? null,
    p95_pct_per_min: d.p95?.pctPerMinute ?? null,
    detected: both.some((x) => x?.detected === true),
    corrected: both.some((x) => x?.corrected === true),
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

/** How the baseline was measured (common/verdict/baseline-measurement.ts). */
export function measurementContract(m: BaselineMeasurement) {
  return {
    warmup_s: m.warmupSeconds,
    warmup_steady: m.warmupSteady,
    remeasured_first_drift_pct: m.remeasuredFirstDriftPct,
    confidence: m.confidence.level,
    confidence_reasons: m.confidence.reasons,
  };
}
