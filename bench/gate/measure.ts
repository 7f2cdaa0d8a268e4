// The measuring loop: trial sets of k rounds, each round one block per arm in rotated order, the busy
// loop beside every other set; stops after the trials asked for, at the time cap, or when told to.
import { runBlock } from './block';
import { startBusyLoop, type BusyLoop } from './busy';
import { interleavedTrials } from './evaluate';
import type { GateBenchOptions } from './args';
import { anotherSetFits, busyTrialSet, PLANTED_PCT, roundOrder, type Arm, type BlockRecord } from './schedule';
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
): Promise<BlockRecord & { errors: number }> {
  await ctx.shop.setPlantedDelay(PLANTED_PCT[arm]);
  const f = await runBlock({
    profile: ctx.shop.profile,
    seconds: ctx.options.blockSeconds,
    concurrency: ctx.options.concurrency,
    signal: ctx.signal,
  });
  const stats = await ctx.shop.setPlantedDelay(0);
  const addedPct = PLANTED_PCT[arm] > 0 && stats.requests > 0 ? stats.addedPct : null;
  return { set, round, arm, busy, p95Ms: f.p95Ms, perSecondP95Ms: f.perSecondP95Ms, requests: f.requests, addedPct, errors: f.errors };
}

export function progressLine(set: number, busy: boolean, trials: Trial[], startedMs: number, sets: number): string {
  const mins = ((Date.now() - startedMs) / 60_000).toFixed(1);
  const each = trials.map((t) => `${t.condition} ${t.ratio === null ? '-' : t.ratio.toFixed(3)} ${t.verdict}`).join(', ');
  return `[${mins} min] set ${set + 1}/${sets} (${busy ? 'busy' : 'quiet'}): ${each}`;
}

export async function measure(ctx: MeasureContext): Promise<Measured> {
  const { options, signal } = ctx;
  const out: Measured = { blocks: [], trials: [], sets: 0, stoppedBy: 'trials', errors: 0 };
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
      for (let r = 0; r < options.rounds && !signal.aborted; r++) {
        for (const arm of roundOrder(set * options.rounds + r)) {
          if (signal.aborted) break;
          const b = await measureBlock(ctx, arm, set, r, busy);
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
