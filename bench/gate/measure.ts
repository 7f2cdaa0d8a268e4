// The measuring loop: trial sets of k rounds, each round one block per arm in rotated order, the busy
// loop beside every other set; stops after the trials asked for, at the time cap, or when told to.
import { runTrialSets } from './trial-sets';
import { runBlock } from './block';
import { interleavedTrials, pairedA } from './evaluate';
import { describeGains, gainSamples, gainsFor, type GainSample, type SetGains } from './plant-size';
import type { GateBenchOptions } from './args';
import {
  pairedSlot as pairedSlotOf,
  addedPctOf,
  plantedCostUs,
  calibratedReference,
  roundBlocks,
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
  gains: SetGains[]; // the gains each set's plants were sized with
}

export interface MeasureContext {
  shop: BenchShop;
  options: GateBenchOptions;
  signal: AbortSignal;
  deadlineMs: number;
  log(line: string): void;
}

/** Where a block sits: its set, round, slot in the round, and the A block's slot it is paired with. */
interface BlockPlace {
  set: number;
  round: number;
  slot: number;
  pairedSlot: number | null;
  busy: boolean;
}

/** One block of an arm, its plant sized on the baseline's time per request and the state's gain. */
async function measureBlock(
  ctx: MeasureContext,
  arm: Arm,
  place: BlockPlace,
  refUs: number,
  gain: number,
): Promise<BlockRecord & { errors: number }> {
  const planted = plantedCostUs(arm, refUs, gain);
  await ctx.shop.setPlantedDelay(planted);
  const f = await oneBlock(ctx);
  const stats = await ctx.shop.setPlantedDelay(0);
  const addedPct = addedPctOf(planted, stats, refUs);
  const { p95Ms, perSecondP95Ms, requests, endpoints, errors } = f;
  return { ...place, arm, p95Ms, perSecondP95Ms, requests, endpoints, addedPct, errors };
}

/** One block of the shop under the load of a trial (whatever is planted at the time). */
const oneBlock = (ctx: MeasureContext) =>
  runBlock({ profile: ctx.shop.profile, seconds: ctx.options.blockSeconds, concurrency: ctx.options.concurrency, signal: ctx.signal });

/** A block of the baseline before each set, with the A blocks so far in the same state: what the set's plants are sized on. */
async function calibrate(ctx: MeasureContext, samples: CostSample[], blocks: readonly BlockRecord[], busy: boolean): Promise<number> {
  const f = await oneBlock(ctx);
  const earlier = blocks
    .filter((b) => b.arm === 'A')
    .map((b) => ({ busy: b.busy, usPerRequest: usPerRequest(ctx.options.blockSeconds, b.requests) }));
  return calibratedReference(samples, { busy, seconds: ctx.options.blockSeconds, requests: f.requests }, earlier);
}

export function progressLine(set: number, busy: boolean, trials: Trial[], startedMs: number, sets: number): string {
  const mins = ((Date.now() - startedMs) / 60_000).toFixed(1);
  const each = trials.map((t) => `${t.condition} ${t.ratio === null ? '-' : t.ratio.toFixed(3)} ${t.verdict}`).join(', ');
  return `[${mins} min] set ${set + 1}/${sets} (${busy ? 'busy' : 'quiet'}): ${each}`;
}

/** The k rounds of one trial set (the busy loop, if any, already beside). */
async function measureSet(
  ctx: MeasureContext,
  set: number,
  busy: boolean,
  refUs: number,
  gain: Record<Arm, number>,
): Promise<(BlockRecord & { errors: number })[]> {
  const blocks: (BlockRecord & { errors: number })[] = [];
  for (let round = 0; round < ctx.options.rounds && !ctx.signal.aborted; round++) {
    const arms = roundBlocks(set * ctx.options.rounds + round);
    for (const [slot, arm] of arms.entries()) {
      if (ctx.signal.aborted) break;
      const pairedSlot = arm === 'A' ? null : (pairedSlotOf(arms, slot) ?? null);
      blocks.push(await measureBlock(ctx, arm, { set, round, slot, pairedSlot, busy }, refUs, gain[arm]));
    }
  }
  return blocks;
}

export async function measure(ctx: MeasureContext): Promise<Measured> {
  const { options } = ctx;
  const out: Measured = { blocks: [], trials: [], sets: 0, stoppedBy: 'trials', errors: 0, gains: [] };
  const samples: CostSample[] = [];
  const gains: GainSample[] = [];
  const started = Date.now();
  const end = await runTrialSets({
    trials: options.trials,
    deadlineMs: ctx.deadlineMs,
    signal: ctx.signal,
    firstSetSeconds: options.blockSeconds * 6 * 1.2 * options.rounds,
    measureSet: async (set, busy) => {
      const gain = gainsFor(gains, busy, options.rounds);
      const refUs = await calibrate(ctx, samples, out.blocks, busy);
      return { gain, blocks: await measureSet(ctx, set, busy, refUs, gain) };
    },
    afterSet: (set, busy, { gain, blocks }) => {
      out.errors += blocks.reduce((n, b) => n + b.errors, 0);
      const records: BlockRecord[] = blocks.map(({ errors: _errors, ...b }) => b);
      out.blocks.push(...records);
      gains.push(...gainSamples(records, (b) => pairedA(records, b)));
      out.gains.push({ set, busy, gains: gain });
      const trials = interleavedTrials(out.blocks, set, options.blockSeconds);
      out.trials.push(...trials);
      ctx.log(`${progressLine(set, busy, trials, started, options.trials)}; ${describeGains(gain)}`);
    },
  });
  return { ...out, ...end };
}
