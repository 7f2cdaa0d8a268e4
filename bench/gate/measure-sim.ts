// The simultaneous design's measuring loop: two shops (same database; the baseline never delayed, the
// candidate with the condition's planted delay) each get half the connections of the project's load
// engine AT THE SAME TIME for a window; one window per condition in a trial set, in rotated order; the
// busy loop beside every other set. Each side's p95 is taken per half second (SERIES_INTERVAL_MS).
// Stops after the trials asked for, at the time cap, or when told to.
import { runTrialSets } from './trial-sets';
import type { TwoShopContext } from './two-shops';
import type { BenchShop } from './shop';
import { runLoad } from '../../activities/loadtest/load';
import { addedPctOf, calibratedReference, plantedCostUs, usPerRequest, type Condition, type CostSample } from './schedule';
import { alignSeconds, simultaneousTrial, windowOrder, type WindowRecord } from './sim-evaluate';
import { progressLine } from './measure';
import type { Trial } from './tally';

// Half-second points: a short window still gives the estimator its 10 paired points (5 batches of 2+),
// and at a few hundred requests a second a side each half second still holds ~100+ latencies for its p95.
export const SERIES_INTERVAL_MS = 500;

export interface MeasuredSim {
  windows: WindowRecord[];
  trials: Trial[];
  sets: number;
  stoppedBy: 'trials' | 'time cap' | 'interrupt';
  errors: number;
}

export type SimContext = TwoShopContext;

/** Both shops under load at once, half the connections each (at least one). */
export async function runPair(
  ctx: SimContext,
  seconds: number,
): Promise<{ a: Awaited<ReturnType<typeof runLoad>>; b: Awaited<ReturnType<typeof runLoad>> }> {
  const half = Math.max(1, Math.floor(ctx.options.concurrency / 2));
  const one = (shop: BenchShop) =>
    runLoad({
      target: shop.profile,
      durationSeconds: seconds,
      warmupSeconds: 0,
      model: 'closed',
      concurrency: half,
      signal: ctx.signal,
      progressIntervalMs: SERIES_INTERVAL_MS,
    });
  const [a, b] = await Promise.all([one(ctx.baseline), one(ctx.candidate)]);
  return { a, b };
}

async function measureWindow(
  ctx: SimContext,
  condition: Condition,
  set: number,
  busy: boolean,
  refUs: number,
  samples: CostSample[],
): Promise<WindowRecord & { errors: number }> {
  const planted = plantedCostUs(condition, refUs);
  await ctx.candidate.setPlantedDelay(planted);
  const { a, b } = await runPair(ctx, ctx.options.windowSeconds);
  const stats = await ctx.candidate.setPlantedDelay(0);
  samples.push({ busy, usPerRequest: usPerRequest(ctx.options.windowSeconds, a.requests) });
  const s = alignSeconds(a.progress, b.progress, SERIES_INTERVAL_MS / 1000);
  return {
    set,
    condition,
    busy,
    baseline: s.a,
    candidate: s.b,
    baselineP95Ms: a.latencyMs.p95,
    candidateP95Ms: b.latencyMs.p95,
    requests: a.requests + b.requests,
    addedPct: addedPctOf(planted, stats, refUs),
    errors: a.errors + b.errors,
  };
}

const CALIBRATION_SECONDS = 2;

/** Both shops for a moment before each set; with the baseline's windows so far in the same state, what the set's plants are sized on. */
async function calibrate(ctx: SimContext, samples: CostSample[], busy: boolean): Promise<number> {
  const { a } = await runPair(ctx, CALIBRATION_SECONDS);
  return calibratedReference(samples, { busy, seconds: CALIBRATION_SECONDS, requests: a.requests });
}

export async function measureSimultaneous(ctx: SimContext): Promise<MeasuredSim> {
  const { options } = ctx;
  const out: MeasuredSim = { windows: [], trials: [], sets: 0, stoppedBy: 'trials', errors: 0 };
  const samples: CostSample[] = [];
  const started = Date.now();
  const end = await runTrialSets({
    trials: options.trials,
    deadlineMs: ctx.deadlineMs,
    signal: ctx.signal,
    firstSetSeconds: (options.windowSeconds + 1) * 4 + CALIBRATION_SECONDS + 2,
    measureSet: async (set, busy) => {
      const refUs = await calibrate(ctx, samples, busy);
      const windows: (WindowRecord & { errors: number })[] = [];
      for (const c of windowOrder(set)) {
        if (ctx.signal.aborted) break;
        windows.push(await measureWindow(ctx, c, set, busy, refUs, samples));
      }
      return windows;
    },
    afterSet: (set, busy, windows) => {
      const trials = windows.map((w) => simultaneousTrial(w));
      for (const { errors, ...w } of windows) {
        out.errors += errors;
        out.windows.push(w);
      }
      out.trials.push(...trials);
      ctx.log(progressLine(set, busy, trials, started, options.trials));
    },
  });
  return { ...out, ...end };
}
