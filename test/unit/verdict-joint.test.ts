// Throughput and p95 judged together: each interval at 97.5% so that a change that does nothing is
// called improved or worse on either metric at most ~5% of the time (it was ~10% with two 95% ones).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tQuantile, pairedInterval } from '../../common/verdict/stats';
import { describeVerdict, interleavedVerdicts, itemVerdict, JOINT_LEVEL, type AbBlock } from '../../common/verdict';
import { mulberry32 } from '../../common/seeded-random';

test('t quantiles at 97.5% two-sided: the table, its tail and the limit, wider than the 95% ones', () => {
  assert.equal(tQuantile(1, 0.975), 25.452);
  assert.equal(tQuantile(2, 0.975), 6.205);
  assert.equal(tQuantile(30, 0.975), 2.36);
  assert.equal(tQuantile(45, 0.975), 2.329);
  assert.equal(tQuantile(5000, 0.975), 2.241);
  for (const df of [1, 3, 10, 30, 60, 2000]) assert.ok(tQuantile(df, 0.975) > tQuantile(df, 0.95));
  const i95 = pairedInterval([0.1, 0.2, 0.3])!;
  const i975 = pairedInterval([0.1, 0.2, 0.3], 0.975)!;
  assert.ok(i975.low < i95.low && i975.high > i95.high);
});

/** A standard normal draw (Box-Muller) from a seeded generator. */
function normal(rng: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}

function noOpBlocks(rng: () => number, pairs: number): AbBlock[] {
  const blocks: AbBlock[] = [];
  for (let p = 0; p < pairs; p++) {
    for (const withIt of [true, false]) {
      // The same system either way: 5% noise on each metric, independent.
      blocks.push({
        with: withIt,
        throughputRps: 100 * Math.exp(0.05 * normal(rng)),
        p95Ms: 40 * Math.exp(0.05 * normal(rng)),
        loadTestId: 'x',
      });
    }
  }
  return blocks;
}

test('a change that does nothing: improved or worse on either metric in at most ~5% of 4000 simulated A/Bs', () => {
  const rng = mulberry32(20261130);
  for (const pairs of [3, 6]) {
    let claimed = 0;
    const runs = 4000;
    for (let r = 0; r < runs; r++) {
      const v = interleavedVerdicts(noOpBlocks(rng, pairs));
      if (itemVerdict(v) !== 'no detectable change') claimed++;
    }
    const rate = claimed / runs;
    // Binomial sd at 5% over 4000 runs is 0.34%: 6.5% is beyond 4 sd of a true 5%, well below the ~10% before.
    assert.ok(rate <= 0.065, `${pairs} pairs: ${(rate * 100).toFixed(1)}% of no-op changes got a word`);
    assert.ok(rate >= 0.02, `${pairs} pairs: ${(rate * 100).toFixed(1)}%: the intervals are not absurdly wide either`);
  }
});

test('the joint intervals say so in the description', () => {
  const blocks = noOpBlocks(mulberry32(7), 3);
  const v = interleavedVerdicts(blocks);
  assert.equal(v.p95.level, JOINT_LEVEL);
  assert.match(describeVerdict(v.p95), /\(95% joint CI [+-]\d+\.\d% to [+-]\d+\.\d%, interleaved, 3 pairs\)/);
});
