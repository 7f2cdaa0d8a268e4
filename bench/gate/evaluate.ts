// From measured blocks to gate verdicts (pure), in the two designs of `perf-orch check`:
//   interleaved: per trial set, the k (A, candidate) pairs of per-block p95 -> interleavedP95Ratio;
//   stored:      the candidate blocks' per-second p95 against a baseline measured earlier (the first
//                trial set's A blocks) -> storedP95Ratio. No target applies to it: it shows the cost of
//                a baseline measured under other conditions on a shared host.
import { gateVerdictOf, interleavedP95Ratio, storedP95Ratio, type RatioEstimate } from '../../common/gate/ratio';
import { CONDITIONS, type BlockRecord, type Condition } from './schedule';
import type { Trial } from './tally';

function trialOf(set: number, condition: Condition, busy: boolean, est: RatioEstimate | null, maxRatio?: number): Trial {
  return {
    set,
    condition,
    busy,
    ratio: est?.ratio ?? null,
    low: est?.low ?? null,
    high: est?.high ?? null,
    verdict: gateVerdictOf(est, maxRatio).verdict,
  };
}

/** One trial per condition for trial set `set` (its blocks must be complete). */
export function interleavedTrials(blocks: readonly BlockRecord[], set: number, maxRatio?: number): Trial[] {
  const inSet = blocks.filter((b) => b.set === set);
  const busy = inSet.some((b) => b.busy);
  return CONDITIONS.map((c) => trialOf(set, c, busy, interleavedP95Ratio(pairsFor(inSet, c)), maxRatio));
}

function pairsFor(inSet: readonly BlockRecord[], condition: Condition): { a: number; b: number }[] {
  const out: { a: number; b: number }[] = [];
  for (const a of inSet.filter((b) => b.arm === 'A')) {
    const x = inSet.find((b) => b.round === a.round && b.arm === condition);
    if (x) out.push({ a: a.p95Ms, b: x.p95Ms });
  }
  return out;
}

/** The stored baseline: the per-second p95 of trial set `baselineSet`'s A blocks, in order. */
export function storedBaseline(blocks: readonly BlockRecord[], baselineSet = 0): number[] {
  return blocks.filter((b) => b.set === baselineSet && b.arm === 'A').flatMap((b) => b.perSecondP95Ms);
}

/** Trials of the stored design for every trial set after the baseline's. */
export function storedTrials(blocks: readonly BlockRecord[], baselineSet = 0, maxRatio?: number): Trial[] {
  const baseline = storedBaseline(blocks, baselineSet);
  const sets = [...new Set(blocks.map((b) => b.set))].filter((s) => s !== baselineSet).sort((x, y) => x - y);
  return sets.flatMap((set) => {
    const inSet = blocks.filter((b) => b.set === set);
    const busy = inSet.some((b) => b.busy);
    return CONDITIONS.map((c) => {
      const candidate = inSet.filter((b) => b.arm === c).flatMap((b) => b.perSecondP95Ms);
      return trialOf(set, c, busy, storedP95Ratio(baseline, candidate), maxRatio);
    });
  });
}
