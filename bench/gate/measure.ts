// The measuring loop: trial sets of k rounds, each round one block per arm in rotated order, the busy
// loop beside every other set; stops after the trials asked for, at the time cap, or when told to.
import { runBlock } from './block';
import { startBusyLoop, type BusyLoop } from './busy';
import { interleavedTrials } from './evaluate';
import type { GateBenchOptions } from './args';
import {
  anotherSetFits,
  busyTrialSet,
  plantedCostUs,
  referenceUsPerRequest,
  roundOrder,
  usPerRequest,
  type Arm,
  type BlockRecord,
  type CostSample,
} from './schedule';
import type { BenchShop } from './shop';
import type { Trial } from './tally';

export interface Measured {
  blocks: BlockRecord[];
  trials: Trial[];
  sets: number;
  stoppedBy: 'trials' | 'time cap' | 'interrupt';
  errors: number;
}

export interface MeasureContext {
  shop: BenchShop;
  options: GateBenchOptions;
  signal: AbortSignal;
  deadlineMs: number;
  log(line: string): void;
}

async function measureBlock(
  ctx: MeasureContext,
  arm: Arm,
  set: number,
  round: number,
  busy: boolean,
  refUs: number,
): Promise<BlockRecord & { errors: number }> {
  const planted = plantedCostUs(arm, refUs);
  await ctx.shop.setPlantedDelay(planted);
  const f = await baselineBlock(ctx);
  const stats = await ctx.shop.setPlantedDelay(0);
  const addedPct = planted > 0 && stats.requests > 0 ? (100 * stats.meanAddedUs) / refUs : null;
  return { set, round, arm, busy, p95Ms: f.p95Ms, perSecondP95Ms: f.perSecondP95Ms, requests: f.requests, addedPct, errors: f.errors };
}

const baselineBlock = (ctx: MeasureContext) =>
  runBlock({ profile: ctx.shop.profile, seconds: ctx.options.blockSeconds, concurrency: ctx.options.concurrency, signal: ctx.signal });

/** A block of the baseline before each set, with the A blocks so far in the same state: what the set's plants are sized on. */
async function calibrate(ctx: MeasureContext, samples: CostSample[], blocks: readonly BlockRecord[], busy: boolean): Promise<number> {
  const f = await baselineBlock(ctx);
  samples.push({ busy, usPerRequest: usPerRequest(ctx.options.blockSeconds, f.requests) });
  const fromBlocks = blocks
    .filter((b) => b.arm === 'A')
    .map((b) => ({ busy: b.busy, usPerRequest: usPerRequest(ctx.options.blockSeconds, b.requests) }));
  const ref = referenceUsPerRequest([...samples, ...fromBlocks], busy);
  if (ref === null) throw new Error('the calibration block of the baseline got no response: is the shop up?');
  return ref;
}

export function progressLine(set: number, busy: boolean, trials: Trial[], startedMs: number, sets: number): string {
  const mins = ((Date.now() - startedMs) / 60_000).toFixed(1);
  const each = trials.map((t) => `${t.condition} ${t.ratio === null ? '-' : t.ratio.toFixed(3)} ${t.verdict}`).join(', ');
  return `[${mins} min] set ${set + 1}/${sets} (${busy ? 'busy' : 'quiet'}): ${each}`;
}

export async function measure(ctx: MeasureContext): Promise<Measured> {
  const { options, signal } = ctx;
  const out: Measured = { blocks: [], trials: [], sets: 0, stoppedBy: 'trials', errors: 0 };
  const samples: CostSample[] = [];
  const started = Date.now();
  let secondsPerRound = options.blockSeconds * 5 * 1.2;
  for (let set = 0; set < options.trials; set++) {
    if (!anotherSetFits({ nowMs: Date.now(), deadlineMs: ctx.deadlineMs, secondsPerRound, roundsPerSet: options.rounds })) {
      out.stoppedBy = 'time cap';
      break;
    }
    const busy = busyTrialSet(set);
    const loop: BusyLoop | null = busy ? startBusyLoop() : null;
    const setStart = Date.now();
    const blocks: BlockRecord[] = [];
    try {
      if (loop) await new Promise((r) => setTimeout(r, 1000));
      const refUs = await calibrate(ctx, samples, out.blocks, busy);
      for (let r = 0; r < options.rounds && !signal.aborted; r++) {
        for (const arm of roundOrder(set * options.rounds + r)) {
          if (signal.aborted) break;
          const b = await measureBlock(ctx, arm, set, r, busy, refUs);
          out.errors += b.errors;
          blocks.push(b);
        }
      }
    } catch (err) {
      if (!signal.aborted) throw err; // an interrupted block: the set is dropped below
    } finally {
      await loop?.stop();
    }
    if (signal.aborted) {
      out.stoppedBy = 'interrupt';
      break;
    }
    secondsPerRound = (Date.now() - setStart) / 1000 / options.rounds;
    out.blocks.push(...blocks);
    const trials = interleavedTrials(out.blocks, set);
    out.trials.push(...trials);
    out.sets = set + 1;
    ctx.log(progressLine(set, busy, trials, started, options.trials));
  }
  return out;
}
