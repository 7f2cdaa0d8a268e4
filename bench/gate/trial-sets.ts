// The loop every design shares: trial sets one after the other, the busy loop beside every other one
// (started a second before the set), stopping after the trials asked for, before a set that would
// pass the time cap, or when told to (an interrupted set is dropped).
import { startBusyLoop, type BusyLoop } from './busy';
import { anotherSetFits, busyTrialSet } from './schedule';

export type StoppedBy = 'trials' | 'time cap' | 'interrupt';

export async function runTrialSets<R>(opts: {
  trials: number;
  deadlineMs: number;
  signal: AbortSignal;
  /** What a set is expected to take before one has been measured. */
  firstSetSeconds: number;
  measureSet(set: number, busy: boolean): Promise<R>;
  /** A complete set's results (not called for an interrupted one). */
  afterSet(set: number, busy: boolean, result: R): void;
}): Promise<{ sets: number; stoppedBy: StoppedBy }> {
  let secondsPerSet = opts.firstSetSeconds;
  for (let set = 0; set < opts.trials; set++) {
    if (!anotherSetFits({ nowMs: Date.now(), deadlineMs: opts.deadlineMs, secondsPerRound: secondsPerSet, roundsPerSet: 1 }))
      return { sets: set, stoppedBy: 'time cap' };
    const busy = busyTrialSet(set);
    const loop: BusyLoop | null = busy ? startBusyLoop() : null;
    const setStart = Date.now();
    let result: R | undefined;
    try {
      if (loop) await new Promise((r) => setTimeout(r, 1000));
      result = await opts.measureSet(set, busy);
    } catch (err) {
      if (!opts.signal.aborted) throw err; // interrupted mid-set: dropped below
    } finally {
      await loop?.stop();
    }
    if (opts.signal.aborted || result === undefined) return { sets: set, stoppedBy: 'interrupt' };
    secondsPerSet = (Date.now() - setStart) / 1000;
    opts.afterSet(set, busy, result);
  }
  return { sets: opts.trials, stoppedBy: 'trials' };
}
