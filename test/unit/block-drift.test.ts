import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blockVerdicts, describeBlockDrift, driftControlledEffect, type TimedBlock } from '../../common/verdict/blocks';
import { pooledTrend, stepAfterTrend } from '../../common/verdict/stats';
import { blocksItem, blocksLines } from '../../common/ab-validation';
import { measuredContract } from '../../common/contract-verdict';
import { methodCell } from '../../client/render-items';
import { parseTargetProfile } from '../../common/profile';
import { plannedLoad } from '../../common/run-budget';
import type { PlanItem } from '../../common/types';

// k blocks a side, `gap` seconds between the sides, 10 s apart within each; value(t, side) gives throughput (p95 = 1000 / throughput).
function blocks(k: number, gap: number, value: (t: number, after: boolean, i: number) => number): TimedBlock[] {
  const out: TimedBlock[] = [];
  for (const after of [false, true]) {
    for (let i = 0; i < k; i++) {
      const t = 1_800_000_000 + (after ? (k - 1) * 10 + gap : 0) + i * 10; // epoch seconds: large times must not lose precision
      const rps = value(t - 1_800_000_000, after, i);
      out.push({ side: after ? 'after' : 'before', startS: t, throughputRps: rps, p95Ms: 1000 / rps });
    }
  }
  return out;
}
const wobble = [1, 1.004, 0.997, 1.002, 0.999];

test('pooled trend: one slope within each group, the residual variance on n - 3 df, the step after the trend', () => {
  const exact = pooledTrend([
    { t: [0, 1, 2], y: [0, 1, 2] },
    { t: [10, 11, 12], y: [5, 6, 7] },
  ])!;
  assert.deepEqual([exact.slope, exact.residualVariance, exact.df, exact.low, exact.high], [1, 0, 3, 1, 1]);
  const step = stepAfterTrend({ t: [0, 1, 2], y: [0, 1, 2] }, { t: [10, 11, 12], y: [5, 6, 7] }, exact);
  assert.deepEqual([step.difference, step.low, step.high], [-5, -5, -5]);
  // By hand: sxx = 1, slope 1, residuals +-0.5 (rss 1, df 1), t(0.975, 1) = 12.706.
  const a = { t: [0, 1], y: [0, 2] };
  const b = { t: [0, 1], y: [1, 1] };
  const tr = pooledTrend([a, b])!;
  assert.deepEqual([tr.slope, tr.sxx, tr.residualVariance, tr.df], [1, 1, 1, 1]);
  assert.ok(Math.abs(tr.low - (1 - 12.706)) < 1e-9);
  const s = stepAfterTrend(a, b, tr);
  assert.ok(Math.abs(s.difference) < 1e-12 && Math.abs(s.high - 12.706) < 1e-9);
  assert.equal(
    pooledTrend([
      { t: [0], y: [1] },
      { t: [5], y: [2] },
    ]),
    null,
    'no residual degree of freedom',
  );
  assert.equal(
    pooledTrend([
      { t: [3, 3], y: [1, 2] },
      { t: [9, 9], y: [2, 3] },
    ]),
    null,
    'time does not vary within a side',
  );
});

test('blocks without drift: the plain Welch interval, drift not detected, confidence ok', () => {
  const v = blockVerdicts(blocks(3, 600, (_t, after, i) => (after ? 150 : 100) * wobble[i]));
  assert.equal(v.throughput.method, 'blocks');
  assert.equal(v.throughput.n, 3);
  assert.equal(v.throughput.verdict, 'improved');
  assert.ok(Math.abs(v.throughput.improvementPct! - 50) < 1);
  assert.equal(v.p95.verdict, 'improved');
  assert.equal(v.drift.throughput!.detected, false);
  assert.equal(v.drift.throughput!.corrected, false);
  assert.equal(describeBlockDrift(v.drift.throughput), 'drift not detected');
  assert.deepEqual(v.confidence, { level: 'ok', reasons: [] });
});

test('a machine that drifts and a change that does nothing: the drift is taken out, no gain is claimed', () => {
  // +0.5% a second (about +35% a minute), no step at the change: the plain blocks would call it improved.
  const drifting = blocks(3, 10, (t, _after, i) => 100 * Math.exp(0.005 * t) * wobble[i]);
  const before = drifting.filter((b) => b.side === 'before').map((b) => b.throughputRps);
  const after = drifting.filter((b) => b.side === 'after').map((b) => b.throughputRps);
  assert.ok(Math.min(...after) > Math.max(...before), 'without drift control this looks like a gain');
  const r = driftControlledEffect(drifting, 'throughputRps');
  assert.equal(r.drift!.detected, true);
  assert.equal(r.drift!.corrected, true);
  assert.ok(Math.abs(r.drift!.pctPerMinute! - 34.99) < 2, String(r.drift!.pctPerMinute));
  assert.ok(r.effect!.lowPct < 0 && r.effect!.highPct > 0, `the interval holds zero: ${r.effect!.lowPct} to ${r.effect!.highPct}`);
  const v = blockVerdicts(drifting);
  assert.equal(v.throughput.verdict, 'no detectable change');
  assert.equal(v.confidence.level, 'low');
  assert.match(
    v.confidence.reasons[0],
    /^throughput drifted \+3\d\.\d+%\/min within the before\/after blocks \(95% CI .*\): the effect is corrected for it/,
  );
  assert.match(describeBlockDrift(v.drift.throughput), /^drift \+3\d\.\d+%\/min, corrected$/);
});

test('a real step on a drifting machine: the corrected effect finds the step, its interval wider the longer the change took', () => {
  const value = (t: number, after: boolean, i: number) => 100 * Math.exp(0.003 * t) * (after ? 1.3 : 1) * wobble[i];
  const all = blocks(4, 60, value);
  const r = driftControlledEffect(all, 'throughputRps');
  assert.equal(r.drift!.corrected, true);
  assert.ok(Math.abs(r.effect!.changePct - 30) < 3, `the step is +30%: ${r.effect!.changePct}`);
  assert.ok(r.effect!.lowPct > 0, 'still improved');
  // The plain Welch estimate holds the drift too (about +62% here).
  const plainBefore = all.filter((b) => b.side === 'before').map((b) => b.throughputRps);
  const plainAfter = all.filter((b) => b.side === 'after').map((b) => b.throughputRps);
  const plainPct = (plainAfter.reduce((s, x) => s + x, 0) / 4 / (plainBefore.reduce((s, x) => s + x, 0) / 4) - 1) * 100;
  assert.ok(plainPct > 50, String(plainPct));
  // Up to as many seconds between the sides as the blocks cover (here 60 and 60), the trend is taken out;
  // a longer change (600 s) would be an extrapolation of the slope: not corrected, and said so.
  assert.deepEqual(r.drift!.tooFar, undefined);
  const far = driftControlledEffect(blocks(4, 600, value), 'throughputRps');
  assert.deepEqual([far.drift!.detected, far.drift!.corrected, far.drift!.tooFar], [true, false, { unobservedS: 600, observedS: 60 }]);
  assert.ok(far.effect!.changePct > 100, 'the plain effect, drift and all');
  // p95 = 1000 / rps drifts down at the same pace: corrected too, the other way.
  const p95 = driftControlledEffect(all, 'p95Ms');
  assert.ok(p95.drift!.corrected && p95.drift!.pctPerMinute! < 0);
  assert.ok(Math.abs(p95.effect!.changePct - (100 / 1.3 - 100)) < 3);
});

test('blocks: too few a side or a non-positive value give not enough data, and two a side are enough', () => {
  const one = blocks(2, 60, (_t, after) => (after ? 120 : 100)).filter((b, i) => i !== 0);
  assert.deepEqual(driftControlledEffect(one, 'throughputRps'), { effect: null, drift: null });
  const v = blockVerdicts(one);
  assert.equal(v.throughput.verdict, 'not enough data');
  assert.equal(describeBlockDrift(v.drift.throughput), 'drift not estimable');
  const zero = blocks(2, 60, (_t, after, i) => (after ? 120 : 100) * wobble[i]).map((b, i) => (i === 2 ? { ...b, p95Ms: 0 } : b));
  const z = blockVerdicts(zero);
  assert.equal(z.p95.verdict, 'not enough data');
  assert.equal(z.drift.p95, null);
  assert.equal(z.throughput.verdict, 'improved', 'two a side (df 1) still give an interval');
  assert.equal(z.throughput.n, 2);
  assert.deepEqual(blockVerdicts([]).throughput.verdict, 'not enough data');
  // Blocks that all started at the same second on each side: no trend to fit, the plain interval.
  const sameTime = blocks(2, 60, (_t, after, i) => (after ? 120 : 100) * wobble[i]).map((b) => ({
    ...b,
    startS: b.side === 'after' ? 9 : 1,
  }));
  const s = driftControlledEffect(sameTime, 'throughputRps');
  assert.equal(s.drift!.pctPerMinute, null);
  assert.equal(s.drift!.detected, false);
  assert.ok(s.effect!.lowPct > 0);
});

test('a costly change measured by blocks: the item, its contract and its row say blocks, k a side, and the drift', () => {
  const item = { id: 'idx-orders', estimatedGainPct: 30 } as PlanItem;
  const calm = blocksItem(item, { blocks: blocks(2, 60, (_t, after, i) => (after ? 130 : 100) * wobble[after ? i + 2 : i]) }, [
    'idx-users',
  ]);
  assert.deepEqual(
    [calm.method, calm.verdict, calm.timedBlocks!.length, calm.together, calm.note],
    ['blocks', 'improved', 4, ['idx-users'], undefined],
  );
  const c = measuredContract(calm).measured!;
  assert.deepEqual(
    [c.method, c.ab_blocks, c.drift],
    [
      'blocks',
      4,
      {
        throughput_pct_per_min: c.drift!.throughput_pct_per_min,
        p95_pct_per_min: c.drift!.p95_pct_per_min,
        detected: false,
        corrected: false,
      },
    ],
  );
  assert.equal(methodCell(c), 'blocks (2 a side, no drift detected), with idx-users');
  const drifting = blocksItem(
    item,
    { blocks: blocks(3, 10, (t, _a, i) => 100 * Math.exp(0.005 * t) * wobble[i]), note: 'after blocks stopped after 3: x' },
    [],
  );
  assert.equal(drifting.confidence!.level, 'low');
  assert.match(drifting.note!, /^throughput drifted \+\d+\.\d+%\/min .*corrected for it.*; after blocks stopped after 3: x$/);
  assert.match(
    methodCell(measuredContract(drifting).measured!),
    /^blocks \(3 a side, drift corrected: throughput \+3\d\.\d+%\/min, p95 -2\d\.\d+%\/min\)$/,
  );
  assert.match(
    blocksLines([drifting]).join('\n'),
    /^\*\*idx-orders: before\/after blocks\*\*\nthroughput .*blocks, 3 blocks a side\): no detectable change\n.*\ndrift within the blocks: throughput drift \+3.*corrected, p95 drift -2.*corrected\nLOW CONFIDENCE: throughput drifted/,
  );
  assert.deepEqual(blocksLines([]), []);
});

test('the planned load of a database target holds the before/after blocks once: 2 x k x (block + warm-up)', () => {
  const base = {
    name: 'db',
    http: { baseUrl: 'http://127.0.0.1:1', endpoints: [{ name: 'a', path: '/a' }] },
    targets: { p95Ms: 1, p99Ms: 2, throughputRps: 1 },
    load: { attribution: { enabled: false } },
  };
  const without = plannedLoad(parseTargetProfile(base));
  const db = plannedLoad(parseTargetProfile({ ...base, database: { urlEnv: 'DB_URL' } }));
  assert.equal(db.seconds, without.seconds + 2 * 3 * (5 + 1));
  assert.ok(db.phases.some((p) => p.phase === 'before/after blocks of the index changes (2 x 3 x 6 s)'));
  const noAb = plannedLoad(parseTargetProfile({ ...base, database: { urlEnv: 'DB_URL' }, load: { ...base.load, abPairs: 0 } }));
  assert.equal(noAb.seconds, without.seconds);
});

test('the field trial (Django, an index on 100k articles): a trend within each side, the sides 70 s apart: not extrapolated', () => {
  // Throughput of the 3 before and 3 after blocks as measured (each side slows down within itself).
  const at = [0, 7.5, 15, 85, 92.5, 100];
  const rps = [15, 13.4, 11.4, 54.8, 45.6, 37];
  const measured: TimedBlock[] = at.map((t, i) => ({
    side: i < 3 ? 'before' : 'after',
    startS: t,
    throughputRps: rps[i],
    p95Ms: 15000 / rps[i],
  }));
  const r = driftControlledEffect(measured, 'throughputRps');
  assert.deepEqual([r.drift!.detected, r.drift!.corrected, r.drift!.tooFar], [true, false, { unobservedS: 70, observedS: 30 }]);
  assert.ok(Math.abs(r.effect!.changePct - 245) < 5, `the plain +245%, not the +2,344% an extrapolation gave: ${r.effect!.changePct}`);
  const v = blockVerdicts(measured);
  assert.equal(v.throughput.verdict, 'improved');
  assert.equal(v.confidence.level, 'low');
  assert.match(
    v.confidence.reasons[0],
    /^throughput drifted -\d+(\.\d+)?%\/min .*, but the sides are 70 s apart and the blocks cover 30 s: too far/,
  );
  assert.equal(
    describeBlockDrift(v.drift.throughput),
    `drift ${v.drift.throughput!.pctPerMinute}%/min, not corrected (the sides too far apart)`,
  );
});
