// The alternating design's measuring loop (what `perf-orch check --baseline-url` does by default):
// two shops (same database; the baseline never planted, the candidate with the condition's plant)
// take turns every --slice-ms for a window of --window-seconds, through the check's own takeTurns and
// load engine; one window per condition in a trial set, in a Williams order; the busy loop beside
// every other set. Stops after the trials asked for, at the time cap, or when told to.
import { runTrialSets } from './trial-sets';
import type { TwoShopContext } from './two-shops';
import { runLoad } from '../../activities/loadtest/load';
import { takeTurns } from '../../activities/loadtest/turns';
import { intervalFigures } from '../../activities/loadtest/alternating';
import type { IntervalFigures } from '../../common/gate/alternating';
import { mulberry32 } from '../../common/seeded-random';
import { runBlock } from './block';
import { alternatingTrial, type AltWindowRecord } from './alt-evaluate';
import { describeGains, gainSamplesOfWindows, gainsFor, type GainSample, type SetGains } from './plant-size';
import { CONDITIONS, addedPctOf, plantedCostUs, calibratedReference, williamsSequences, type Condition, type CostSample } from './schedule';
import { progressLine } from './measure';
import type { Trial } from './tally';

export interface MeasuredAlt {
  windows: AltWindowRecord[];
  trials: Trial[];
  sets: number;
  stoppedBy: 'trials' | 'time cap' | 'interrupt';
  errors: number;
  gains: SetGains[];
}

export type AltContext = TwoShopContext;

const WINDOW_WARMUP_SECONDS = 1;
const CALIBRATION_SECONDS = 2;
const ORDERS = williamsSequences(CONDITIONS.length);

/** Both shops taking turns for one window (a short warm-up first, taking turns too). */
export async function takeTurnsWindow(ctx: AltContext, seconds: number, seed: number) {
  const shops = { baseline: ctx.baseline, candidate: ctx.candidate };
  return takeTurns(ctx.options.sliceMs, mulberry32(seed), async (side, hooks) => {
    await hooks.beforeLoad();
    return runLoad({
      target: shops[side].profile,
      durationSeconds: seconds,
      warmupSeconds: WINDOW_WARMUP_SECONDS,
      model: 'closed',
      concurrency: ctx.options.concurrency,
      signal: ctx.signal,
      turn: hooks.turn,
      endpointIntervals: true,
    });
  });
}

async function measureWindow(ctx: AltContext, condition: Condition, set: number, busy: boolean, refUs: number, gain: number) {
  const planted = plantedCostUs(condition, refUs, gain);
  await ctx.candidate.setPlantedDelay(planted);
  const r = await takeTurnsWindow(ctx, ctx.options.windowSeconds, set * 16 + CONDITIONS.indexOf(condition) + 1);
  const stats = await ctx.candidate.setPlantedDelay(0);
  const names = ctx.baseline.profile.http.endpoints.map((e) => e.name);
  const intervals: { baseline: IntervalFigures[]; candidate: IntervalFigures[] } = {
    baseline: intervalFigures(r.baseline.progress, names),
    candidate: intervalFigures(r.candidate.progress, names),
  };
  const record: AltWindowRecord = {
    set,
    condition,
    busy,
    intervals,
    share: r.share,
    baselineP95Ms: r.baseline.latencyMs.p95,
    candidateP95Ms: r.candidate.latencyMs.p95,
    requests: r.baseline.requests + r.candidate.requests,
    addedPct: addedPctOf(planted, stats, refUs),
  };
  return { record, errors: r.baseline.errors + r.candidate.errors };
}

/** The baseline shop alone for a moment before each set: with the earlier ones in the same state, what the set's plants are sized on. */
async function calibrate(ctx: AltContext, samples: CostSample[], busy: boolean): Promise<number> {
  const f = await runBlock({
    profile: ctx.baseline.profile,
    seconds: CALIBRATION_SECONDS,
    concurrency: ctx.options.concurrency,
    signal: ctx.signal,
  });
  return calibratedReference(samples, { busy, seconds: CALIBRATION_SECONDS, requests: f.requests });
}

export async function measureAlternating(ctx: AltContext): Promise<MeasuredAlt> {
  const { options } = ctx;
  const out: MeasuredAlt = { windows: [], trials: [], sets: 0, stoppedBy: 'trials', errors: 0, gains: [] };
  const samples: CostSample[] = [];
  const gains: GainSample[] = [];
  const started = Date.now();
  const end = await runTrialSets({
    trials: options.trials,
    deadlineMs: ctx.deadlineMs,
    signal: ctx.signal,
    firstSetSeconds: (options.windowSeconds + WINDOW_WARMUP_SECONDS + 0.5) * CONDITIONS.length + CALIBRATION_SECONDS + 2,
    measureSet: async (set, busy) => {
      const gain = gainsFor(gains, busy, 1);
      const refUs = await calibrate(ctx, samples, busy);
      const windows: AltWindowRecord[] = [];
      for (const i of ORDERS[set % ORDERS.length]) {
        if (ctx.signal.aborted) break;
        const w = await measureWindow(ctx, CONDITIONS[i], set, busy, refUs, gain[CONDITIONS[i]]);
        out.errors += w.errors;
        windows.push(w.record);
      }
      return { gain, windows };
    },
    afterSet: (set, busy, { gain, windows }) => {
      const trials = windows.map((w) => alternatingTrial(w, options.sliceMs));
      out.windows.push(...windows);
      gains.push(...gainSamplesOfWindows(windows, trials));
      out.gains.push({ set, busy, gains: gain });
      out.trials.push(...trials);
      ctx.log(`${progressLine(set, busy, trials, started, options.trials)}; ${describeGains(gain)}`);
    },
  });
  return { ...out, ...end };
}
