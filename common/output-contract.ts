// The output contract: the result of a run, field for field as the specification's "Output Contract"
// writes it (names, types, ranges), with extension fields beside them under names of their own. The
// JSON Schema of this schema is committed in docs/output-contract.schema.json (npm run schema:contract).
import { z } from 'zod';
import { LAYERS } from './profile';
import {
  BeforeAfterSchema,
  ComparisonRowSchema,
  CpuProfileRefSchema,
  EndpointAttributionSchema,
  EndpointBeforeAfterSchema,
  HostMetricsSchema,
  HotFunctionSchema,
  HttpTimingSchema,
  ItemMeasuredSchema,
  ProcessMetricsSchema,
  StressStepContractSchema,
} from './output-contract-parts';

export * from './output-contract-parts';
import { OptimizationSummarySchema } from './contract-roi';

const num = z.number();
const nullableNum = z.number().nullable();
const ms = z.number().min(0);
const percent = z.number().min(0).max(100);

/** The specification's four SLO metrics, in its names. */
const SloMetrics = {
  latency_p95_ms: ms,
  latency_p99_ms: ms,
  throughput_rps: z.number().min(0),
  error_rate_percent: percent,
};

// The specification's list is index|cache|code|infrastructure; the rest extend it.
export const OPTIMIZATION_TYPES = ['index', 'cache', 'code', 'infrastructure', 'config', 'edge', 'monitoring', 'container'] as const;
// The specification's list is completed|in-progress|planned; rolled_back and failed extend it (an undone
// change must not read as completed).
export const OPTIMIZATION_STATUSES = ['completed', 'in-progress', 'planned', 'rolled_back', 'failed'] as const;
// What became of the item in this run, in detail (the status is derived from it).
export const ITEM_STATES = ['applied', 'rolled_back', 'failed', 'skipped', 'not_approved', 'manual', 'rejected'] as const;
// The specification's list is latency|cpu|memory|iops; hit_ratio (a cache's) extends it.
export const BOTTLENECK_METRICS = ['latency', 'cpu', 'memory', 'iops', 'hit_ratio'] as const;
export const OUTCOMES = [
  'improved',
  'no_change',
  'regressed_rolled_back',
  'rolled_back_on_request',
  'rejected',
  'approval_timed_out',
  'nothing_to_apply',
  'apply_failed_rolled_back',
  'targets_already_met',
  'aborted_no_baseline',
  'plan_only_cost_above_value',
] as const;

const ext = (what: string) => `extension (not in the specification): ${what}`;

export const EXPORTER_METRICS = [
  'db_time_ms_per_second',
  'db_time_ms_per_request',
  'db_statements_per_second',
  'db_buffer_hit_ratio_pct',
  'db_connections_max',
  'cache_hit_ratio_pct',
  'cache_commands_per_second',
  'cache_clients_max',
  'cache_memory_mb',
] as const;

// The baseline as the service's own Prometheus recorded it, beside the load test (observability skill).
const ObservabilityBaselineSchema = z.object({
  prometheus_url: z.string(),
  job: z.string().nullable().describe('the scrape job whose address is the target; null when none is'),
  latency_histogram: z.string().nullable(),
  window_s: nullableNum.describe('the PromQL range read (the measured window, widened when it held too few scrapes)'),
  rates_compared: z.boolean().describe('false when the window held too few scrapes for a rate'),
  figures: z.array(
    z.object({
      metric: z.enum(['latency_p95_ms', 'latency_p99_ms', 'throughput_rps', 'error_rate_percent', 'process_cpu_pct', 'process_rss_mb']),
      load_test: nullableNum.describe("the load test's figure; for the process rows, the /proc profiler's (all the target's processes)"),
      prometheus: nullableNum,
    }),
  ),
  // The database's and the cache's exporters over the same window, beside what the profiler read of the same servers.
  exporters: z
    .object({
      postgres: z.string().nullable().describe('the postgres exporter read (job and instance); null: none watches the profile database'),
      redis: z.string().nullable().describe('the redis exporter read (job and instance); null: none watches the profile Redis'),
      figures: z.array(
        z.object({
          metric: z.enum(EXPORTER_METRICS),
          profiler: nullableNum.describe('pg_stat_statements / Redis INFO snapshots around the baseline; null: not read that way'),
          exporter: nullableNum,
        }),
      ),
    })
    .optional(),
});

const BaselineMetricsSchema = z.object({
  ...SloMetrics,
  load_test_id: z.string().describe(ext('store id of the baseline load test')),
  requests: num.describe(ext('requests in the measured window')),
  latency_p50_ms: ms.describe(ext('median latency')),
  db_share_of_latency_pct: nullableNum,
  cache_hit_ratio_pct: nullableNum,
  app_cpu_pct: nullableNum,
  network_connect_ms: nullableNum,
  tier: z.enum(['T1', 'T2', 'T3', 'T4']),
  focus: z.array(z.enum(LAYERS)),
  // The CPU profile's top functions (shares of the window on the main thread: 100% = never idle); [] without a profile.
  hot_functions: z.array(HotFunctionSchema),
  cpu_profile: CpuProfileRefSchema.nullable(),
  process: ProcessMetricsSchema.nullable(),
  host: HostMetricsSchema.nullable(),
  http_timing: z.array(HttpTimingSchema),
  // Samples that did not cover the baseline's load window (e.g. a sampler retried after its worker died): missing, and why.
  not_measured: z.array(z.object({ what: z.string(), reason: z.string() })).optional(),
  // Per endpoint, measured alone after the baseline load (absent in runs recorded before it, or disabled).
  endpoint_attribution: EndpointAttributionSchema.optional(),
  // The same window from the service's own Prometheus (absent: the profile names none, or runs before it).
  observability: ObservabilityBaselineSchema.optional(),
  // How the baseline was measured and whether it can be trusted (absent in runs recorded before it).
  measurement: z
    .object({
      warmup_s: nullableNum, // a steady warm-up's length; null for a fixed warm-up
      warmup_steady: z.boolean().nullable(),
      remeasured_first_drift_pct: nullableNum, // measured twice: the first attempt's drift
      confidence: z.enum(['ok', 'low']),
      confidence_reasons: z.array(z.string()),
    })
    .optional(),
});

export const BottleneckSchema = z.object({
  layer: z.enum(LAYERS).describe('application|database|caching|infrastructure; network extends the list (edge findings)'),
  component: z.string().describe('the specific service, endpoint, query, function or resource'),
  metric: z.enum(BOTTLENECK_METRICS).describe('latency|cpu|memory|iops; hit_ratio extends the list'),
  current_value: z.string(),
  target_value: z.string().nullable().describe(ext("the value the rule or target asks for (the specification's inventory)")),
  impact_score: percent.describe('0-100: the share of the total request time the bottleneck accounts for (the same scale across runs)'),
  impact_score_raw: z
    .number()
    .min(0)
    .describe(ext('latency_ms x requests_per_sec / effort_days (one day: effort is unknown before analysis)')),
  description: z.string().describe(ext('the finding in words')),
  evidence: z.array(z.string()).describe(ext('the figures behind it')),
});

export const OptimizationSchema = z.object({
  type: z.enum(OPTIMIZATION_TYPES).describe('index|cache|code|infrastructure; config, edge, monitoring and container extend the list'),
  description: z.string().describe('what is (or was) changed'),
  estimated_impact: z.string().regex(/%/, 'a percentage').describe('estimated improvement, e.g. "25.8% of mean latency"'),
  effort_days: z.number().min(0),
  status: z
    .enum(OPTIMIZATION_STATUSES)
    .describe('completed|in-progress|planned; rolled_back (applied, then undone) and failed (could not be applied) extend the list'),
  id: z.string().describe(ext('the plan item id (approve it by id)')),
  layer: z.enum(LAYERS),
  root_cause: z.string(),
  action: z.string().describe(ext('the exact change (SQL, toggle, or manual steps)')),
  state: z.enum(ITEM_STATES).describe(ext('what became of the item in this run; status is derived from it')),
  priority: z.enum(['high', 'medium', 'low']),
  impact_score: percent.describe(ext('0-100: the share of the total request time the item addresses')),
  impact_score_raw: z.number().min(0).describe(ext('latency_reduction_ms x requests_per_sec / effort_days')),
  estimated_gain_pct: num.describe(ext('estimated reduction of the mean latency, percent')),
  rollback: z.string(),
  evidence: z.array(z.string()),
  // Measured on its own during validation (absent when it was not applied, or in runs before the per-item validation).
  measured: ItemMeasuredSchema.optional(),
});

const ImprovementSummarySchema = z.object({
  // Positive = better; null when nothing was validated (no load test after a change).
  latency_p95_reduction_percent: nullableNum.describe('positive = lower; null when nothing was validated'),
  latency_p99_reduction_percent: nullableNum.describe('positive = lower; null when nothing was validated'),
  throughput_increase_percent: nullableNum.describe('positive = higher; null when nothing was validated'),
  error_rate_reduction_percent: nullableNum.describe('positive = fewer errors; null when nothing was validated'),
  outcome: z.enum(OUTCOMES).describe(ext("the run's outcome")),
  comparison: z.array(ComparisonRowSchema).describe(ext('before/after per target metric')),
  target_attainment: z
    .object({
      level: z.enum(['met', 'partial', 'missed']),
      missed: z.array(z.object({ metric: z.string(), achieved_pct: num })),
    })
    .nullable()
    .optional()
    .describe(ext('met / partial (every missed metric at >= 80% of the improvement it needed) / missed')),
  regression_analysis: z
    .array(z.string())
    .optional()
    .describe(ext('a rolled-back regression: what got worse, where, and what was in place')),
  peak: z.object({ concurrency: num, p95_ms: num, throughput_rps: num, error_rate_pct: num }).nullable(),
  // Highest stress rate still within the SLO (rate_rps: offered rate of that open-model step).
  stress_breaking_point: z
    .object({
      concurrency: num,
      throughput_rps: num,
      p99_ms: num,
      rate_rps: nullableNum.optional(),
      next_step_failure: z.string().nullable().optional(),
    })
    .nullable(),
  stress_steps: z
    .array(StressStepContractSchema)
    .optional()
    .describe(
      ext('every stress step in the order it ran: offered rate, achieved throughput, p99, failures, SLO met; absent without a stress test'),
    ),
  soak: z
    .object({
      duration_s: num,
      p95_ms: num,
      rss_mb_max: nullableNum,
      rss_slope_mb_per_min: nullableNum.optional(), // least squares, MB per minute
      leak_suspected: z.boolean().optional(),
      p95_drift_pct: nullableNum.optional(), // last third vs first third
      flags: z.array(z.string()).optional(),
      p95_series_ms: z
        .array(num)
        .optional()
        .describe(ext("the soak's per-second p95 over time, the worst second of each of at most 120 equal buckets")),
      series_interval_s: num.optional().describe(ext('seconds between two points of p95_series_ms')),
    })
    .nullable(),
  escalation_workflow_id: z.string().nullable(),
  // Per endpoint before (baseline) and after the changes, each measured alone; absent without attribution.
  endpoints: z.array(EndpointBeforeAfterSchema).optional(),
  // Throughput and p95 effects with 95% intervals, and how far the windows can be trusted (common/verdict).
  before_after: BeforeAfterSchema.optional(),
});

export const MonitoringRowSchema = z.object({
  metric: z.string(),
  threshold: z.string(),
  source: z.string(),
  status: z.enum(['recommended', 'configured']),
});

// "URL (accessed YYYY-MM-DD)": the date the reference was last checked (common/references.ts).
export const SOURCE_PATTERN = /^https?:\/\/\S+ \(accessed \d{4}-\d{2}-\d{2}\)$/;

export const OutputContractSchema = z
  .object({
    orchestration_timestamp: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?[+-]\d{2}:\d{2}$/, 'ISO-8601 with offset'),
    target_system: z.string().min(1).describe('system name or identifier (the target profile name)'),
    target_system_details: z
      .object({
        name: z.string(),
        base_url: z.string(),
        database: z.boolean(),
        cache: z.boolean(),
        workflow_id: z.string(),
        run_id: z.string(),
      })
      .describe(ext('where the target is and which run this is')),
    optimization_scope: z.array(z.enum(LAYERS)).describe('application|database|caching|infrastructure; network extends the list'),
    performance_targets: z.object(SloMetrics),
    baseline_metrics: BaselineMetricsSchema,
    bottlenecks_identified: z.array(BottleneckSchema),
    optimizations_implemented: z.array(OptimizationSchema),
    validation_results: z.object({
      load_testing_completed: z.boolean().describe('true when the load tests after the changes ran (validation)'),
      targets_met: z.boolean(),
      improvement_summary: ImprovementSummarySchema,
      load_tests_run: z
        .array(z.enum(['baseline', 'after', 'peak', 'stress', 'soak']))
        .describe(ext('which load tests ran, the baseline included')),
    }),
    monitoring_configured: z.boolean().describe('true only when the run configured monitoring; why not: next_steps'),
    monitoring_recommendations: z.array(MonitoringRowSchema).describe(ext('the alerts the run recommends')),
    // Files the observability skill made, in the store; the CLI writes them beside the report as <report>.<file_name>.
    monitoring_files: z
      .array(
        z.object({
          kind: z.enum(['alert-rules', 'grafana-dashboard', 'otel-collector-config']),
          artifact_id: z.string(),
          file_name: z.string(),
        }),
      )
      .optional()
      .describe(
        ext(
          'the alert rules, the Grafana dashboard and the OpenTelemetry Collector config made for the target (store artifacts, written beside the report)',
        ),
      ),
    // The alert rules the run installed, checked after its validation (absent: none installed).
    monitoring_rules: z
      .object({
        file: z.string(),
        slos: z.array(z.string()),
        healthy: z.boolean().describe('loaded by Prometheus, every rule evaluated without error'),
        health_note: z.string().nullable(),
        tests_ok: z.boolean().describe('promtool test rules passed on every measured case'),
        cases: z.array(z.object({ name: z.string(), ok: z.boolean(), firing: z.array(z.string()).nullable() })),
      })
      .optional()
      .describe(ext('the alert rules installed by the run and how they were proven')),
    regression_prevention: z.boolean().describe('true only when the run set up regression prevention; why not: next_steps'),
    regression_prevention_plan: z
      .object({
        regression_threshold_pct: num,
        baseline_load_test_id: z.string(),
        after_load_test_id: z.string().nullable(),
        checks: z.array(z.string()),
        in_place: z
          .object({
            pinned_baseline_id: z.string().nullable(),
            watch_schedule_id: z.string().nullable(),
            ci_file: z.string().nullable(),
          })
          .optional()
          .describe(ext('what the run left in place: a pinned baseline, a scheduled watch, a CI file; absent before it existed')),
      })
      .describe(ext('the regression checks the run recommends')),
    optimization_summary: OptimizationSummarySchema.optional().describe(
      'the cost-performance summary {total_improvement, cost, roi, targets_met}; absent in results recorded before it',
    ),
    next_steps: z.array(z.string()),
    sources_consulted: z
      .array(z.string().regex(SOURCE_PATTERN, 'a URL with its access date: "URL (accessed YYYY-MM-DD)"'))
      .describe('the documents the rules and actions relied on, as "URL (accessed YYYY-MM-DD)"'),
    data_sources: z.array(z.string()).describe(ext('what was measured and read (load tests, pg_stat_statements, ...)')),
  })
  .strict()
  .meta({
    title: 'perf-orchestrator output contract',
    description:
      "A run's result: the specification's Output Contract field for field, with extension fields (described as such) beside it.",
  });

export type OutputContract = z.infer<typeof OutputContractSchema>;
export type ComparisonRow = z.infer<typeof ComparisonRowSchema>;
export type OptimizationType = (typeof OPTIMIZATION_TYPES)[number];
export type OptimizationStatus = (typeof OPTIMIZATION_STATUSES)[number];
export type ItemState = (typeof ITEM_STATES)[number];
