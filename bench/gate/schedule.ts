// The bench's block schedule (pure): rounds of one block per arm, in the orders of a Williams design
// (every arm in every position, after every other arm, equally often); k consecutive rounds make a trial set, which gives one trial of each
// condition (k pairs of baseline block and candidate block); trial sets alternate quiet and busy.
import type { EndpointSummary } from '../../common/types';
import { median } from './tally';

/** A: the baseline; none: the same shop again (an A/A comparison); p5/p10/p20: planted delays. */
export type Arm = 'A' | 'none' | 'p5' | 'p10' | 'p20';
export type Condition = Exclude<Arm, 'A'>;

export const ARMS: readonly Arm[] = ['A', 'none', 'p5', 'p10', 'p20'];
export const CONDITIONS: readonly Condition[] = ['none', 'p5', 'p10', 'p20'];

/** The planted regression of each arm, in percent of the baseline's time per request. */
export const PLANTED_PCT: Record<Arm, number> = { A: 0, none: 0, p5: 5, p10: 10, p20: 20 };

/**
 * The cost to plant for an arm (µs): the share of the baseline's measured time per request that moves
 * the client's p95 by the arm's percent, given the gain (log p95 ratio per unit of that share; 1: the
 * share is the percent itself). See plant-size.ts.
 */
export const plantedCostUs = (arm: Arm, usPerRequest: number, gain = 1): number =>
  (Math.log(1 + PLANTED_PCT[arm] / 100) / gain) * usPerRequest;

/** One measure of the baseline's time per request: the shop's thread is the bottleneck, so seconds / requests. */
export interface CostSample {
  busy: boolean;
  usPerRequest: number;
}

export const usPerRequest = (seconds: number, requests: number): number => (requests > 0 ? (seconds * 1e6) / requests : NaN);

/** The cost the shop says it added, in % of the reference time per request; null when nothing was planted or served. */
export const addedPctOf = (plantedUs: number, stats: { requests: number; meanAddedUs: number }, refUs: number): number | null =>
  plantedUs > 0 && stats.requests > 0 ? (100 * stats.meanAddedUs) / refUs : null;

/**
 * A calibration of `seconds` that got `requests` joins the samples; the reference for the state,
 * with `earlier` (baseline blocks already measured) counted too. Throws when nothing ever answered.
 */
export function calibratedReference(
  samples: CostSample[],
  c: { busy: boolean; seconds: number; requests: number },
  earlier: readonly CostSample[] = [],
): number {
  samples.push({ busy: c.busy, usPerRequest: usPerRequest(c.seconds, c.requests) });
  const ref = referenceUsPerRequest([...samples, ...earlier], c.busy);
  if (ref === null) throw new Error('the calibration of the baseline got no response: is the shop up?');
  return ref;
}

/** The reference for planting: the median of the baseline's samples taken in the same state (busy or quiet). */
export function referenceUsPerRequest(samples: readonly CostSample[], busy: boolean): number | null {
  return median(samples.filter((s) => s.busy === busy).map((s) => s.usPerRequest));
}

export const CONDITION_LABEL: Record<Condition, string> = { none: 'none (A/A)', p5: '5%', p10: '10%', p20: '20%' };

/**
 * A Williams design: sequences in which every arm takes every position equally often and follows
 * every other arm equally often. For an odd n, 2n sequences (a Latin square and its mirror); for an
 * even n, the square alone (n sequences). Plain rotation kept each arm's neighbours (A always came
 * after the 20% plant), and on a busy host a block inherits a little of the one before it: the A/A
 * ratio read 0.96 in busy sets. Balanced, that carry-over is noise shared by all arms, not a bias.
 */
export function williamsSequences(n: number): number[][] {
  if (!Number.isInteger(n) || n < 2) throw new RangeError(`williamsSequences: n must be an integer >= 2 (got ${n})`);
  const first: number[] = [0];
  for (let k = 1; first.length < n; k++) {
    first.push(k);
    if (first.length < n) first.push(n - k);
  }
  const square = Array.from({ length: n }, (_, i) => first.map((x) => (x + i) % n));
  return n % 2 === 0 ? square : [...square, ...square.map((row) => [...row].reverse())];
}

const CONDITION_SEQUENCES = williamsSequences(CONDITIONS.length);

/**
 * Round r's blocks: six, two baseline blocks each between two conditions (c1 A c2 c3 A c4), the
 * conditions in sequence r mod 4 of a Williams design over them. Every condition block then sits
 * next to the A block it is paired with, as in the check's own interleaving (pairs back to back):
 * measured with a busy loop beside, the spread of a pair's log ratio grew with the distance between
 * its blocks (0.24 next to each other, 0.33 two apart, 0.48 four apart), and the earlier round
 * (A and the four conditions in a Williams order over five) paired blocks up to four apart. Over
 * four rounds each condition comes before its A twice and after it twice.
 */
export function roundBlocks(round: number): Arm[] {
  if (!Number.isInteger(round) || round < 0) throw new RangeError(`roundBlocks: round must be a non-negative integer (got ${round})`);
  const [c1, c2, c3, c4] = CONDITION_SEQUENCES[round % CONDITION_SEQUENCES.length].map((i) => CONDITIONS[i]);
  return [c1, 'A', c2, c3, 'A', c4];
}

/** The slot of the A block a condition block at `slot` is paired with: its one neighbour that is A. */
export function pairedSlot(blocks: readonly Arm[], slot: number): number | null {
  const next = [slot - 1, slot + 1].filter((s) => blocks[s] === 'A');
  return next.length === 1 ? next[0] : null;
}

/** Trial sets alternate: even ones quiet, odd ones with the busy loop beside. */
export const busyTrialSet = (set: number): boolean => set % 2 === 1;

/** One measured block: its arm, where it ran, and its latencies. */
export interface BlockRecord {
  set: number;
  round: number; // within the set, 0..k-1
  slot: number; // the block's place in its round (roundBlocks)
  pairedSlot: number | null; // a condition block: the slot of the A block it is paired with (null for A)
  arm: Arm;
  busy: boolean;
  p95Ms: number;
  perSecondP95Ms: number[];
  requests: number;
  endpoints: EndpointSummary[]; // each endpoint's figures in the block (the gate's endpoint ratios)
  addedPct: number | null; // the cost the shop says it added, in % of the baseline's time per request (null: none planted)
}

/** Will another trial set (k rounds of blocks taking ~secondsPerRound each) end before the deadline? */
export function anotherSetFits(opts: { nowMs: number; deadlineMs: number; secondsPerRound: number; roundsPerSet: number }): boolean {
  return opts.nowMs + opts.secondsPerRound * opts.roundsPerSet * 1000 <= opts.deadlineMs;
}
