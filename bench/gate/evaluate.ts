// From measured blocks to gate verdicts (pure), in the two designs of `perf-orch check`:
//   interleaved: per trial set, the k (A, candidate) pairs of blocks -> interleavedComparison, the
//                check's own: the whole mix's p95 ratio and each endpoint's, the worse verdict;
//   stored:      the candidate blocks' per-second p95 against a baseline measured earlier (the first
//                trial set's A blocks) -> storedP95Ratio. No target applies to it: it shows the cost of
//                a baseline measured under other conditions on a shared host.
import { comparisonVerdict, interleavedComparison, type InterleavedBlock } from '../../common/gate/check-verdict';
import { DEFAULT_MAX_P95_RATIO, gateVerdictOf, storedP95Ratio, type RatioEstimate } from '../../common/gate/ratio';
import { CONDITIONS, type BlockRecord, type Condition } from './schedule';
import type { Trial } from './tally';

function trialOf(set: number, condition: Condition, busy: boolean, est: RatioEstimate | null, maxRatio?: number): Trial {
  const verdict = gateVerdictOf(est, maxRatio).verdict;
  return { set, condition, busy, ratio: est?.ratio ?? null, low: est?.low ?? null, high: est?.high ?? null, verdict, mixVerdict: verdict };
}

const asBlock = (b: BlockRecord, blockSeconds: number): InterleavedBlock => ({
  requests: b.requests,
  latencyMs: { p95: b.p95Ms },
  durationSeconds: blockSeconds,
  endpoints: b.endpoints ?? [],
});

/** One trial per condition for trial set `set` (its blocks must be complete). */
export function interleavedTrials(
  blocks: readonly BlockRecord[],
  set: number,
  blockSeconds: number,
  maxRatio = DEFAULT_MAX_P95_RATIO,
): Trial[] {
  const inSet = blocks.filter((b) => b.set === set);
  const busy = inSet.some((b) => b.busy);
  return CONDITIONS.map((condition): Trial => {
    const pairs = pairsFor(inSet, condition).map((p) => ({ baseline: asBlock(p.a, blockSeconds), candidate: asBlock(p.b, blockSeconds) }));
    const c = interleavedComparison(pairs, maxRatio, true);
    const slower = (c.endpoints ?? []).filter((e) => e.verdict !== 'pass').map((e) => e.endpoint);
    return {
      set,
      condition,
      busy,
      ratio: c.p95Ratio,
      low: c.p95RatioLow,
      high: c.p95RatioHigh,
      verdict: comparisonVerdict(c),
      mixVerdict: c.verdict,
      ...(slower.length ? { endpointsFlagged: slower } : {}),
    };
  });
}

/** The A block a condition block is paired with: in its round, at the slot it was measured next to. */
export function pairedA(inSet: readonly BlockRecord[], b: BlockRecord): BlockRecord | null {
  if (b.pairedSlot === null) return null;
  return inSet.find((x) => x.set === b.set && x.round === b.round && x.slot === b.pairedSlot && x.arm === 'A') ?? null;
}

function pairsFor(inSet: readonly BlockRecord[], condition: Condition): { a: BlockRecord; b: BlockRecord }[] {
  return inSet
    .filter((b) => b.arm === condition)
    .flatMap((b) => {
      const a = pairedA(inSet, b);
      return a ? [{ a, b }] : [];
    });
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
