// One run of the advisor: what every step reads (the input, the options, the caller's hooks) and what
// the steps add to (notes, rejected candidates, figures), with the phases timed as the figures say.
import type { Pool } from 'pg';
import { emptyPlannerStats } from '../../../postgres/planner';
import { DEFAULT_ADVISOR_OPTIONS, type AdvisorOptions } from './options';
import { sampleVerifyProblem } from './sample-verify';
import type { AdvisorInput, AdvisorResult, AdvisorStats, IndexRecommendation } from './types';

export interface AdvisorContext {
  hypopgSchema: string | null;
  heartbeat?: (details: unknown) => void;
  /** Called at the end of each phase (the benchmark measures memory there). */
  onPhase?: (phase: string) => void;
}

export interface AdvisorRun {
  pool: Pool;
  input: AdvisorInput;
  ctx: AdvisorContext;
  opts: AdvisorOptions;
  notes: string[];
  rejected: AdvisorResult['rejected'];
  stats: AdvisorStats;
  startedAt: number;
}

export type Phase = Exclude<keyof AdvisorStats['ms'], 'total'>;

export function startRun(pool: Pool, input: AdvisorInput, ctx: AdvisorContext, options: Partial<AdvisorOptions>): AdvisorRun {
  const opts: AdvisorOptions = {
    ...DEFAULT_ADVISOR_OPTIONS,
    ...options,
    planner: { ...DEFAULT_ADVISOR_OPTIONS.planner, ...(options.planner ?? {}) },
    sampleVerify: { ...DEFAULT_ADVISOR_OPTIONS.sampleVerify, ...(options.sampleVerify ?? {}) },
  };
  const problem = sampleVerifyProblem(opts.sampleVerify);
  if (problem) throw new Error(`bad advisor option: ${problem}`);
  const startedAt = performance.now();
  const stats: AdvisorStats = {
    statementsIn: input.statements.length,
    fingerprints: 0,
    parseErrors: 0,
    analyzable: 0,
    planned: 0,
    planErrors: 0,
    belowMinCost: 0,
    slowBelowMinCost: 0,
    candidates: 0,
    evaluations: 0,
    lazyPending: 0,
    ms: { parse: 0, catalog: 0, plan: 0, evaluate: 0, select: 0, verify: 0, tail: 0, gin: 0, total: 0 },
    planner: emptyPlannerStats(),
    tail: null,
  };
  return { pool, input, ctx, opts, notes: [], rejected: [], stats, startedAt };
}

/** Runs a step as the phase `name`: its time goes to the figures, then `onPhase` is called. */
export async function phase<T>(run: AdvisorRun, name: Phase, step: () => T | Promise<T>): Promise<T> {
  const t = performance.now();
  const out = await step();
  run.stats.ms[name] = Math.round(performance.now() - t);
  run.ctx.onPhase?.(name);
  return out;
}

export function finishRun(run: AdvisorRun, recommendations: IndexRecommendation[]): AdvisorResult {
  run.stats.ms.total = Math.round(performance.now() - run.startedAt);
  return { recommendations, rejected: run.rejected, notes: run.notes, stats: run.stats, hypopg: run.ctx.hypopgSchema !== null };
}
