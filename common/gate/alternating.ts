// The check's alternating design: the baseline deployment and the candidate take turns in short
// slices within one measured window (activities/loadtest/turns.ts), and each side's p95 is read per
// second; second by second the two sides saw the same host. This file: the activity's request and
// result, and the pairing of the seconds for the ratio (pure).
//
// Why: on this project's shared 2-core host the p95 of a 1.5 s block moved by 10-15% (log sd) from
// one block to the next with nothing changed, so 7 pairs of blocks gave a 95% interval of about +-7%
// to +-14%; two shops taking turns every 50 ms gave per-second ratios spread by 9-13% and a 13 s
// window an interval of a median +-5% to +-8% (README, The gate, measured).
import type { LoadTestRequest, LoadTestSummary } from '../types';
import type { InterleavedBlock } from './check-verdict';

export const DEFAULT_SLICE_MS = 50;
// The sides are paired second by second, so every second must hold turns of both: field test 5 ran
// 2 s turns on a slow app, and whole turns were paired with slivers (an A/A read 0.59-0.91).
export const MAX_SLICE_MS = 250;

export interface AlternatingLoadTestRequest extends LoadTestRequest {
  baselineUrl: string; // the live baseline deployment (its host allowed like the target's)
  sliceMs: number; // each side's turn
  seed: number; // the random order of each pair of turns
}

/** One measured second of one side: its responses, their p95, and per endpoint. */
export interface IntervalFigures {
  requests: number;
  p95Ms: number;
  endpoints: { name: string; requests: number; p95Ms: number }[];
}

export interface AlternatingLoadTestResult {
  baseline: LoadTestSummary;
  candidate: LoadTestSummary;
  intervals: { baseline: IntervalFigures[]; candidate: IntervalFigures[] };
  sliceMs: number;
  // The share of the run each side had its turn (about a half each).
  turnShare: { baseline: number; candidate: number };
}

/** A second as a block for the pairwise ratio: a closed-model side that answered nothing in it was stalled the whole second. */
function asBlock(f: IntervalFigures, seconds: number): InterleavedBlock {
  return {
    requests: f.requests,
    latencyMs: { p95: f.p95Ms },
    durationSeconds: seconds,
    unfinished: f.requests === 0 ? 1 : 0,
    model: 'closed',
    endpoints: f.endpoints.map((e) => ({ name: e.name, requests: e.requests, latencyMs: { p95: e.p95Ms } })),
  };
}

/** The seconds both sides measured, paired in time order (the shorter series decides). */
export function alternatingPairs(
  run: Pick<AlternatingLoadTestResult, 'intervals'>,
): { baseline: InterleavedBlock; candidate: InterleavedBlock }[] {
  const { baseline, candidate } = run.intervals;
  const n = Math.min(baseline.length, candidate.length);
  return Array.from({ length: n }, (_, i) => ({ baseline: asBlock(baseline[i], 1), candidate: asBlock(candidate[i], 1) }));
}
