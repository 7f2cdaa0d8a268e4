// What the database analyzer looks at (its evidence, stored whole with the run) and what it finds:
// missing_index (with a CREATE INDEX CONCURRENTLY action), n_plus_one, the health checks' root causes
// (unused_index and duplicate_index with an approvable drop, invalid_index, bloat, stale_statistics,
// connection_pressure, long_running_query, lock_contention, wraparound_risk, sequence_exhaustion,
// low_cache_hit_ratio, seq_scan_large_table), partitioning (architectural), missing_extension and
// query_rewrite (a manual item: the statement, its rewrite, measured and proven on the real data).
import type { StatementDelta } from '../../postgres/statistics';
import type { AdvisorResult } from './advisor';
import type { ActualFigures } from './explain-analyze';
import type { ExtensionState } from '../../postgres/extensions';
import type { HealthSnapshot, HealthWindow } from './health';
import type { QualStat } from './qualstats';
import type { SamplePlan } from './sample-queries';
import type { RewriteEvidence } from './rewrites';
import type { EndpointStatements } from './orm-n-plus-one/detect';

export const SOURCE = 'database-optimization-analyzer';

/** Everything the findings rest on; JSON-safe, so the stored evidence reproduces the findings. */
export interface DatabaseEvidence {
  /** Requests of the load window (warm-up included), the denominator of per-request figures. */
  windowRequests: number;
  /** The window's statements after the profile's filters, heaviest first. */
  statements: StatementDelta[];
  /** The index advisor's proposals and figures; null when it failed (a note says why). */
  advisor: AdvisorResult | null;
  /** pg_qualstats' predicates of the statements, when the extension is usable. */
  qualstats: QualStat[];
  /** Custom plans of the profile's sample queries, by queryid. */
  samplePlans: Record<string, SamplePlan>;
  /** EXPLAIN ANALYZE figures (opt-in), by queryid. */
  actual: Record<string, ActualFigures>;
  /** The catalog's health snapshot and the window's activity; null when health checks are off or failed. */
  health: { snapshot: HealthSnapshot; window: HealthWindow | null } | null;
  /** Query rewrites with their measurements (opt-in); absent in evidence stored before they existed. */
  rewrites?: RewriteEvidence[];
  /** Extensions that would deepen the analysis, with the preload list they need; null when not reported. */
  extensions: { states: ExtensionState[]; preload: string[]; database: string } | null;
  /** Each endpoint's statements measured alone (the attribution pass); null or absent: N+1 over the mix. */
  endpoints?: EndpointStatements[] | null;
}
