// The warm-up rule of a load test: a fixed number of seconds (load.warmupSeconds alone, and every
// request that names no rule), or "until steady" (load.warmup): the warm-up lasts at least
// warmupSeconds, then ends at the first second where the per-second throughput AND the per-second
// p95 are both steady (common/verdict's steadyAtEnd), or at maxSeconds, the cap. Pure.
import { steadyAtEnd } from './verdict/stability';

export interface SteadyWarmup {
  until: 'steady';
  maxSeconds: number; // the cap: the worst case every time budget counts
  windowSeconds: number; // steadyAtEnd compares the last two windows of this many seconds
  tolerancePct: number;
}

export const DEFAULT_STEADY_WARMUP: SteadyWarmup = { until: 'steady', maxSeconds: 60, windowSeconds: 5, tolerancePct: 10 };

/** How a test's warm-up went: its length, and false when it reached the cap before the series was steady. */
export interface WarmupOutcome {
  seconds: number;
  steady: boolean;
}

/** The longest a test's warm-up may last: the cap of a steady rule, else the fixed seconds. */
export function worstCaseWarmupSeconds(req: { warmupSeconds: number; warmup?: SteadyWarmup }): number {
  return req.warmup ? Math.max(req.warmupSeconds, req.warmup.maxSeconds) : req.warmupSeconds;
}

/**
 * Has a steady warm-up ended after the points so far (one per interval of `intervalSeconds`)?
 * 'steady' once both series are steady (not before `minSeconds`), 'capped' at the cap, else null.
 */
export function warmupOver(
  rps: readonly number[],
  p95Ms: readonly number[],
  elapsedSeconds: number,
  rule: SteadyWarmup & { minSeconds?: number; intervalSeconds?: number },
): 'steady' | 'capped' | null {
  const perPoint = rule.intervalSeconds ?? 1;
  const opts = { windowSeconds: Math.max(1, Math.round(rule.windowSeconds / perPoint)), tolerancePct: rule.tolerancePct };
  if (elapsedSeconds >= (rule.minSeconds ?? 0) && steadyAtEnd(rps, opts) && steadyAtEnd(p95Ms, opts)) return 'steady';
  return elapsedSeconds >= rule.maxSeconds ? 'capped' : null;
}

/** "warming up until steady (at most 60 s)" / "after 2 s warm-up" for summaries and the progress line. */
export function describeWarmup(req: { warmupSeconds: number; warmup?: SteadyWarmup }): string {
  if (req.warmup) return `after a warm-up until steady (at most ${worstCaseWarmupSeconds(req)} s)`;
  return req.warmupSeconds ? `after ${req.warmupSeconds} s warm-up` : '';
}
