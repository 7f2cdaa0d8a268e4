// The alternating load test (common/gate/alternating.ts says why): two engines, one on the baseline
// deployment and one on the candidate, taking turns every sliceMs in a random order per pair of
// turns (turns.ts: takeTurns); each records its seconds' p95 per endpoint too. Both are set up
// first (log in), then start together, so that their seconds line up.
import type { AlternatingLoadTestRequest, AlternatingLoadTestResult, IntervalFigures } from '../../common/gate/alternating';
import { mulberry32 } from '../../common/seeded-random';
import type { LoadTestRequest, LoadTestSummary } from '../../common/types';
import type { ActivityDeps } from '../deps';
import { runOneLoadTest } from './activity';
import type { LoadProgress } from './load';
import { takeTurns, type Side } from './turns';

/** The measured seconds of one side (the warm-up's left out). */
export function intervalFigures(progress: readonly LoadProgress[], endpointNames: readonly string[]): IntervalFigures[] {
  return progress
    .filter((p) => !p.warmup)
    .map((p) => ({
      requests: p.intervalRequests,
      p95Ms: p.p95Ms,
      endpoints: endpointNames.map((name, i) => ({ name, requests: p.endpoints?.[i]?.requests ?? 0, p95Ms: p.endpoints?.[i]?.p95Ms ?? 0 })),
    }));
}

export async function runAlternatingLoadTest(deps: ActivityDeps, req: AlternatingLoadTestRequest): Promise<AlternatingLoadTestResult> {
  const { baselineUrl, sliceMs, seed, ...plain } = req;
  const sides: Record<Side, LoadTestRequest> = {
    baseline: { ...plain, warmup: undefined, target: { ...req.target, http: { ...req.target.http, baseUrl: baselineUrl } } },
    candidate: { ...plain, warmup: undefined },
  };
  const runs = await takeTurns(sliceMs, mulberry32(seed), (side, hooks) =>
    runOneLoadTest(deps, sides[side], { ...hooks, endpointIntervals: true, tag: { side } }),
  );
  const names = req.target.http.endpoints.map((e) => e.name);
  // Each side sent only in its turns: its throughput while it had them.
  const onTurn = (side: Side): LoadTestSummary => {
    const s = runs[side].summary;
    return { ...s, throughputRps: Math.round((s.throughputRps / runs.share[side]) * 10) / 10 };
  };
  return {
    baseline: onTurn('baseline'),
    candidate: onTurn('candidate'),
    intervals: {
      baseline: intervalFigures(runs.baseline.result.progress, names),
      candidate: intervalFigures(runs.candidate.result.progress, names),
    },
    sliceMs,
    turnShare: runs.share,
  };
}

export function createAlternatingLoadTestActivities(deps: ActivityDeps) {
  return {
    runAlternatingLoadTest: (req: AlternatingLoadTestRequest): Promise<AlternatingLoadTestResult> => runAlternatingLoadTest(deps, req),
  };
}
