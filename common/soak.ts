import { round } from './round';
// Soak-test math, pure (the validation workflow and the load-test activity both use it):
// the target's memory slope by least squares (a steadily rising RSS is a leak) and the drift of
// p95 latency between the first and the last third of the per-second series.

export interface Fit {
  slope: number; // y units per x unit
  intercept: number;
  r2: number; // coefficient of determination, 0..1 (1 for a perfect line; 0 when y is flat)
  n: number;
}

/** Ordinary least squares of y on x; null with fewer than 2 distinct x. */
export function leastSquares(points: ReadonlyArray<{ x: number; y: number }>): Fit | null {
  const n = points.length;
  if (n < 2) return null;
  let sx = 0;
  let sy = 0;
  for (const p of points) {
    sx += p.x;
    sy += p.y;
  }
  const mx = sx / n;
  const my = sy / n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (const p of points) {
    const dx = p.x - mx;
    const dy = p.y - my;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  if (sxx === 0) return null;
  const slope = sxy / sxx;
  const r2 = syy === 0 ? 0 : Math.min(1, (sxy * sxy) / (sxx * syy));
  return { slope, intercept: my - slope * mx, r2, n };
}

export interface RssSample {
  tSec: number; // seconds since the start of sampling
  rssMb: number | null; // null when the process could not be read
}

export interface LeakThresholds {
  /** Flag a leak when the RSS grows faster than this (MB per minute)... */
  leakMbPerMin: number;
  /** ...by at least this much over the analyzed window (noise floor, MB)... */
  minRiseMb?: number;
  /** ...along a reasonably straight line (r^2), so GC sawtooth and one-off steps do not count. */
  minR2?: number;
  /** Leading fraction of the samples ignored: heaps and JITs grow while a service warms up. */
  skipFraction?: number;
}

export interface LeakAssessment {
  slopeMbPerMin: number | null;
  r2: number | null;
  riseMb: number | null; // slope x analyzed window
  samples: number; // samples analyzed
  leakSuspected: boolean;
}

/** RSS slope (MB/min, least squares) after the warm-up fraction, and whether it looks like a leak. */
export function assessLeak(samples: readonly RssSample[], t: LeakThresholds): LeakAssessment {
  const valid = samples.filter((s): s is { tSec: number; rssMb: number } => s.rssMb !== null && Number.isFinite(s.rssMb));
  const skip = Math.floor(valid.length * (t.skipFraction ?? 0.2));
  const used = valid.slice(skip);
  const fit = used.length >= 4 ? leastSquares(used.map((s) => ({ x: s.tSec / 60, y: s.rssMb }))) : null;
  if (!fit) return { slopeMbPerMin: null, r2: null, riseMb: null, samples: used.length, leakSuspected: false };
  const windowMin = (used[used.length - 1].tSec - used[0].tSec) / 60;
  const riseMb = fit.slope * windowMin;
  const leakSuspected = fit.slope > t.leakMbPerMin && riseMb >= (t.minRiseMb ?? 3) && fit.r2 >= (t.minR2 ?? 0.5);
  return { slopeMbPerMin: round(fit.slope, 3), r2: round(fit.r2, 3), riseMb: round(riseMb, 2), samples: used.length, leakSuspected };
}

export interface LatencyPoint {
  p95Ms: number;
  intervalRequests?: number; // points without requests are ignored
  warmup?: boolean; // warm-up points are ignored
}

export interface DriftAssessment {
  firstMs: number; // median of the per-second p95 over the first third
  lastMs: number; // same over the last third
  changePct: number; // (last - first) / first x 100
  points: number;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/**
 * Drift of p95 over a run: the median per-second p95 of the last third against the first third
 * (medians: a single slow second does not make a drift). Null with fewer than 3 usable points.
 */
export function p95Drift(series: readonly LatencyPoint[]): DriftAssessment | null {
  const pts = series.filter((p) => !p.warmup && (p.intervalRequests === undefined || p.intervalRequests > 0) && Number.isFinite(p.p95Ms));
  if (pts.length < 3) return null;
  const third = Math.floor(pts.length / 3);
  const firstMs = median(pts.slice(0, third).map((p) => p.p95Ms));
  const lastMs = median(pts.slice(pts.length - third).map((p) => p.p95Ms));
  const changePct = firstMs > 0 ? ((lastMs - firstMs) / firstMs) * 100 : lastMs > 0 ? 100 : 0;
  return { firstMs: round(firstMs, 3), lastMs: round(lastMs, 3), changePct: round(changePct, 1), points: pts.length };
}

/** A p95 drift worth flagging: above the threshold in % and by more than minMs (tiny latencies are noisy). */
export function driftFlagged(d: DriftAssessment | null, thresholdPct: number, minMs = 2): boolean {
  return d !== null && d.changePct > thresholdPct && d.lastMs - d.firstMs > minMs;
}

export interface SoakThresholds {
  leakMbPerMin: number;
  p95DriftPct: number;
}

export interface SoakAssessment {
  rssSlopeMbPerMin: number | null;
  rssR2: number | null;
  rssRiseMb: number | null;
  leakSuspected: boolean;
  p95Drift: DriftAssessment | null;
  p95DriftFlagged: boolean;
  flags: string[]; // human-readable findings, empty when the soak looked healthy
}

/** The soak's verdict from the RSS samples of the target and the load test's p95 drift. */
export function assessSoak(rss: readonly RssSample[], drift: DriftAssessment | null, t: SoakThresholds): SoakAssessment {
  const leak = assessLeak(rss, { leakMbPerMin: t.leakMbPerMin });
  const driftHigh = driftFlagged(drift, t.p95DriftPct);
  const flags: string[] = [];
  if (leak.leakSuspected) {
    flags.push(
      `memory leak suspected: target RSS grew ${leak.slopeMbPerMin} MB/min (r2 ${leak.r2}, +${leak.riseMb} MB) over the soak, above ${t.leakMbPerMin} MB/min`,
    );
  }
  if (driftHigh && drift) {
    flags.push(
      `p95 drifted ${drift.changePct > 0 ? '+' : ''}${drift.changePct}% over the soak ` +
        `(${drift.firstMs} ms in the first third, ${drift.lastMs} ms in the last), above ${t.p95DriftPct}%`,
    );
  }
  return {
    rssSlopeMbPerMin: leak.slopeMbPerMin,
    rssR2: leak.r2,
    rssRiseMb: leak.riseMb,
    leakSuspected: leak.leakSuspected,
    p95Drift: drift,
    p95DriftFlagged: driftHigh,
    flags,
  };
}

/** Sampling interval of the target's process during a soak: ~120 samples, 0.5 s to 30 s apart. */
export function soakSampleIntervalMs(soakSeconds: number): number {
  return Math.min(30_000, Math.max(500, Math.round((soakSeconds * 1000) / 120)));
}
