// HDR latency histograms: values recorded in microseconds, summarized in milliseconds.
// Encoded histograms (compressed base64, the HdrHistogram standard format) merge exactly,
// so load tests split across workers can be combined without losing percentile accuracy.
import * as hdr from 'hdr-histogram-js';
import type { LatencySummary } from '../../common/types';
import { round } from '../../common/round';

export type Histogram = hdr.Histogram;

/** One hour in microseconds: latencies above are clamped (auto-resize keeps it safe anyway). */
const HIGHEST_US = 3_600_000_000;

export function createHistogram(): Histogram {
  return hdr.build({
    bitBucketSize: 32,
    autoResize: true,
    lowestDiscernibleValue: 1,
    highestTrackableValue: HIGHEST_US,
    numberOfSignificantValueDigits: 3,
    useWebAssembly: false,
  });
}

/** Records a latency given in milliseconds (fractional) at microsecond resolution. */
export function recordMs(h: Histogram, ms: number): void {
  recordUs(h, ms * 1000);
}

export function recordUs(h: Histogram, us: number): void {
  const v = Math.round(us);
  h.recordValue(v < 1 ? 1 : v > HIGHEST_US ? HIGHEST_US : v);
}
const usToMs = (us: number): number => round(us / 1000, 3);

/** p50/p90/p95/p99/p99.9/max/mean in ms (0 everywhere for an empty histogram). */
export function summarize(h: Histogram): LatencySummary {
  if (h.totalCount === 0) return { p50: 0, p90: 0, p95: 0, p99: 0, p999: 0, max: 0, mean: 0 };
  return {
    p50: usToMs(h.getValueAtPercentile(50)),
    p90: usToMs(h.getValueAtPercentile(90)),
    p95: usToMs(h.getValueAtPercentile(95)),
    p99: usToMs(h.getValueAtPercentile(99)),
    p999: usToMs(h.getValueAtPercentile(99.9)),
    // Bucket value like the percentiles (HdrHistogram's getMaxValue), so merged and single agree.
    max: usToMs(h.getValueAtPercentile(100)),
    mean: usToMs(h.mean),
  };
}

/** p-th percentile in ms; 0 when empty. */
export function percentileMs(h: Histogram, p: number): number {
  return h.totalCount === 0 ? 0 : usToMs(h.getValueAtPercentile(p));
}

export function encodeHistogram(h: Histogram): string {
  return hdr.encodeIntoCompressedBase64(h);
}

export function decodeHistogram(encoded: string): Histogram {
  const decoded = hdr.decodeFromCompressedBase64(encoded, 32, false);
  // Decoded histograms are sized to their content; copy into a standard auto-resizing one so they
  // can take further values and merges.
  const h = createHistogram();
  h.add(decoded);
  return h;
}

/** A new histogram holding every value of the inputs (histograms or their encodings). */
export function mergeHistograms(inputs: Array<Histogram | string>): Histogram {
  const out = createHistogram();
  for (const x of inputs) out.add(typeof x === 'string' ? hdr.decodeFromCompressedBase64(x, 32, false) : x);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Hot-path recording. hdr-histogram-js's recordValue costs ~180 ns; the load generator instead
// increments a plain counts array laid out exactly like an HdrHistogram with lowest value 1 and 3
// significant digits (2048 sub-buckets, 1024 per bucket above the first), a few ns per value, and
// flushes it into a real histogram once per second. Each slot is flushed as its lowest equivalent
// value, which falls in the same slot of the target histogram: the result is identical to
// recording every value directly (test/unit/loadtest-histogram.test.ts checks it).

const SUB_HALF_MAG = 10; // log2(1024)
const SUB_HALF = 1 << SUB_HALF_MAG;
const SUB_MASK = 2 * SUB_HALF - 1; // 2047
const COUNTS_LEN = (32 - SUB_HALF_MAG) * SUB_HALF + SUB_HALF; // covers every 32-bit value

export class LatencyCounts {
  private readonly counts = new Uint32Array(COUNTS_LEN);
  private lo = COUNTS_LEN;
  private hi = -1;
  total = 0;

  /** Records a latency in microseconds (rounded; clamped to [1, 1 hour]). */
  recordUs(us: number): void {
    let v = Math.round(us);
    if (v < 1) v = 1;
    else if (v > HIGHEST_US) v = HIGHEST_US;
    const bucket = 21 - Math.clz32(v | SUB_MASK); // 31 - clz32(v) - 10, at least 0
    const sub = v >>> bucket;
    const i = ((bucket + 1) << SUB_HALF_MAG) + (sub - SUB_HALF);
    this.counts[i]++;
    if (i < this.lo) this.lo = i;
    if (i > this.hi) this.hi = i;
    this.total++;
  }

  recordMs(ms: number): void {
    this.recordUs(ms * 1000);
  }

  /** Adds every recorded value to `h` (when given) and clears these counts. */
  flushInto(...targets: Histogram[]): void {
    const c = this.counts;
    for (let i = this.lo; i <= this.hi; i++) {
      const n = c[i];
      if (n === 0) continue;
      let bucket = (i >> SUB_HALF_MAG) - 1;
      let sub = (i & (SUB_HALF - 1)) + SUB_HALF;
      if (bucket < 0) {
        sub -= SUB_HALF;
        bucket = 0;
      }
      const value = sub * 2 ** bucket;
      for (const h of targets) h.recordValueWithCount(value, n);
      c[i] = 0;
    }
    this.lo = COUNTS_LEN;
    this.hi = -1;
    this.total = 0;
  }
}
