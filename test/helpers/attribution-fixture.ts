// Per-endpoint attribution passes for unit tests: one endpoint row and a whole pass.
import type { AttributionResult, EndpointAttribution } from '../../common/endpoint-attribution';

/** An endpoint row: 30 requests, no errors, 1 DB ms and 1 row per request, exact. */
export function endpointRow(endpoint: string, over: Partial<EndpointAttribution> = {}): EndpointAttribution {
  return {
    endpoint,
    requests: 30,
    errors: 0,
    latencyMs: { p50: 1, p95: 2, p99: 3, mean: 1 },
    statementsPerRequest: 2,
    dbMsPerRequest: 1,
    rowsPerRequest: 1,
    topStatements: [],
    halves: null,
    exact: true,
    flags: [],
    ...over,
  };
}

export function attributionPass(phase: AttributionResult['phase'], endpoints: EndpointAttribution[]): AttributionResult {
  return { phase, requestsPerEndpoint: 30, concurrency: 1, background: null, endpoints, problems: [], artifactId: null };
}
