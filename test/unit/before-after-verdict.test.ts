import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  baselineMeasurement,
  baselineMeasurementLine,
  beforeAfter,
  beforeAfterLines,
  improvedBeyond,
  MIN_SECONDS,
} from '../../common/verdict';
import { parseCpuPressureTotalUs } from '../../activities/loadtest/host-reading';
import { perSecondSeries } from '../../activities/loadtest/activity';
import { verdictLines, verdictText } from '../../client/render-verdict';

const series = (n: number, f: (i: number) => number): number[] => Array.from({ length: n }, (_, i) => f(i));
const calmHost = { cores: 2, loadAvg1: 1, hostCpuPct: 40, loadGeneratorCpuPct: 30, cpuPressurePct: 5 };

test('before/after: a clear gain on both metrics, trusted windows', () => {
  const before = { perSecond: { rps: series(20, (i) => 100 + (i % 3)), p95Ms: series(20, (i) => 50 + (i % 2)) }, host: calmHost };
  const after = { perSecond: { rps: series(20, (i) => 150 + (i % 3)), p95Ms: series(20, (i) => 30 + (i % 2)) }, host: calmHost };
  const ba = beforeAfter(before, after)!;
  assert.equal(ba.throughput.verdict, 'improved');
  assert.equal(ba.p95.verdict, 'improved');
  assert.ok(ba.p95.improvementPct! > 35 && ba.p95.improvementPct! < 45);
  assert.deepEqual(ba.confidence, { level: 'ok', reasons: [] });
});

test('before/after: a cold baseline and a saturated host are flagged, and the gain is not claimed', () => {
  const cold = { perSecond: { rps: series(20, (i) => 20 + i * 8), p95Ms: series(20, (i) => 200 - i * 8) }, host: calmHost };
  const busy = { cores: 2, loadAvg1: 13, hostCpuPct: 98, loadGeneratorCpuPct: 20, cpuPressurePct: 80 };
  const after = { perSecond: { rps: series(20, (i) => 180 + (i % 3)), p95Ms: series(20, () => 45) }, host: busy };
  const ba = beforeAfter(cold, after)!;
  assert.equal(ba.confidence.level, 'low');
  assert.ok(ba.confidence.reasons.some((r) => /^baseline: throughput drifted \+/.test(r)));
  assert.ok(ba.confidence.reasons.some((r) => /^after: load average 13 on 2 cores/.test(r)));
  assert.ok(ba.confidence.reasons.some((r) => /^after: tasks waited for a CPU 80%/.test(r)));
  assert.equal(ba.throughput.verdict, 'no detectable change', 'the cold start widens the interval past zero');
  const lines = beforeAfterLines(ba);
  assert.match(lines[0], /^throughput [+-]\d+\.\d% \(95% joint CI .* batch-means, 5 batches a side\): no detectable change$/);
  assert.match(lines[2], /^LOW CONFIDENCE: baseline: throughput drifted .*; after: load average 13 on 2 cores/);
});

test(`before/after: under ${MIN_SECONDS} measured seconds a side there is no interval; without series, no verdict at all`, () => {
  const short = { perSecond: { rps: series(MIN_SECONDS - 1, () => 100), p95Ms: series(MIN_SECONDS - 1, () => 10) } };
  const long = { perSecond: { rps: series(MIN_SECONDS, () => 100), p95Ms: series(MIN_SECONDS, () => 10) } };
  assert.equal(beforeAfter(short, long)!.throughput.verdict, 'not enough data');
  assert.equal(beforeAfter(long, long)!.throughput.verdict, 'no detectable change');
  assert.equal(beforeAfter({}, long), null);
});

test('the outcome: improved only with an interval clear of zero and an estimate over the threshold', () => {
  const v = (verdict: 'improved' | 'no detectable change' | 'not enough data', improvementPct: number | null) => ({
    verdict,
    regressed: false,
    improvementPct,
    improvementLowPct: null,
    improvementHighPct: null,
    method: null,
    n: 5,
  });
  const comparison = [{ metric: 'throughputRps', changePct: 40 }];
  const confidence = { level: 'ok' as const, reasons: [] };
  const with_ = (t: ReturnType<typeof v>, p: ReturnType<typeof v>) => ({ comparison, beforeAfter: { throughput: t, p95: p, confidence } });
  assert.equal(improvedBeyond(with_(v('no detectable change', 40), v('no detectable change', 5)), 10), false);
  assert.equal(improvedBeyond(with_(v('improved', 40), v('no detectable change', 5)), 10), true);
  assert.equal(improvedBeyond(with_(v('improved', 9), v('improved', 10)), 10), false, 'real but under the threshold');
  assert.equal(improvedBeyond(with_(v('not enough data', null), v('not enough data', null)), 10), true, 'no intervals: the estimate');
  assert.equal(improvedBeyond({ comparison }, 10), true, 'recorded before the intervals');
  assert.equal(improvedBeyond({ comparison: [{ metric: 'p95Ms', changePct: 10 }] }, 10), false);
});

test('CPU pressure: the `some` total of /proc/pressure/cpu, null without it', () => {
  const text = 'some avg10=68.22 avg60=47.96 avg300=17.67 total=68149930\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n';
  assert.equal(parseCpuPressureTotalUs(text), 68149930);
  assert.equal(parseCpuPressureTotalUs(''), null);
});

test('per-second series leave the warm-up out', () => {
  const p = (warmup: boolean, currentRps: number, p95Ms: number) =>
    ({ warmup, currentRps, p95Ms }) as Parameters<typeof perSecondSeries>[0][number];
  assert.deepEqual(perSecondSeries([p(true, 5, 100), p(false, 10.04, 20.123), p(false, 12, 18)]), { rps: [10, 12], p95Ms: [20.12, 18] });
});

test('report lines: estimate, interval, method, verdict; low confidence with its reasons', () => {
  const verdict = {
    verdict: 'improved' as const,
    improvement_pct: 31.24,
    ci_low_pct: 24,
    ci_high_pct: 38.9,
    method: 'batch-means' as const,
    n: 5,
    regressed: false,
  };
  assert.equal(verdictText('throughput', verdict), 'throughput: +31.2% (95% CI +24.0% to +38.9%; batch-means, 5 batches a side): improved');
  const none = {
    ...verdict,
    verdict: 'not enough data' as const,
    improvement_pct: null,
    ci_low_pct: null,
    ci_high_pct: null,
    method: null,
  };
  assert.equal(verdictText('p95 latency', none), 'p95 latency: not enough measured seconds for an interval');
  const lines = verdictLines({
    before_after: { throughput: verdict, p95: none, confidence: 'low', confidence_reasons: ['baseline: host CPU 98% busy'] },
  } as Parameters<typeof verdictLines>[0]);
  assert.deepEqual(lines.slice(2), ['LOW CONFIDENCE in these figures:', '  - baseline: host CPU 98% busy']);
  assert.deepEqual(verdictLines({} as Parameters<typeof verdictLines>[0]), []);
});

test('the baseline line: its warm-up, a re-measure and its own confidence', () => {
  const steady = { perSecond: { rps: series(20, () => 100), p95Ms: series(20, () => 10) }, host: calmHost };
  const ok = baselineMeasurement({ ...steady, warmup: { seconds: 6.2, steady: true } });
  assert.equal(baselineMeasurementLine(ok), 'baseline: warm-up steady after 6 s; no saturation or drift seen');
  const again = baselineMeasurement({
    ...steady,
    host: { ...calmHost, hostCpuPct: 97 },
    warmup: { seconds: 60, steady: false },
    remeasured: { firstDrift: { changePct: 41.5 } },
  });
  assert.equal(
    baselineMeasurementLine(again),
    'baseline: warm-up not steady at its 60 s cap; measured again (the first attempt drifted +41.5%); ' +
      'LOW CONFIDENCE: baseline: host CPU 97% busy; baseline: still not steady when the warm-up reached its cap',
  );
  assert.equal(baselineMeasurementLine(baselineMeasurement(steady)), 'baseline: no saturation or drift seen', 'a fixed warm-up');
});
