import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assessLeak, assessSoak, driftFlagged, leastSquares, p95Drift, soakSampleIntervalMs, type RssSample } from '../../common/soak';

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

test('least squares: exact on a line, r2 0 on a flat series, null when undefined', () => {
  const fit = leastSquares([0, 1, 2, 3, 4].map((x) => ({ x, y: 3 * x + 7 })))!;
  assert.ok(Math.abs(fit.slope - 3) < 1e-12 && Math.abs(fit.intercept - 7) < 1e-12);
  assert.equal(fit.r2, 1);
  assert.equal(leastSquares([1, 2, 3].map((x) => ({ x, y: 5 })))!.r2, 0);
  assert.equal(leastSquares([{ x: 1, y: 1 }]), null);
  assert.equal(
    leastSquares([
      { x: 1, y: 1 },
      { x: 1, y: 2 },
    ]),
    null,
  );
});

const series = (n: number, stepSec: number, f: (t: number) => number): RssSample[] =>
  Array.from({ length: n }, (_, i) => ({ tSec: i * stepSec, rssMb: f(i * stepSec) }));

test('a steadily rising RSS is a leak; flat, noisy, warm-up-only growth and GC sawtooth are not', () => {
  const rng = lcg(3);
  // 30 MB/min leak over 2 minutes with +-2 MB noise.
  const leak = assessLeak(
    series(120, 1, (t) => 80 + t * 0.5 + (rng() - 0.5) * 4),
    { leakMbPerMin: 2 },
  );
  assert.equal(leak.leakSuspected, true);
  assert.ok(Math.abs(leak.slopeMbPerMin! - 30) < 2, `slope ${leak.slopeMbPerMin}`);
  assert.ok(leak.r2! > 0.9);
  // Flat with noise.
  const flat = assessLeak(
    series(120, 1, () => 80 + (rng() - 0.5) * 6),
    { leakMbPerMin: 2 },
  );
  assert.equal(flat.leakSuspected, false);
  // Grows during the first 15 s (heap warm-up), flat after: the skipped first fifth absorbs it.
  const warm = assessLeak(
    series(120, 1, (t) => (t < 15 ? 50 + t * 2 : 80) + (rng() - 0.5)),
    { leakMbPerMin: 2 },
  );
  assert.equal(warm.leakSuspected, false, JSON.stringify(warm));
  // GC sawtooth: up 10 MB, back down, every 20 s.
  const saw = assessLeak(
    series(120, 1, (t) => 80 + (t % 20) / 2),
    { leakMbPerMin: 2 },
  );
  assert.equal(saw.leakSuspected, false, JSON.stringify(saw));
  // A slope below the threshold is not flagged; missing samples are skipped; too few samples: no verdict.
  assert.equal(
    assessLeak(
      series(120, 1, (t) => 80 + t / 60),
      { leakMbPerMin: 2 },
    ).leakSuspected,
    false,
  );
  const gaps = series(60, 1, (t) => 80 + t).map((s, i) => (i % 3 ? s : { ...s, rssMb: null }));
  assert.equal(assessLeak(gaps, { leakMbPerMin: 2 }).leakSuspected, true);
  assert.deepEqual(
    assessLeak(
      series(3, 1, (t) => t * 100),
      { leakMbPerMin: 2 },
    ),
    { slopeMbPerMin: null, r2: null, riseMb: null, samples: 3, leakSuspected: false },
  );
});

test('p95 drift: medians of the first and last thirds, warm-up and empty seconds ignored', () => {
  const pts = [
    { p95Ms: 500, warmup: true },
    ...Array.from({ length: 10 }, () => ({ p95Ms: 10, intervalRequests: 100 })),
    { p95Ms: 900, intervalRequests: 100 }, // one slow second in the middle
    ...Array.from({ length: 9 }, () => ({ p95Ms: 15, intervalRequests: 100 })),
    { p95Ms: 0, intervalRequests: 0 },
    ...Array.from({ length: 10 }, () => ({ p95Ms: 20, intervalRequests: 100 })),
  ];
  const d = p95Drift(pts)!;
  assert.deepEqual(d, { firstMs: 10, lastMs: 20, changePct: 100, points: 30 });
  assert.equal(driftFlagged(d, 25), true);
  assert.equal(driftFlagged(d, 150), false);
  assert.equal(driftFlagged({ firstMs: 1, lastMs: 2, changePct: 100, points: 30 }, 25), false, 'a 1 ms change is noise');
  assert.equal(p95Drift([{ p95Ms: 1 }, { p95Ms: 2 }]), null);
  const steady = p95Drift(Array.from({ length: 30 }, (_, i) => ({ p95Ms: 10 + (i % 2) })))!;
  assert.ok(Math.abs(steady.changePct) <= 10);
});

test('soak verdict: flags with numbers, and the sampling interval', () => {
  const leaking = assessSoak(
    series(60, 1, (t) => 100 + t),
    { firstMs: 10, lastMs: 30, changePct: 200, points: 60 },
    { leakMbPerMin: 2, p95DriftPct: 25 },
  );
  assert.equal(leaking.leakSuspected, true);
  assert.equal(leaking.p95DriftFlagged, true);
  assert.equal(leaking.flags.length, 2);
  assert.match(leaking.flags[0], /memory leak suspected: target RSS grew 60 MB\/min/);
  assert.match(leaking.flags[1], /p95 drifted \+200%/);
  const healthy = assessSoak(
    series(60, 1, () => 100),
    null,
    { leakMbPerMin: 2, p95DriftPct: 25 },
  );
  assert.deepEqual(healthy.flags, []);
  assert.equal(healthy.leakSuspected, false);
  assert.equal(assessSoak([], null, { leakMbPerMin: 2, p95DriftPct: 25 }).rssSlopeMbPerMin, null);
  assert.equal(soakSampleIntervalMs(8), 500);
  assert.equal(soakSampleIntervalMs(600), 5000);
  assert.equal(soakSampleIntervalMs(24 * 3600), 30_000);
});
