// Arrival schedule of the open model: when each request is *intended* to be sent, for a rate that
// is constant or ramps linearly, piecewise. Pure and deterministic: the k-th arrival (k = 0, 1, ...)
// is at the time t where the cumulative number of arrivals N(t) = integral of the rate reaches k.

/** A stretch of the schedule whose rate goes linearly from fromRps to toRps. */
export interface RateSegment {
  durationSeconds: number;
  fromRps: number;
  toRps: number;
}

/** Arrivals expected over the segments (the integral of the rate). */
export function expectedArrivals(segments: readonly RateSegment[]): number {
  return segments.reduce((n, s) => n + ((s.fromRps + s.toRps) / 2) * s.durationSeconds, 0);
}

export function validateSegments(segments: readonly RateSegment[]): string | null {
  if (segments.length === 0) return 'the arrival schedule has no segment';
  for (const [i, s] of segments.entries()) {
    if (!(s.durationSeconds > 0) || !Number.isFinite(s.durationSeconds)) return `segment ${i}: durationSeconds must be > 0`;
    for (const r of [s.fromRps, s.toRps]) {
      if (!(r >= 0) || !Number.isFinite(r) || r > 1_000_000) return `segment ${i}: rates must be in [0, 1000000] req/s`;
    }
  }
  return null;
}

/**
 * Iterates the intended send times (ms from the start) of the arrivals of a piecewise-linear
 * rate. Times are exact (no accumulated rounding): each is computed from the arrival's index.
 */
export class ArrivalSchedule {
  private seg = 0;
  private segStartMs = 0; // start of the current segment
  private segStartCount = 0; // arrivals (real-valued) before the current segment
  private k = 0; // index of the next arrival

  constructor(private readonly segments: readonly RateSegment[]) {
    const err = validateSegments(segments);
    if (err) throw new Error(err);
  }

  /** Intended time (ms since the start) of the next arrival, or null when the schedule is over. */
  next(): number | null {
    while (this.seg < this.segments.length) {
      const s = this.segments[this.seg];
      const n = this.k - this.segStartCount; // arrivals into this segment, >= 0
      const segCount = ((s.fromRps + s.toRps) / 2) * s.durationSeconds;
      if (n < segCount) {
        const tau = timeOfArrival(s, n);
        if (tau <= s.durationSeconds) {
          this.k++;
          return this.segStartMs + tau * 1000;
        }
      }
      this.segStartMs += s.durationSeconds * 1000;
      this.segStartCount += segCount;
      this.seg++;
    }
    return null;
  }
}

/** Seconds into a segment at which the cumulative arrivals reach n. */
function timeOfArrival(s: RateSegment, n: number): number {
  if (n <= 0) return 0;
  const a = s.fromRps;
  const slope = (s.toRps - s.fromRps) / s.durationSeconds; // req/s per second
  // N(t) = a t + slope t^2 / 2 = n  ->  t = 2n / (a + sqrt(a^2 + 2 slope n)) (stable for slope ~ 0 and < 0)
  const disc = a * a + 2 * slope * n;
  if (disc < 0) return Number.POSITIVE_INFINITY;
  const denom = a + Math.sqrt(disc);
  return denom > 0 ? (2 * n) / denom : Number.POSITIVE_INFINITY;
}

/** All intended times (ms) of a schedule; for tests and small schedules. */
export function arrivalTimes(segments: readonly RateSegment[], limit = 1_000_000): number[] {
  const s = new ArrivalSchedule(segments);
  const out: number[] = [];
  for (let t = s.next(); t !== null && out.length < limit; t = s.next()) out.push(t);
  return out;
}
