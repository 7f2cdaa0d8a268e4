// How much load a run may send: the operator's ceilings, lowered by the profile's own limits, and
// the load seconds a run plans across its phases (the validation workflow's phases, worst case: the
// tier is decided after profiling, and `auto` may reach T4; every declared toggle approved and
// A/B-tested). Pure: the pre-check and the load generator decide with it.
import type { OperatorPolicy, RunLimits } from './operator-policy';
import type { TargetProfile } from './profile';
import { ATTRIBUTION_DEFAULTS } from './endpoint-attribution';
import { DEFAULT_STRESS_MULTIPLIERS } from './stress';
import { worstCaseWarmupSeconds } from './warmup';
import { abSecondsPerItem, abSettings } from './ab-validation';

export interface PolicyIssue {
  path: (string | number)[];
  message: string;
}

export interface PlannedLoad {
  phases: { phase: string; seconds: number }[];
  seconds: number;
}

/** The per-endpoint attribution passes at their time limits (each endpoint alone, after the baseline and after the changes). */
function attributionSeconds(target: Pick<TargetProfile, 'load' | 'http'>): number {
  const a = target.load.attribution;
  if (a?.enabled === false) return 0;
  const perEndpoint = a?.maxSecondsPerEndpoint ?? ATTRIBUTION_DEFAULTS.maxSecondsPerEndpoint;
  return target.http.endpoints.length * perEndpoint + ATTRIBUTION_DEFAULTS.quietSeconds;
}

/**
 * Every load the run may plan: baseline, after, peak, each stress step, soak, the A/B blocks (warm-ups
 * included, a steady warm-up at its cap), the attribution passes. The baseline warms up until steady on
 * its own before its round, and is measured twice when the first one drifted.
 */
export function plannedLoad(
  target: Pick<TargetProfile, 'load' | 'http'> & Partial<Pick<TargetProfile, 'actions' | 'database'>>,
): PlannedLoad {
  const l = target.load;
  const test = worstCaseWarmupSeconds(l) + l.durationSeconds;
  const baselineRound = (l.warmup ? l.warmup.maxSeconds : 0) + l.warmupSeconds + l.durationSeconds;
  const steps = (l.stressMultipliers ?? DEFAULT_STRESS_MULTIPLIERS).length;
  const stepSeconds = Math.min(1, l.warmupSeconds) + Math.min(l.durationSeconds, l.stressStepSeconds ?? 5);
  const phases = [
    { phase: 'baseline (twice if the first drifted)', seconds: 2 * baselineRound },
    { phase: 'after', seconds: test },
    { phase: 'peak', seconds: test },
    { phase: `stress (${steps} steps x ${stepSeconds} s)`, seconds: steps * stepSeconds },
    { phase: 'soak', seconds: l.soakSeconds },
  ];
  // The per-item A/B: worst case, every declared toggle approved and applied.
  const toggles = target.actions?.featureToggles.length ?? 0;
  const ab = abSettings(l);
  if (toggles > 0 && ab.pairs > 0) {
    phases.push({
      phase: `A/B blocks (${toggles} toggle(s) x ${ab.pairs} pairs x 2 x ${ab.blockSeconds + ab.warmupSeconds} s)`,
      seconds: toggles * abSecondsPerItem(ab),
    });
  }
  // The before/after blocks of the index changes (a database target): k before, k after, once a run.
  if (target.database && ab.pairs >= 2) {
    phases.push({
      phase: `before/after blocks of the index changes (2 x ${ab.pairs} x ${ab.blockSeconds + ab.warmupSeconds} s)`,
      seconds: abSecondsPerItem(ab),
    });
  }
  const attribution = attributionSeconds(target);
  if (attribution > 0) phases.push({ phase: 'per-endpoint attribution (2 passes, at most)', seconds: 2 * attribution });
  return { phases, seconds: phases.reduce((a, p) => a + p.seconds, 0) };
}

/** The operator's ceilings lowered by the profile's limits; a profile limit above a ceiling is an issue naming both. */
export function effectiveLimits(
  policy: Pick<OperatorPolicy, 'limits'>,
  target: Pick<TargetProfile, 'limits'>,
): { limits: RunLimits; issues: PolicyIssue[] } {
  const own = target.limits ?? {};
  const issues: PolicyIssue[] = [];
  const pick = (key: keyof RunLimits, env: string): number => {
    const ceiling = policy.limits[key];
    const asked = own[key];
    if (asked === undefined) return ceiling;
    if (asked > ceiling) {
      issues.push({
        path: ['limits', key],
        message: `${asked} is above this worker's ${env}=${ceiling}; a profile may lower the operator's limit, never raise it (set at most ${ceiling})`,
      });
      return ceiling;
    }
    return asked;
  };
  return {
    limits: {
      maxRunSeconds: pick('maxRunSeconds', 'PERF_MAX_RUN_SECONDS'),
      maxRunRequests: pick('maxRunRequests', 'PERF_MAX_RUN_REQUESTS'),
    },
    issues,
  };
}

function source(target: Pick<TargetProfile, 'limits'>, key: keyof RunLimits, env: string): string {
  return target.limits?.[key] !== undefined ? `the profile's limits.${key}` : `the worker's ${env}`;
}

/** The profile's limits and the planned load against the effective limits. */
export function runBudgetIssues(
  target: Pick<TargetProfile, 'load' | 'limits' | 'http'> & Partial<Pick<TargetProfile, 'actions'>>,
  policy: Pick<OperatorPolicy, 'limits'>,
): PolicyIssue[] {
  const { limits, issues } = effectiveLimits(policy, target);
  const plan = plannedLoad(target);
  if (plan.seconds > limits.maxRunSeconds) {
    const parts = plan.phases.map((p) => `${p.phase} ${p.seconds} s`).join(', ');
    issues.push({
      path: ['load'],
      message:
        `the run may plan ${plan.seconds} s of load (${parts}) but ${source(target, 'maxRunSeconds', 'PERF_MAX_RUN_SECONDS')} ` +
        `allows ${limits.maxRunSeconds} s; lower load.stressMultipliers, load.stressStepSeconds, load.soakSeconds, ` +
        `load.durationSeconds, load.warmup.maxSeconds, load.abPairs, load.abBlockSeconds or load.attribution.maxSecondsPerEndpoint, ` +
        `or ask the worker's operator to raise PERF_MAX_RUN_SECONDS`,
    });
  }
  return issues;
}
