// Step 4: measure again under the same load, then peak, stress and soak as the tier asks.
import { patched, proxyActivities, setCurrentDetails } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { allTargetsMet, anyRegression, compareRuns, measuredOf } from '../common/compare';
import { validationFor } from '../common/decisions';
import { assessSoak, soakSampleIntervalMs } from '../common/soak';
import type { StressStep, ValidationInput, ValidationResult } from '../common/stages';
import { DEFAULT_STRESS_MULTIPLIERS, breakingPoint, judgeStressStep, connectionsForRate, stressRates } from '../common/stress';
import type { LoadPhase, LoadTestRequest } from '../common/types';
import type { TargetProfile } from '../common/profile';
import { loadTestOptions } from './timeouts';
import { loadTest } from './load-test';
import { attributeEndpoints } from './attribution';
import { beforeAfter, beforeAfterLines } from '../common/verdict/before-after';
import { AB_VALIDATION_PATCH, measureItems } from './ab-validation';
import { blocksLines } from '../common/ab-validation';

type LoadExtras = Pick<LoadTestRequest, 'model' | 'rateRps' | 'maxConnections' | 'warmup'>;

function runTest(
  runId: string,
  target: TargetProfile,
  phase: LoadPhase,
  concurrency: number,
  durationSeconds: number,
  warmupSeconds: number,
  extras: LoadExtras = {},
) {
  return loadTest({ runId, phase, target, concurrency, durationSeconds, warmupSeconds, ...extras });
}

export async function validationWorkflow(input: ValidationInput): Promise<ValidationResult> {
  const { runId, target, tier, baseline } = input;
  const { load } = target;
  const plan = validationFor(tier);
  const completed: ValidationResult['completed'] = [];
  // Profiles recorded before the open model have no `model`: closed.
  const open = load.model === 'open' && load.rateRps !== undefined;
  // The after and peak tests warm up as the baseline did: until steady when the profile says so.
  const steady: LoadExtras = load.warmup ? { warmup: load.warmup } : {};

  const after = await runTest(runId, target, 'after', baseline.concurrency, baseline.durationSeconds, load.warmupSeconds, steady);
  completed.push('after');
  const comparison = compareRuns(measuredOf(baseline), measuredOf(after), target.targets, input.regressionThresholdPct);
  const regressed = anyRegression(comparison);
  const result: ValidationResult = {
    after,
    comparison,
    regressed,
    targetsMet: allTargetsMet(comparison),
    completed,
    peak: null,
    stress: null,
    soak: null,
    beforeAfter: beforeAfter(baseline, after, input.regressionThresholdPct),
  };
  const details = result.beforeAfter ? `**after vs baseline**\n\n${beforeAfterLines(result.beforeAfter).join('\n\n')}` : '';
  if (details) setCurrentDetails(details);
  const attribution = await attributeEndpoints(runId, target, 'after');
  if (attribution) result.attribution = attribution;
  // A regression is rolled back by the parent; loading a worse system further tells nothing new.
  if (regressed) return result;
  // Each approved change on its own: toggles by interleaved A/B blocks, indexes by before/after blocks (or the before/after).
  if (input.abItems?.length && patched(AB_VALIDATION_PATCH)) result.items = await measureItems(input, result);
  const blocks = blocksLines(result.items ?? []);
  if (blocks.length) setCurrentDetails([details, ...blocks].filter(Boolean).join('\n\n'));

  if (plan.peak) {
    // Twice the baseline traffic: twice the arrival rate (open model) or twice the connections (closed).
    result.peak = open
      ? await runTest(runId, target, 'peak', baseline.concurrency * 2, load.durationSeconds, load.warmupSeconds, {
          ...steady,
          model: 'open',
          rateRps: load.rateRps! * 2,
          maxConnections: connectionsForRate(load.rateRps! * 2, target.targets.p99Ms, load.maxConnections),
        })
      : await runTest(runId, target, 'peak', baseline.concurrency * 2, load.durationSeconds, load.warmupSeconds, steady);
    completed.push('peak');
  }
  if (plan.stress) {
    // Open-model rate steps from the throughput measured under the baseline load (on the system as
    // it is now), until a step misses the SLO; the breaking point is the highest rate that met it.
    const baseRps = Math.max(1, after.throughputRps);
    const stepSeconds = Math.min(load.durationSeconds, load.stressStepSeconds ?? 5);
    const warmup = Math.min(1, load.warmupSeconds);
    const steps: StressStep[] = [];
    // Histories recorded before: requests unanswered at a step's end counted as failures.
    const unfinishedAsFailed = !patched('stress-unfinished-late');
    for (const rateRps of stressRates(baseRps, load.stressMultipliers ?? DEFAULT_STRESS_MULTIPLIERS)) {
      const s = await runTest(runId, target, 'stress', load.concurrency, stepSeconds, warmup, {
        model: 'open',
        rateRps,
        maxConnections: connectionsForRate(rateRps, target.targets.p99Ms, load.maxConnections),
      });
      const step = judgeStressStep(s, rateRps, target.targets, { unfinishedAsFailed });
      steps.push(step);
      if (!step.withinSlo) break;
    }
    result.stress = { steps, breakingPoint: breakingPoint(steps), baseRps };
    completed.push('stress');
  }
  if (plan.soak) {
    const intervalMs = soakSampleIntervalMs(load.soakSeconds);
    const { sampleProcessMetrics } = proxyActivities<Activities>({
      ...loadTestOptions(load.soakSeconds),
      summary: `process metrics every ${intervalMs} ms during the ${load.soakSeconds} s soak`,
    });
    const [summary, proc] = await Promise.all([
      runTest(runId, target, 'soak', load.concurrency, load.soakSeconds, 0),
      sampleProcessMetrics({ target, durationSeconds: load.soakSeconds, intervalMs }),
    ]);
    const verdict = assessSoak(proc.series ?? [], summary.p95Drift ?? null, {
      leakMbPerMin: load.soakLeakMbPerMin ?? 2,
      p95DriftPct: load.soakP95DriftPct ?? 25,
    });
    result.soak = { summary, rssMbMax: proc.rssMbMax, ...verdict };
    completed.push('soak');
  }
  return result;
}
