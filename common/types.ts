// Data that crosses the activity/workflow boundary. Everything here is small and JSON-safe:
// large data (histograms, snapshots, plans' evidence) stays in the store and is referenced by id.
import type { Layer, TargetProfile } from './profile';

export type Tier = 'T1' | 'T2' | 'T3' | 'T4';
export type LoadPhase = 'baseline' | 'after' | 'peak' | 'stress' | 'soak';

export interface LatencySummary {
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

export interface EndpointSummary {
  name: string;
  requests: number;
  errors: number;
  latencyMs: LatencySummary;
}

export interface LoadTestRequest {
  runId: string;
  phase: LoadPhase;
  target: TargetProfile;
  concurrency: number;
  durationSeconds: number;
  warmupSeconds: number;
}

export interface LoadTestSummary {
  id: string; // store id of the full result (histograms)
  phase: LoadPhase;
  concurrency: number;
  durationSeconds: number;
  requests: number;
  errors: number;
  errorRatePct: number;
  throughputRps: number;
  latencyMs: LatencySummary;
  endpoints: EndpointSummary[];
  errorKinds: Record<string, number>; // e.g. timeout, connect_refused, http_5xx
  // Requests sent during warm-up: database and cache counters see them too, so per-request figures
  // over the whole window divide by requests + warmupRequests.
  warmupRequests: number;
}

/** Metrics of the target's process and host over a window. */
export interface ProcessProfile {
  pid: number | null; // null when the target does not run on this host
  cpuPctAvg: number | null; // of one core
  cpuPctMax: number | null;
  rssMbMax: number | null;
  hostCpuPctAvg: number;
  hostMemUsedPct: number;
  loadAvg1: number;
  samples: number;
}

export interface NetworkProfile {
  connectMsAvg: number;
  ttfbMsAvg: number;
  samples: number;
}

export interface StatementStat {
  queryid: string;
  query: string; // normalized text, $1 parameters
  calls: number;
  totalMs: number;
  meanMs: number;
  rows: number;
  callsPerRequest: number;
}

export interface DatabaseProfile {
  available: boolean;
  problems: string[]; // e.g. "pg_stat_statements is not loaded: ..." with the fix
  extensions: { pgStatStatements: boolean; hypopg: boolean };
  windowRequests: number;
  dbTimeMs: number; // total execution time of the window's statements
  dbShareOfLatencyPct: number; // dbTimeMs / summed request latency
  topStatements: StatementStat[]; // by total time, at most 10
}

export interface CacheProfile {
  available: boolean;
  problems: string[];
  hits: number; // in the window
  misses: number;
  hitRatioPct: number | null; // null when there were no lookups
  evictions: number;
  usedMemoryMb: number;
  maxMemoryMb: number | null;
  maxMemoryPolicy: string;
  slowlog: { id: number; durationUs: number; command: string }[];
  opsPerSec: number;
}

export type ActionSpec =
  | {
      type: 'create_index';
      schema: string;
      table: string;
      columns: { name: string; desc?: boolean }[];
      indexName: string;
    }
  | { type: 'feature_toggle'; toggle: string; value: boolean | number | string }
  | { type: 'manual'; steps: string[] };

export type RootCause =
  | 'missing_index'
  | 'n_plus_one'
  | 'uncached_endpoint'
  | 'cold_cache'
  | 'hot_function'
  | 'cpu_saturation'
  | 'network_latency'
  | 'capacity';

/** A problem found by profiling or a skill, before it becomes a plan item. */
export interface Finding {
  id: string; // stable, e.g. idx-public-products-category_id-created_at
  layer: Layer;
  rootCause: RootCause;
  title: string;
  evidence: string[];
  estimatedLatencyReductionMs: number; // per request, averaged over all traffic
  effortDays: number;
  risk: 'low' | 'medium' | 'high';
  action: ActionSpec;
  rollback: string; // how it is undone, in words
  source: string; // which skill/check found it
}

export interface Bottleneck {
  layer: Layer;
  description: string;
  impactScore: number;
  evidence: string[];
}

export interface PlanItem extends Finding {
  impactScore: number;
  estimatedGainPct: number; // of baseline mean latency
  automatic: boolean; // false for manual steps: never applied by the tool
}

export interface Plan {
  tier: Tier;
  focus: Layer[];
  items: PlanItem[];
}

export interface AppliedChange {
  itemId: string;
  action: ActionSpec;
  appliedAt: string;
  // What rollback needs, e.g. the toggle's previous value or the index's qualified name.
  undo:
    | { type: 'drop_index'; schema: string; indexName: string }
    | { type: 'set_toggle'; toggle: string; value: unknown }
    | { type: 'none'; why: string };
  details: string;
}

export interface RolledBackChange {
  itemId: string;
  reason: string;
  ok: boolean;
  details: string;
}

export interface PrecheckResult {
  http: { ok: boolean; status?: number; latencyMs?: number };
  database: { ok: boolean; version?: string; pgStatStatements: boolean; hypopg: boolean; problems: string[] } | null;
  redis: { ok: boolean; version?: string } | null;
  timestamp: string; // America/New_York, ISO-8601 with offset
}
