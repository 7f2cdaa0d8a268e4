import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createHistogram,
  decodeHistogram,
  encodeHistogram,
  LatencyCounts,
  mergeHistograms,
  recordMs,
  recordUs,
  summarize,
} from '../../activities/loadtest/histogram';

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

test('merging histograms recorded separately equals one histogram with all values', () => {
  const rng = lcg(42);
  const a = createHistogram();
  const b = createHistogram();
  const all = createHistogram();
  for (let i = 0; i < 50_000; i++) {
    // Two different distributions: fast (~1-20 ms) and a slow tail (~50-2000 ms).
    const ms = i % 7 === 0 ? 50 + rng() * 1950 : 1 + rng() * 19;
    recordMs(i % 2 === 0 ? a : b, ms);
    recordMs(all, ms);
  }
  const merged = mergeHistograms([a, b]);
  assert.equal(merged.totalCount, all.totalCount);
  assert.equal(merged.totalCount, 50_000);
  for (const p of [0, 1, 10, 25, 50, 75, 90, 95, 99, 99.9, 100]) {
    assert.equal(merged.getValueAtPercentile(p), all.getValueAtPercentile(p), `percentile ${p}`);
  }
  assert.deepEqual(summarize(merged), summarize(all));

  // Merging the encoded forms is just as exact.
  const fromEncoded = mergeHistograms([encodeHistogram(a), encodeHistogram(b)]);
  assert.deepEqual(summarize(fromEncoded), summarize(all));
  assert.equal(fromEncoded.totalCount, all.totalCount);
});

test('encode/decode round trip keeps counts and percentiles', () => {
  const h = createHistogram();
  const rng = lcg(7);
  for (let i = 0; i < 10_000; i++) recordMs(h, 0.2 + rng() * 300);
  const encoded = encodeHistogram(h);
  assert.equal(typeof encoded, 'string');
  assert.match(encoded, /^[A-Za-z0-9+/=]+$/);
  const back = decodeHistogram(encoded);
  assert.equal(back.totalCount, h.totalCount);
  for (const p of [50, 90, 95, 99, 100]) assert.equal(back.getValueAtPercentile(p), h.getValueAtPercentile(p));
  assert.deepEqual(summarize(back), summarize(h));
  // A decoded histogram accepts further values.
  recordMs(back, 5000);
  assert.equal(back.totalCount, h.totalCount + 1);
});

test('summary is in milliseconds at microsecond resolution', () => {
  const h = createHistogram();
  for (let i = 1; i <= 100; i++) recordMs(h, i); // 1..100 ms
  const s = summarize(h);
  assert.ok(Math.abs(s.p50 - 50) <= 0.05, `p50 ${s.p50}`);
  assert.ok(Math.abs(s.p90 - 90) <= 0.1, `p90 ${s.p90}`);
  assert.ok(Math.abs(s.p95 - 95) <= 0.1, `p95 ${s.p95}`);
  assert.ok(Math.abs(s.p99 - 99) <= 0.1, `p99 ${s.p99}`);
  assert.ok(Math.abs(s.max - 100) <= 0.1, `max ${s.max}`);
  assert.ok(Math.abs(s.mean - 50.5) <= 0.1, `mean ${s.mean}`);
  const small = createHistogram();
  recordMs(small, 0.25);
  assert.ok(Math.abs(summarize(small).p50 - 0.25) < 0.001);
  assert.deepEqual(summarize(createHistogram()), { p50: 0, p90: 0, p95: 0, p99: 0, p999: 0, max: 0, mean: 0 });
  const many = createHistogram();
  for (let i = 1; i <= 1000; i++) recordMs(many, i);
  assert.ok(Math.abs(summarize(many).p999! - 999) <= 1, `p99.9 ${summarize(many).p999}`);
});

test('the hot-path counts flush into exactly the histogram direct recording gives', () => {
  const rng = lcg(11);
  const direct = createHistogram();
  const viaCounts = createHistogram();
  const counts = new LatencyCounts();
  const values: number[] = [];
  // Every magnitude from 1 us to the 1 hour clamp, the bucket edges, and out-of-range values.
  for (let i = 0; i < 200_000; i++) values.push(Math.exp(rng() * Math.log(3.6e9)));
  for (let k = 0; k < 32; k++) values.push(2 ** k - 1, 2 ** k, 2 ** k + 1, 2047, 2048, 2049, 4095, 4096);
  values.push(0, 0.2, -5, 5e9, 3_600_000_000);
  for (const [i, us] of values.entries()) {
    recordUs(direct, us);
    counts.recordUs(us);
    if (i % 50_000 === 0) counts.flushInto(viaCounts); // flushing in several goes changes nothing
  }
  counts.flushInto(viaCounts);
  assert.equal(viaCounts.totalCount, direct.totalCount);
  for (const p of [0, 0.1, 1, 10, 50, 90, 95, 99, 99.9, 99.99, 100]) {
    assert.equal(viaCounts.getValueAtPercentile(p), direct.getValueAtPercentile(p), `percentile ${p}`);
  }
  assert.equal(encodeHistogram(viaCounts), encodeHistogram(direct), 'same counts, same encoding');
  assert.equal(counts.total, 0, 'flushed counts are cleared');
  // Flushing into several histograms at once (an endpoint's and the overall one).
  const a = createHistogram();
  const b = createHistogram();
  counts.recordMs(12.5);
  counts.flushInto(a, b);
  assert.equal(a.totalCount, 1);
  assert.deepEqual(summarize(a), summarize(b));
});
