// The measured effect of one approved change: from interleaved A/B blocks (with it, without it,
// with, without...) when it is cheap to undo, and the one word the per-item table shows. Pure.
import { interleavedEffect } from './effect';
import { judgeEffect, JOINT_LEVEL, type Verdict, type VerdictOptions, type VerdictWord } from './verdict';

/** One A/B block: a short load test with the change on (`with`) or off. */
export interface AbBlock {
  with: boolean;
  throughputRps: number;
  p95Ms: number;
  loadTestId: string;
}

export interface ItemVerdicts {
  throughput: Verdict;
  p95: Verdict;
}

/** Consecutive (with, without) blocks as pairs: a = without the change, b = with it; an unfinished pair is left out. */
export function abPairs(blocks: readonly AbBlock[]): { with: AbBlock; without: AbBlock }[] {
  const pairs: { with: AbBlock; without: AbBlock }[] = [];
  for (let i = 0; i + 1 < blocks.length; i += 2) {
    if (blocks[i].with && !blocks[i + 1].with) pairs.push({ with: blocks[i], without: blocks[i + 1] });
  }
  return pairs;
}

/** Throughput and p95 verdicts of interleaved blocks (paired intervals, joint 95%; drift cancels within each pair). */
export function interleavedVerdicts(blocks: readonly AbBlock[], opts: VerdictOptions = {}): ItemVerdicts {
  const pairs = abPairs(blocks);
  return {
    throughput: judgeEffect(
      interleavedEffect(
        pairs.map((p) => ({ a: p.without.throughputRps, b: p.with.throughputRps })),
        JOINT_LEVEL,
      ),
      'higher-is-better',
      opts,
    ),
    p95: judgeEffect(
      interleavedEffect(
        pairs.map((p) => ({ a: p.without.p95Ms, b: p.with.p95Ms })),
        JOINT_LEVEL,
      ),
      'lower-is-better',
      opts,
    ),
  };
}

/**
 * One word for an item from its two metrics: worse when either interval is wholly worse, improved
 * when at least one is wholly better and none worse, not enough data when neither has an interval,
 * otherwise no detectable change.
 */
export function itemVerdict({ throughput, p95 }: ItemVerdicts): VerdictWord {
  const words = [throughput.verdict, p95.verdict];
  if (words.includes('worse')) return 'worse';
  if (words.includes('improved')) return 'improved';
  if (words.every((w) => w === 'not enough data')) return 'not enough data';
  return 'no detectable change';
}
