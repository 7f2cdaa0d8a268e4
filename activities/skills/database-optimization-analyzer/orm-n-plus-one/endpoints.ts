// The N+1 detector's input from the per-endpoint attribution: every statement of each endpoint's pass,
// with full text, from the stored artifact (the result in the workflow history keeps only the top 5, cut).
import type { Pool } from 'pg';
import type { AttributionResult, EndpointAttribution, StatementDeltaLike } from '../../../../common/endpoint-attribution';
import { loadArtifact } from '../../../store/artifacts';
import type { EndpointStatements } from './detect';

/** What this reads of the stored attribution artifact (activities/profiling/endpoint-attribution.ts writes it). */
export interface AttributionStatements {
  result: { endpoints: EndpointAttribution[] };
  statements: Record<string, StatementDeltaLike[]>;
}

/** The endpoints measured with database figures, from an attribution artifact. */
export function endpointStatementsOf(artifact: AttributionStatements): EndpointStatements[] {
  return artifact.result.endpoints
    .filter((e) => e.statementsPerRequest !== null && e.requests > 0)
    .map((e) => ({
      endpoint: e.endpoint,
      requests: e.requests,
      dbMsPerRequest: e.dbMsPerRequest,
      wallMsPerRequest: e.latencyMs.mean,
      flags: e.flags,
      statements: (artifact.statements[e.endpoint] ?? []).map((s) => ({
        queryid: s.queryid,
        query: s.query,
        calls: s.calls,
        totalMs: s.totalMs,
        rows: s.rows,
      })),
    }));
}

/** Each endpoint's statements, or null (with a note) when there is no attribution to read. */
export async function loadEndpointStatements(
  store: Pool | undefined,
  attribution: AttributionResult | null | undefined,
  notes: string[],
): Promise<EndpointStatements[] | null> {
  const why = 'N+1 calls per request are averaged over the whole mix';
  if (!attribution) {
    notes.push(`${why}: per-endpoint attribution is off (load.attribution)`);
    return null;
  }
  if (!attribution.artifactId || !store) {
    notes.push(
      `${why}: the per-endpoint attribution has no stored statements${attribution.problems.length ? ` (${attribution.problems[0]})` : ''}`,
    );
    return null;
  }
  try {
    const endpoints = endpointStatementsOf(await loadArtifact<AttributionStatements>(store, attribution.artifactId));
    if (endpoints.length === 0) notes.push(`${why}: no endpoint of the attribution has database figures`);
    return endpoints.length ? endpoints : null;
  } catch (err) {
    notes.push(`${why}: the attribution's statements (${attribution.artifactId}) could not be loaded (${(err as Error).message})`);
    return null;
  }
}
