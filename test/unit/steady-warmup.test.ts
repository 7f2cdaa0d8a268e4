import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_STEADY_WARMUP, describeWarmup, warmupOver, worstCaseWarmupSeconds, type SteadyWarmup } from '../../common/warmup';
import { parseTargetProfile, ProfileError } from '../../common/profile';
import { plannedLoad } from '../../common/run-budget';
import { describeProgress } from '../../client/load-progress';
import { beforeAfter, windowDrift } from '../../common/verdict';

const RULE: SteadyWarmup = { until: 'steady', maxSeconds: 20, windowSeconds: 3, tolerancePct: 10 };
const flat = (n: number, x = 100) => Array<number>(n).fill(x);

test('the warm-up ends at the first point where throughput AND p95 are both steady', () => {
  assert.equal(warmupOver(flat(5), flat(5), 5, RULE), null, 'two whole windows needed');
  assert.equal(warmupOver(flat(6), flat(6), 6, RULE), 'steady');
  const ramp = [10, 20, 40, 80, 100, 100];
  assert.equal(warmupOver(ramp, flat(6, 12), 6, RULE), null, 'throughput still climbing');
  assert.equal(warmupOver(flat(6), [40, 30, 20, 12, 12, 12], 6, RULE), null, 'p95 still falling');
  assert.equal(warmupOver([100, 100, 100, 110, 110, 110], flat(6), 6, RULE), 'steady', '10% apart: within the tolerance');
  assert.equal(warmupOver([100, 100, 100, 112, 112, 112], flat(6), 6, RULE), null, '11% apart: beyond it');
});

test('not before the least warm-up; at the cap when never steady', () => {
  assert.equal(warmupOver(flat(6), flat(6), 6, { ...RULE, minSeconds: 8 }), null);
  assert.equal(warmupOver(flat(8), flat(8), 8, { ...RULE, minSeconds: 8 }), 'steady');
  const saw = Array.from({ length: 20 }, (_, i) => (i % 2 ? 50 : 150));
  assert.equal(warmupOver(saw.slice(0, 19), saw.slice(0, 19), 19.9, RULE), null);
  assert.equal(warmupOver(saw, saw, 20, RULE), 'capped');
  assert.equal(warmupOver(flat(20), flat(20), 20, RULE), 'steady', 'steady at the cap is steady');
});

test('points of half a second: the windows count seconds, not points', () => {
  assert.equal(warmupOver(flat(11), flat(11), 5.5, { ...RULE, intervalSeconds: 0.5 }), null);
  assert.equal(warmupOver(flat(12), flat(12), 6, { ...RULE, intervalSeconds: 0.5 }), 'steady');
});

test('the worst case is the cap; a fixed warm-up is its seconds', () => {
  assert.equal(worstCaseWarmupSeconds({ warmupSeconds: 2, warmup: RULE }), 20);
  assert.equal(worstCaseWarmupSeconds({ warmupSeconds: 30, warmup: RULE }), 30);
  assert.equal(worstCaseWarmupSeconds({ warmupSeconds: 2 }), 2);
  assert.equal(describeWarmup({ warmupSeconds: 2, warmup: RULE }), 'after a warm-up until steady (at most 20 s)');
  assert.equal(describeWarmup({ warmupSeconds: 0 }), '');
});

const profile = (load?: unknown) =>
  parseTargetProfile({
    name: 'x',
    http: { baseUrl: 'http://127.0.0.1:1', endpoints: [{ name: 'a', path: '/' }] },
    targets: { p95Ms: 1, p99Ms: 2, throughputRps: 1 },
    ...(load === undefined ? {} : { load }),
  });

test('profile: steady by default, warmupSeconds alone stays the fixed warm-up, a parsed profile parses the same', () => {
  assert.deepEqual(profile().load.warmup, DEFAULT_STEADY_WARMUP);
  assert.equal(profile({}).load.warmupSeconds, 2);
  assert.equal(profile({ warmupSeconds: 1 }).load.warmup, undefined);
  const both = profile({ warmupSeconds: 3, warmup: { until: 'steady', maxSeconds: 30 } }).load;
  assert.deepEqual([both.warmupSeconds, both.warmup], [3, { ...DEFAULT_STEADY_WARMUP, maxSeconds: 30 }]);
  for (const p of [profile(), profile({ warmupSeconds: 1 })]) assert.deepEqual(profile(JSON.parse(JSON.stringify(p.load))).load, p.load);
});

test('profile: a wrong warm-up names the field and the fix', () => {
  const bad = (load: unknown, re: RegExp) =>
    assert.throws(
      () => profile(load),
      (e: unknown) => e instanceof ProfileError && re.test(e.message),
    );
  bad({ warmup: { until: 'fixed' } }, /load\.warmup\.until: must be "steady" \(for a fixed warm-up, set load\.warmupSeconds alone\)/);
  bad(
    { warmup: { until: 'steady', maxSeconds: 9 } },
    /load\.warmup\.maxSeconds: the steady check compares two windows of 5 s: maxSeconds must be at least 10/,
  );
  bad(
    { warmupSeconds: 30, warmup: { until: 'steady', maxSeconds: 20 } },
    /load\.warmup\.maxSeconds: the cap \(20 s\) is below load\.warmupSeconds/,
  );
  bad({ warmup: { until: 'steady', windowSecs: 5 } }, /load\.warmup: unknown key "windowSecs"/);
});

test('the run budget counts the cap: baseline (and its re-measure), after and peak', () => {
  const steady = plannedLoad(profile({ durationSeconds: 10 }));
  const fixed = plannedLoad(profile({ durationSeconds: 10, warmupSeconds: 2 }));
  const secs = (p: typeof steady, name: string) => p.phases.find((x) => x.phase.startsWith(name))!.seconds;
  assert.equal(secs(fixed, 'baseline'), 2 * 12, 'measured twice when the first drifted');
  assert.equal(secs(fixed, 'after'), 12);
  assert.equal(secs(steady, 'after'), 60 + 10);
  assert.equal(secs(steady, 'peak'), 60 + 10);
  assert.equal(secs(steady, 'baseline'), 2 * (60 + 2 + 10), 'warm-up until steady, then the round; twice when it drifted');
});

test('the progress line says the warm-up is running until steady, then how it ended', () => {
  const p = { elapsedSeconds: 12.4, totalSeconds: 70, requests: 0, errors: 0, currentRps: 140, p95Ms: 12 };
  assert.equal(describeProgress(p), 'load 12/70s, 140 req/s, p95 12 ms, 0 errors');
  assert.equal(
    describeProgress({ ...p, warmup: true, steadyWarmup: { maxSeconds: 60 } }),
    'load 12/70s (warming up until steady), 140 req/s, p95 12 ms, 0 errors',
  );
  const over = { ...p, elapsedSeconds: 20, totalSeconds: 24, warmup: false };
  assert.match(
    describeProgress({ ...over, steadyWarmup: { maxSeconds: 60, endedAfterSeconds: 14.2, steady: true } }),
    /^load 20\/24s \(steady after 14 s\)/,
  );
  assert.match(
    describeProgress({ ...over, steadyWarmup: { maxSeconds: 60, endedAfterSeconds: 60, steady: false } }),
    /\(not steady at the 60 s cap\)/,
  );
});

test('a capped warm-up makes the window low-confidence; a steady or fixed one does not', () => {
  const series = { rps: flat(12), p95Ms: flat(12, 10) };
  assert.equal(beforeAfter({ perSecond: series, warmup: { steady: true } }, { perSecond: series }, 10)!.confidence.level, 'ok');
  const capped = beforeAfter({ perSecond: series }, { perSecond: series, warmup: { steady: false } }, 10)!.confidence;
  assert.deepEqual(capped.reasons, ['after: still not steady when the warm-up reached its cap']);
  assert.equal(
    windowDrift({ perSecond: { rps: [...flat(6, 50), ...flat(6, 100)], p95Ms: flat(12) } })!.drifting,
    true,
    'what re-measures a baseline',
  );
  assert.equal(windowDrift({ perSecond: { rps: flat(9), p95Ms: flat(9) } }), null, 'too few seconds to tell');
});
