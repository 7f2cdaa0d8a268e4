// The per-endpoint attribution pass as the workflows call it: guarded for histories recorded
// before it, skipped when the profile disables it, and never the reason a run fails.
import { isCancellation, patched, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { ATTRIBUTION_DEFAULTS, type AttributionResult } from '../common/endpoint-attribution';
import type { TargetProfile } from '../common/profile';

export const ATTRIBUTION_PATCH = 'endpoint-attribution';

export async function attributeEndpoints(
  runId: string,
  target: TargetProfile,
  phase: AttributionResult['phase'],
): Promise<AttributionResult | null> {
  if (!patched(ATTRIBUTION_PATCH)) return null;
  const a = target.load.attribution;
  if (a?.enabled === false) return null;
  const requests = a?.requests ?? ATTRIBUTION_DEFAULTS.requests;
  const seconds = a?.maxSecondsPerEndpoint ?? ATTRIBUTION_DEFAULTS.maxSecondsPerEndpoint;
  const n = target.http.endpoints.length;
  const act = proxyActivities<Activities>({
    startToCloseTimeout: `${Math.ceil(n * (seconds + 5) + 60)} seconds`,
    heartbeatTimeout: '30 seconds',
    retry: { maximumAttempts: 2, initialInterval: '2 seconds' },
    summary: `per-endpoint attribution (${phase}): ${n} endpoints alone, ${requests} requests each, one at a time, own pg_stat_statements diff`,
  });
  try {
    return await act.attributeEndpoints({ runId, target, phase });
  } catch (err) {
    if (isCancellation(err)) throw err;
    // Side evidence: the run goes on without it, and says why.
    return {
      phase,
      requestsPerEndpoint: 0,
      concurrency: 1,
      background: null,
      endpoints: [],
      problems: [`not measured: ${(err as Error).message}`],
      artifactId: null,
    };
  }
}
