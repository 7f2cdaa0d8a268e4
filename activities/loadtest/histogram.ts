// HDR latency histograms: values recorded in microseconds, summarized in milliseconds.
// Encoded histograms (compressed base64, the HdrHistogram standard format) merge exactly,
// so load tests split across workers can be combined without losing percentile accuracy.
import * as hdr from 'hdr-histogram-js';
import type { LatencySummary } from '../../common/types';

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

const round3 = (x: number): number => Math.round(x * 1000) / 1000;
const usToMs = (us: number): number => round3(us / 1000);

/** p50/p90/p95/p99/max/mean in ms (0 everywhere for an empty histogram). */
export function summarize(h: Histogram): LatencySummary {
  if (h.totalCount === 0) return { p50: 0, p90: 0, p95: 0, p99: 0, max: 0, mean: 0 };
  return {
    p50: usToMs(h.getValueAtPercentile(50)),
    p90: usToMs(h.getValueAtPercentile(90)),
    p95: usToMs(h.getValueAtPercentile(95)),
    p99: usToMs(h.getValueAtPercentile(99)),
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
