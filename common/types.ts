// Data that crosses the activity/workflow boundary. Everything here is small and JSON-safe:
// large data (histograms, snapshots, plans' evidence) stays in the store and is referenced by id.
import type { HostReading } from './verdict';
import type { Layer, TargetProfile } from './profile';
import type { LoadWindow, SampleWindow } from './load-window';
import type { SteadyWarmup, WarmupOutcome } from './warmup';
import type { IndexKeySpec, IndexMethod } from './index-keys';

export type Tier = 'T1' | 'T2' | 'T3' | 'T4';
// ab: a block of the per-item A/B validation (common/ab-validation.ts).
export type LoadPhase = 'baseline' | 'after' | 'peak' | 'stress' | 'soak' | 'ab' | 'stage' | 'check';

export interface LatencySummary {
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  p999?: number; // p99.9 (absent in summaries recorded before it existed)
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
  concurrency: number; // closed model: virtual users (ignored by the open model)
  durationSeconds: number;
  warmupSeconds: number; // the fixed warm-up; with `warmup`, the least one
  warmup?: SteadyWarmup; // warm up until steady, at most warmup.maxSeconds (absent: warmupSeconds only)
  // Optional; absent fields fall back to the profile's load section (closed model when it names none).
  model?: 'closed' | 'open';
  rateRps?: number; // open model: arrivals per second (the final rate of a ramp)
  rampFromRps?: number; // open model: ramp linearly from this rate over the measured window
  maxConnections?: number; // open model: connection limit (arrivals finding all busy are dropped)
  thinkTimeMs?: number; // closed model: pause between a response and the user's next request
  maxRequests?: number; // hard cap on requests sent (default 10 million)
}

/** The figures of one load test's measured window (the engine's result and the stored summary). */
export interface LoadFigures {
  requests: number;
  errors: number;
  errorRatePct: number;
  throughputRps: number;
  latencyMs: LatencySummary;
  endpoints: EndpointSummary[];
  errorKinds: Record<string, number>; // e.g. timeout, connect_refused, http_5xx
}

export interface LoadTestSummary extends LoadFigures {
  id: string; // store id of the full result (histograms)
  phase: LoadPhase;
  concurrency: number;
  durationSeconds: number;
  // Requests sent during warm-up: database and cache counters see them too, so per-request figures
  // over the whole window divide by requests + warmupRequests.
  warmupRequests: number;
  // Added with the open model; absent in summaries recorded before.
  model?: 'closed' | 'open';
  rateRps?: number | null; // open: planned rate (final rate of a ramp); closed: null
  offeredRps?: number; // open: planned arrivals per second over the measured window
  dropped?: number; // open: arrivals that found every connection busy (not in requests)
  unfinished?: number; // requests still unanswered when the test ended (not counted)
  bytesIn?: number;
  bytesOut?: number;
  // p95 of the first vs the last third of the per-second series (medians of per-second p95)
  p95Drift?: { firstMs: number; lastMs: number; changePct: number; points: number } | null;
  // The test stopped early because the run's request budget (PERF_MAX_RUN_REQUESTS / limits.maxRunRequests) was spent.
  runBudgetSpent?: boolean;
  // A distributed test: the shards' own store ids (the summary's id is the merged result's).
  shards?: { count: number; ids: string[]; requests: number[] };
  // The wall-clock window the attempt measured (profiling pairs its samples with it); absent in summaries recorded before.
  window?: LoadWindow;
  // The measured seconds one by one (warm-up left out), for the before/after intervals; absent in summaries recorded before.
  perSecond?: { rps: number[]; p95Ms: number[] };
  // What the host was doing in the measured window (saturation flags); null where it could not be read.
  host?: HostReading | null;
  // How long the warm-up lasted and whether the series was steady by then (false: it reached its cap).
  warmup?: WarmupOutcome;
  // The baseline was measured twice because the first one drifted; this one replaces it.
  remeasured?: { firstId: string; firstThroughputRps: number; firstDrift: { changePct: number; firstMean: number; lastMean: number } };
}

/** Metrics of the target's process and host over a window. */
export interface ProcessProfile {
  pid: number | null; // null when the target does not run on this host; a pre-fork server's master
  pids?: number[]; // when several processes serve (master and workers): all of them, summed in the figures below
  cpuPctAvg: number | null; // of one core
  cpuPctMax: number | null;
  rssMbMax: number | null;
  openFdsMax: number | null; // entries of /proc/PID/fd, highest seen
  hostCpuPctAvg: number;
  hostMemUsedPct: number;
  loadAvg1: number;
  hostIo: HostIoRates | null; // null where /proc/diskstats and /proc/net/dev cannot be read
  samples: number;
  // Per-sample series (seconds since the start of sampling), for the soak's leak slope; optional.
  series?: { tSec: number; rssMb: number | null; cpuPct: number | null }[];
  window?: SampleWindow; // what the samples cover (wall clock); absent in profiles recorded before
  notMeasured?: string; // a retry after the load window: nothing sampled, and why
}

/** Host disk and network throughput over a window, bytes per second. */
export interface HostIoRates {
  diskReadBytesPerSec: number; // whole disks (not partitions, loop, ram or device-mapper devices)
  diskWriteBytesPerSec: number;
  netRxBytesPerSec: number; // every interface but loopback
  netTxBytesPerSec: number;
  loopbackBytesPerSec: number; // lo, received (= sent): local traffic such as a load test on 127.0.0.1
}

/** HTTP timing of one endpoint over fresh connections, averaged over its successful probes. */
export interface EndpointTiming {
  name: string;
  method: string;
  samples: number; // successful probes
  errors: number; // probes that failed (no response)
  status: number | null; // status of the last answer
  connectMsAvg: number; // TCP (and TLS) connect
  ttfbMsAvg: number; // request start to response headers (includes connect)
  transferMsAvg: number; // response headers to the last body byte
  totalMsAvg: number;
  error?: string; // the first failure, when there was one
}

export interface NetworkProfile {
  connectMsAvg: number; // over all successful probes of all endpoints
  ttfbMsAvg: number;
  samples: number;
  endpoints: EndpointTiming[];
}

/**
 * One function of a CPU profile. Shares are of the profile window on the target's main JS thread,
 * idle included: 100% = the thread was never idle. Close to "% of one core", except that time the
 * thread spends blocked in a native call (or waiting for a core on a saturated host) counts too.
 */
export interface HotFunction {
  functionName: string; // "(anonymous)" for unnamed functions; "(garbage collector)" for GC
  url: string; // script URL ("" for native/internal frames)
  lineNumber: number; // 1-based
  selfPct: number; // samples where the function is on top of the stack
  totalPct: number; // samples where it is anywhere on the stack (counted once per stack)
  hot: boolean; // selfPct above the summary's thresholdPct; never true for native code (calledFrom)
  // Native code (a C/C++ function such as writev): its self time is also counted in the self time of
  // this caller, the nearest JavaScript or Python function on its stacks (the one that got most of it).
  calledFrom?: string; // "name file:line"
}

/** Event-loop delay of a Node.js target over the profile window (perf_hooks.monitorEventLoopDelay). */
export interface EventLoopDelay {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
}

/**
 * Summary of a CPU profile taken through a Node.js target's inspector or with py-spy (a Python
 * target); the profile itself is in the store and a file.
 */
export interface CpuProfileSummary {
  profiler?: 'inspector' | 'py-spy'; // absent: the inspector (summaries recorded before py-spy)
  inspectorUrl?: string; // the inspector's
  pid: number | null; // the profiled process (py-spy: the master, the root of the tree profiled)
  pids?: number[]; // py-spy: the processes that were sampled busy (the workers of a pre-fork server)
  runtime: string | null; // e.g. "node v20.20.2", "python3.11"
  artifactId: string | null; // store id of the .cpuprofile JSON (kind 'cpuprofile') or speedscope JSON (kind 'speedscope')
  file: string | null; // the .cpuprofile / .speedscope.json on the worker's disk (Chrome DevTools, speedscope)
  durationMs: number;
  samples: number;
  samplingIntervalUs: number;
  thresholdPct: number; // hot = selfPct above this
  busyPct: number; // inspector: 100 - idle, the main thread; py-spy: sampled time, % of one core summed over the processes
  gcPct: number;
  functions: HotFunction[]; // the top functions by self time (at most ~15)
  eventLoopDelayMs: EventLoopDelay | null;
  problems: string[]; // what could not be measured and why (e.g. the inspector did not answer)
  window?: SampleWindow; // what the profile covers (wall clock); absent in summaries recorded before
  notMeasured?: string; // a retry after the load window: nothing profiled, and why
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

/** An extension a run created (CREATE EXTENSION) in the target's database; it stays after the run. */
export interface CreatedExtension {
  name: string;
  database: string;
  schema: string;
}

export interface DatabaseProfile {
  available: boolean;
  problems: string[]; // e.g. "pg_stat_statements is not loaded: ..." with the fix
  extensions: { pgStatStatements: boolean; hypopg: boolean; pgQualstats?: boolean };
  windowRequests: number;
  dbTimeMs: number; // total execution time of the window's statements
  dbShareOfLatencyPct: number; // dbTimeMs / summed request latency
  topStatements: StatementStat[]; // by total time, at most 10
  /** Extensions this run created in the target's database (absent in profiles recorded before). */
  createdExtensions?: CreatedExtension[];
  // Store id of the window's full figures (every statement, table counters, pg_stat_activity samples)
  // for the database-optimization-analyzer; absent in profiles recorded before it existed.
  windowArtifactId?: string | null;
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
      columns: IndexKeySpec[];
      /** The access method; absent: btree. */
      method?: IndexMethod;
      indexName: string;
      // Non-key columns (CREATE INDEX ... INCLUDE), for index-only scans.
      include?: string[];
      // Normalized statements ($1 parameters) whose generic plan should use the index once it is built.
      verifyQueries?: string[];
    }
  | {
      // An unused or duplicate index. Never part of the default approval: it is applied only when its
      // item id is approved explicitly (defaultApprovalIds in common/plan.ts).
      type: 'drop_index';
      schema: string;
      table: string;
      indexName: string;
      // pg_get_indexdef at analysis time, for the plan; the rollback re-creates the definition read just before the drop.
      definition: string;
    }
  | { type: 'feature_toggle'; toggle: string; value: boolean | number | string }
  | {
      // The observability skill's SLO alert rules: written into observability.rulesDir as fileName, Prometheus
      // reloaded and its rules checked healthy. The file's text is a store artifact (artifactId), checked by promtool.
      type: 'install_alert_rules';
      fileName: string;
      artifactId: string;
      slos: string[];
      rules: number;
    }
  | { type: 'manual'; steps: string[] };

export type RootCause =
  | 'missing_index'
  | 'n_plus_one'
  | 'uncached_endpoint'
  | 'cold_cache'
  | 'hot_function'
  | 'cpu_saturation'
  | 'network_latency'
  | 'capacity'
  // database health checks (database-optimization-analyzer)
  | 'unused_index'
  | 'duplicate_index'
  | 'invalid_index'
  | 'bloat'
  | 'stale_statistics'
  | 'connection_pressure'
  | 'long_running_query'
  | 'lock_contention'
  | 'wraparound_risk'
  | 'sequence_exhaustion'
  | 'low_cache_hit_ratio'
  // observability-stack-configurator: the target is not (fully) monitored
  | 'monitoring_gap'
  | 'seq_scan_large_table'
  | 'missing_extension'
  // a very large table read whole: partition it (architectural)
  | 'partitioning'
  // a statement an index cannot serve, rewritten to the same result (a manual step in the application)
  | 'query_rewrite';

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
  // A change of the architecture (partitioning, sharding, ...), not a tuning step: the run's tier
  // becomes T4 (see tierWithArchitecture in common/decisions.ts).
  architectural?: boolean;
}

export interface Bottleneck {
  layer: Layer;
  description: string;
  impactScore: number; // latency_ms x requests_per_sec / 1 day (the seed's formula; unbounded)
  evidence: string[];
  // The specification's inventory fields (absent in bottlenecks recorded before them).
  component?: string; // the endpoint, statement, function or resource
  metric?: 'latency' | 'cpu' | 'memory' | 'iops' | 'hit_ratio';
  currentValue?: string;
  targetValue?: string | null;
}

export interface PlanItem extends Finding {
  impactScore: number;
  estimatedGainPct: number; // of baseline mean latency
  automatic: boolean; // false for manual steps: never applied by the tool
  // The spec's priority (common/rules/priority.ts) and the item's share of the total request time it
  // addresses (0-100, comparable across runs); absent in plans recorded before them.
  priority?: 'high' | 'medium' | 'low';
  impactSharePct?: number;
}

export interface Plan {
  tier: Tier;
  focus: Layer[];
  items: PlanItem[];
  // What the skills could not analyze and why, what would deepen the analysis (absent in plans recorded before).
  notes?: string[];
}

export interface AppliedChange {
  itemId: string;
  action: ActionSpec;
  appliedAt: string;
  // What rollback needs, e.g. the toggle's previous value or the index's qualified name.
  undo:
    | { type: 'drop_index'; schema: string; indexName: string }
    | { type: 'recreate_index'; schema: string; table: string; indexName: string; definition: string }
    | { type: 'set_toggle'; toggle: string; value: unknown }
    // The rule file the run wrote, and the text it replaced (null: there was none) to put back.
    // installedSha256: of the file the run wrote (absent in changes recorded before it was kept); the undo leaves a file that differs.
    | { type: 'remove_alert_rules'; path: string; previous: string | null; installedSha256?: string }
    | { type: 'none'; why: string };
  details: string;
}

export interface RolledBackChange {
  itemId: string;
  reason: string;
  ok: boolean;
  details: string;
  // The undo changed nothing, and why: already undone (a toggle already back at its previous value,
  // an index already gone), or the state is no longer the run's (a toggle someone set to another value,
  // an index of that name with another definition) and was left as it is. Not a failure. Absent in
  // records written before these checks existed.
  skipped?: string;
}

export interface PrecheckResult {
  http: { ok: boolean; status?: number; latencyMs?: number };
  database: { ok: boolean; version?: string; pgStatStatements: boolean; hypopg: boolean; problems: string[] } | null;
  redis: { ok: boolean; version?: string } | null;
  timestamp: string; // America/New_York, ISO-8601 with offset
}
