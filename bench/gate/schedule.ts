// The bench's block schedule (pure): rounds of one block per arm, in the orders of a Williams design
// (every arm in every position, after every other arm, equally often); k consecutive rounds make a trial set, which gives one trial of each
// condition (k pairs of baseline block and candidate block); trial sets alternate quiet and busy.
import { median } from './tally';

/** A: the baseline; none: the same shop again (an A/A comparison); p5/p10/p20: planted delays. */
export type Arm = 'A' | 'none' | 'p5' | 'p10' | 'p20';
export type Condition = Exclude<Arm, 'A'>;

export const ARMS: readonly Arm[] = ['A', 'none', 'p5', 'p10', 'p20'];
export const CONDITIONS: readonly Condition[] = ['none', 'p5', 'p10', 'p20'];

/** The planted regression of each arm, in percent of the baseline's time per request. */
export const PLANTED_PCT: Record<Arm, number> = { A: 0, none: 0, p5: 5, p10: 10, p20: 20 };

/** The cost to plant for an arm: its percent of the baseline's measured time per request (µs). */
export const plantedCostUs = (arm: Arm, usPerRequest: number): number => (PLANTED_PCT[arm] / 100) * usPerRequest;

/** One measure of the baseline's time per request: the shop's thread is the bottleneck, so seconds / requests. */
export interface CostSample {
  busy: boolean;
  usPerRequest: number;
}

export const usPerRequest = (seconds: number, requests: number): number => (requests > 0 ? (seconds * 1e6) / requests : NaN);

/** The reference for planting: the median of the baseline's samples taken in the same state (busy or quiet). */
export function referenceUsPerRequest(samples: readonly CostSample[], busy: boolean): number | null {
  return median(samples.filter((s) => s.busy === busy).map((s) => s.usPerRequest));
}

export const CONDITION_LABEL: Record<Condition, string> = { none: 'none (A/A)', p5: '5%', p10: '10%', p20: '20%' };

/**
 * A Williams design for an odd number of arms: 2n sequences (a Latin square and its mirror) in which
 * every arm takes every position twice and follows every other arm exactly twice. Plain rotation kept
 * each arm's neighbours (A always came after the 20% plant), and on a busy host a block inherits a
 * little of the one before it: the A/A ratio read 0.96 in busy sets. Balanced, that carry-over is noise
 * shared by all arms, not a bias against one.
 */
export function williamsSequences(n: number): number[][] {
  if (!Number.isInteger(n) || n < 3 || n % 2 === 0) throw new RangeError(`williamsSequences: n must be an odd integer >= 3 (got ${n})`);
  const first: number[] = [0];
  for (let k = 1; first.length < n; k++) {
    first.push(k);
    if (first.length < n) first.push(n - k);
  }
  const square = Array.from({ length: n }, (_, i) => first.map((x) => (x + i) % n));
  return [...square, ...square.map((row) => [...row].reverse())];
}

const ROUND_SEQUENCES = williamsSequences(ARMS.length);

/** Round r's block order: sequence r mod 10 of the Williams design over the arms. */
export function roundOrder(round: number, arms: readonly Arm[] = ARMS): Arm[] {
  if (!Number.isInteger(round) || round < 0) throw new RangeError(`roundOrder: round must be a non-negative integer (got ${round})`);
  const sequences = arms.length === ARMS.length ? ROUND_SEQUENCES : williamsSequences(arms.length);
  return sequences[round % sequences.length].map((i) => arms[i]);
}

/** Trial sets alternate: even ones quiet, odd ones with the busy loop beside. */
export const busyTrialSet = (set: number): boolean => set % 2 === 1;

/** One measured block: its arm, where it ran, and its latencies. */
export interface BlockRecord {
  set: number;
  round: number; // within the set, 0..k-1
  arm: Arm;
  busy: boolean;
  p95Ms: number;
  perSecondP95Ms: number[];
  requests: number;
  addedPct: number | null; // the cost the shop says it added, in % of the baseline's time per request (null: none planted)
}

/** Will another trial set (k rounds of blocks taking ~secondsPerRound each) end before the deadline? */
export function anotherSetFits(opts: { nowMs: number; deadlineMs: number; secondsPerRound: number; roundsPerSet: number }): boolean {
  return opts.nowMs + opts.secondsPerRound * opts.roundsPerSet * 1000 <= opts.deadlineMs;
}
