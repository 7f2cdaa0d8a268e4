// Step 4: measure again under the same load, then peak, stress and soak as the tier asks.
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { allTargetsMet, anyRegression, compareRuns } from '../common/compare';
import { validationFor } from '../common/decisions';
import type { StressStep, ValidationInput, ValidationResult } from '../common/stages';
import type { LoadPhase, LoadTestSummary } from '../common/types';
import type { TargetProfile } from '../common/profile';
import { loadTestOptions } from './timeouts';

const STRESS_MULTIPLIERS = [1, 2, 4, 8, 16];
const MAX_STRESS_CONCURRENCY = 512;

function measured(s: LoadTestSummary) {
  return { p95Ms: s.latencyMs.p95, p99Ms: s.latencyMs.p99, throughputRps: s.throughputRps, errorRatePct: s.errorRatePct };
}

async function loadTest(runId: string, target: TargetProfile, phase: LoadPhase, concurrency: number, durationSeconds: number, warmupSeconds: number) {
  const { runLoadTest } = proxyActivities<Activities>(loadTestOptions(durationSeconds + warmupSeconds));
  return runLoadTest({ runId, phase, target, concurrency, durationSeconds, warmupSeconds });
}

export async function validationWorkflow(input: ValidationInput): Promise<ValidationResult> {
  const { runId, target, tier, baseline } = input;
  const { load } = target;
  const plan = validationFor(tier);
  const completed: LoadPhase[] = [];

  const after = await loadTest(runId, target, 'after', baseline.concurrency, baseline.durationSeconds, load.warmupSeconds);
  completed.push('after');
  const comparison = compareRuns(measured(baseline), measured(after), target.targets, input.regressionThresholdPct);
  const regressed = anyRegression(comparison);
  const result: ValidationResult = { after, comparison, regressed, targetsMet: allTargetsMet(comparison), completed, peak: null, stress: null, soak: null };
  // A regression is rolled back by the parent; loading a worse system further tells nothing new.
  if (regressed) return result;

  if (plan.peak) {
    result.peak = await loadTest(runId, target, 'peak', baseline.concurrency * 2, load.durationSeconds, load.warmupSeconds);
    completed.push('peak');
  }
  if (plan.stress) {
    const steps: StressStep[] = [];
    for (const m of STRESS_MULTIPLIERS) {
      const concurrency = Math.min(MAX_STRESS_CONCURRENCY, load.concurrency * m);
      const s = await loadTest(runId, target, 'stress', concurrency, Math.min(load.durationSeconds, 5), 1);
      const withinSlo = s.errorRatePct <= target.targets.errorRatePct && s.latencyMs.p99 <= target.targets.p99Ms;
      steps.push({ concurrency, throughputRps: s.throughputRps, p99Ms: s.latencyMs.p99, errorRatePct: s.errorRatePct, withinSlo });
      if (!withinSlo || concurrency === MAX_STRESS_CONCURRENCY) break;
    }
    const ok = steps.filter((s) => s.withinSlo);
    result.stress = { steps, breakingPoint: ok.length ? ok.reduce((a, b) => (b.throughputRps > a.throughputRps ? b : a)) : null };
    completed.push('stress');
  }
  if (plan.soak) {
    const { sampleProcessMetrics } = proxyActivities<Activities>(loadTestOptions(load.soakSeconds));
    const [summary, proc] = await Promise.all([
      loadTest(runId, target, 'soak', load.concurrency, load.soakSeconds, 0),
      sampleProcessMetrics({ target, durationSeconds: load.soakSeconds, intervalMs: 5000 }),
    ]);
    result.soak = { summary, rssMbMax: proc.rssMbMax };
    completed.push('soak');
  }
  return result;
}
