// The bench's block schedule (pure): rounds of one block per arm, the order rotated every round so no
// arm always runs first or last; k consecutive rounds make a trial set, which gives one trial of each
// condition (k pairs of baseline block and candidate block); trial sets alternate quiet and busy.

/** A: the baseline; none: the same shop again (an A/A comparison); p5/p10/p20: planted delays. */
export type Arm = 'A' | 'none' | 'p5' | 'p10' | 'p20';
export type Condition = Exclude<Arm, 'A'>;

export const ARMS: readonly Arm[] = ['A', 'none', 'p5', 'p10', 'p20'];
export const CONDITIONS: readonly Condition[] = ['none', 'p5', 'p10', 'p20'];

/** The planted delay of each arm, in percent of the request's own handling time. */
export const PLANTED_PCT: Record<Arm, number> = { A: 0, none: 0, p5: 5, p10: 10, p20: 20 };

export const CONDITION_LABEL: Record<Condition, string> = { none: 'none (A/A)', p5: '5%', p10: '10%', p20: '20%' };

/** Round r's block order: the arms rotated left by r. */
export function roundOrder(round: number, arms: readonly Arm[] = ARMS): Arm[] {
  if (!Number.isInteger(round) || round < 0) throw new RangeError(`roundOrder: round must be a non-negative integer (got ${round})`);
  const s = round % arms.length;
  return [...arms.slice(s), ...arms.slice(0, s)];
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
  addedPct: number | null; // the delay the shop says it added, in % of handling time (null: none planted)
}

/** Will another trial set (k rounds of blocks taking ~secondsPerRound each) end before the deadline? */
export function anotherSetFits(opts: { nowMs: number; deadlineMs: number; secondsPerRound: number; roundsPerSet: number }): boolean {
  return opts.nowMs + opts.secondsPerRound * opts.roundsPerSet * 1000 <= opts.deadlineMs;
}
