// The per-endpoint attribution in the output contract: baseline_metrics.endpoint_attribution and
// validation_results.improvement_summary.endpoints (before/after). Both optional: runs recorded
// before the attribution existed, or with it disabled, have neither.
import type { OutputContract } from './output-contract';
import { pairAttributions, type AttributionResult, type EndpointAttribution } from './endpoint-attribution';

type Attribution = NonNullable<OutputContract['baseline_metrics']['endpoint_attribution']>;
export type EndpointMetrics = Attribution['endpoints'][number];

export function endpointMetrics(e: EndpointAttribution): EndpointMetrics {
  return {
    endpoint: e.endpoint,
    requests: e.requests,
    errors: e.errors,
    p50_ms: e.latencyMs.p50,
    p95_ms: e.latencyMs.p95,
    p99_ms: e.latencyMs.p99,
    statements_per_request: e.statementsPerRequest,
    db_ms_per_request: e.dbMsPerRequest,
    rows_per_request: e.rowsPerRequest,
    top_statements: e.topStatements.map((s) => ({
      queryid: s.queryid,
      query: s.query,
      calls_per_request: s.callsPerRequest,
      ms_per_request: s.msPerRequest,
      rows_per_request: s.rowsPerRequest,
    })),
    exact: e.exact,
    flags: e.flags,
  };
}

export function attributionMethod(a: Pick<AttributionResult, 'requestsPerEndpoint'>): string {
  return (
    `each endpoint alone, ${a.requestsPerEndpoint} requests one at a time, between pg_stat_statements snapshots ` +
    `of its own (the target's database, the tool's statements excluded)`
  );
}

export function endpointAttribution(a: AttributionResult): Attribution {
  const bg = a.background;
  return {
    method: attributionMethod(a),
    requests_per_endpoint: a.requestsPerEndpoint,
    background_statements_per_s: bg && bg.seconds > 0 ? Math.round((bg.calls / bg.seconds) * 10) / 10 : null,
    problems: a.problems,
    artifact_id: a.artifactId,
    endpoints: a.endpoints.map(endpointMetrics),
  };
}

export function endpointsBeforeAfter(before: AttributionResult | null | undefined, after: AttributionResult | null | undefined) {
  return pairAttributions(before, after).map((p) => ({
    endpoint: p.endpoint,
    before: p.before ? endpointMetrics(p.before) : null,
    after: p.after ? endpointMetrics(p.after) : null,
  }));
}
