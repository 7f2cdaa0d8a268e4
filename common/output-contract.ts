// The output contract: the result of a run, exactly the seed's top-level fields.
import { z } from 'zod';
import { LAYERS } from './profile';
import { OptimizationSummarySchema } from './contract-roi';

const num = z.number();
const nullableNum = z.number().nullable();

export const ComparisonRowSchema = z.object({
  metric: z.enum(['p95Ms', 'p99Ms', 'throughputRps', 'errorRatePct']),
  target: num,
  before: num,
  after: num,
  changePct: num,
  metBefore: z.boolean(),
  metAfter: z.boolean(),
  regressed: z.boolean(),
});

export const HotFunctionSchema = z.object({
  function: z.string(),
  location: z.string(), // url:line; "(native)" or "(native, called from NAME url:line)": native code is charged to that caller
  self_pct: num,
  total_pct: num,
  hot: z.boolean(), // self_pct above cpu_profile.threshold_pct
});

export const CpuProfileRefSchema = z.object({
  artifact_id: z.string().nullable(), // the .cpuprofile in the store
  file: z.string().nullable(), // and on the worker's disk
  samples: num,
  duration_s: num,
  busy_pct: num,
  gc_pct: num,
  threshold_pct: num,
  problems: z.array(z.string()),
  profiler: z.enum(['inspector', 'py-spy']).optional(), // py-spy: shares are of one core, summed over processes
  pids: z.array(num).optional(), // py-spy: the processes sampled busy (a pre-fork server's workers)
});

export const ProcessMetricsSchema = z.object({
  pid: nullableNum,
  processes: num.optional(), // when several (master and workers): the figures are their sums
  cpu_pct_avg: nullableNum, // of one core
  cpu_pct_max: nullableNum,
  rss_mb_max: nullableNum,
  open_fds_max: nullableNum,
  event_loop_delay_ms: z.object({ p50: num, p99: num, max: num, mean: num }).nullable(),
});

export const HostMetricsSchema = z.object({
  cpu_pct_avg: num, // all cores
  load_avg_1: num,
  mem_used_pct: num,
  disk_read_bytes_per_s: nullableNum,
  disk_write_bytes_per_s: nullableNum,
  net_rx_bytes_per_s: nullableNum, // all interfaces but loopback
  net_tx_bytes_per_s: nullableNum,
  loopback_bytes_per_s: nullableNum,
});

export const HttpTimingSchema = z.object({
  endpoint: z.string(),
  method: z.string(),
  samples: num,
  errors: num,
  connect_ms: num,
  ttfb_ms: num,
  transfer_ms: num,
  total_ms: num,
});

// Per-endpoint attribution (common/contract-endpoints.ts builds these).
export const EndpointMetricsSchema = z.object({
  endpoint: z.string(),
  requests: num,
  errors: num,
  p50_ms: num,
  p95_ms: num,
  p99_ms: num,
  statements_per_request: nullableNum,
  db_ms_per_request: nullableNum,
  rows_per_request: nullableNum,
  top_statements: z.array(
    z.object({ queryid: z.string(), query: z.string(), calls_per_request: num, ms_per_request: num, rows_per_request: num }),
  ),
  // false when something in the pass's window suggests other work (flags say what)
  exact: z.boolean(),
  flags: z.array(z.string()),
});

export const EndpointAttributionSchema = z.object({
  method: z.string(),
  requests_per_endpoint: num,
  // statements the database ran per second while nothing was sent (other traffic); null without a database
  background_statements_per_s: nullableNum,
  problems: z.array(z.string()),
  artifact_id: z.string().nullable(),
  endpoints: z.array(EndpointMetricsSchema),
});

export const EndpointBeforeAfterSchema = z.object({
  endpoint: z.string(),
  before: EndpointMetricsSchema.nullable(),
  after: EndpointMetricsSchema.nullable(),
});

const VerdictSchema = z.object({
  verdict: z.enum(['improved', 'worse', 'no detectable change', 'not enough data']),
  improvement_pct: nullableNum, // positive = better (a lower latency too)
  ci_low_pct: nullableNum,
  ci_high_pct: nullableNum,
  method: z.enum(['interleaved', 'blocks', 'batch-means']).nullable(),
  n: num,
  regressed: z.boolean(),
  // true: this interval and the other metric's hold together at 95% (each 97.5%: Bonferroni); absent in runs before it.
  ci_joint: z.boolean().optional(),
});

// One applied change's measured gain (common/ab-validation.ts): how it was measured, both metrics'
// verdicts with their 95% intervals, and one word for the item.
const ItemMeasuredSchema = z.object({
  method: z.enum(['interleaved', 'blocks', 'before-after', 'not-measured']),
  verdict: VerdictSchema.shape.verdict,
  throughput: VerdictSchema,
  p95: VerdictSchema,
  ab_blocks: num, // interleaved: load blocks measured (with and without it); blocks: before and after blocks
  ab_flips: num, // interleaved: toggle flips made (each through the audited apply/rollback)
  together: z.array(z.string()), // before-after, blocks: other changes the same figures hold
  // blocks: the trend within the blocks per metric (% a minute), and whether the effect was corrected for it
  drift: z
    .object({ throughput_pct_per_min: nullableNum, p95_pct_per_min: nullableNum, detected: z.boolean(), corrected: z.boolean() })
    .nullable()
    .optional(),
  confidence: z.enum(['ok', 'low']).nullable(),
  note: z.string().nullable(),
});

const BeforeAfterSchema = z.object({
  throughput: VerdictSchema,
  p95: VerdictSchema,
  confidence: z.enum(['ok', 'low']),
  confidence_reasons: z.array(z.string()),
});

export const OutputContractSchema = z
  .object({
    orchestration_timestamp: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?[+-]\d{2}:\d{2}$/, 'ISO-8601 with offset'),
    target_system: z.object({
      name: z.string(),
      base_url: z.string(),
      database: z.boolean(),
      cache: z.boolean(),
      workflow_id: z.string(),
      run_id: z.string(),
    }),
    optimization_scope: z.array(z.enum(LAYERS)),
    performance_targets: z.object({ p95_ms: num, p99_ms: num, throughput_rps: num, error_rate_pct: num }),
    baseline_metrics: z.object({
      load_test_id: z.string(),
      requests: num,
      p50_ms: num,
      p95_ms: num,
      p99_ms: num,
      throughput_rps: num,
      error_rate_pct: num,
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
    }),
    bottlenecks_identified: z.array(
      z.object({ layer: z.enum(LAYERS), description: z.string(), impact_score: num, evidence: z.array(z.string()) }),
    ),
    optimizations_implemented: z.array(
      z.object({
        id: z.string(),
        title: z.string(),
        layer: z.enum(LAYERS),
        root_cause: z.string(),
        action: z.string(),
        // skipped: approved, but not attempted because an earlier item's apply failed
        status: z.enum(['applied', 'rolled_back', 'failed', 'skipped', 'not_approved', 'manual', 'rejected']),
        estimated_gain_pct: num,
        impact_score: num,
        rollback: z.string(),
        evidence: z.array(z.string()),
        // Measured on its own during validation (absent when it was not applied, or in runs before the per-item validation).
        measured: ItemMeasuredSchema.optional(),
      }),
    ),
    validation_results: z.object({
      load_testing_completed: z.array(z.enum(['baseline', 'after', 'peak', 'stress', 'soak'])),
      targets_met: z.boolean(),
      improvement_summary: z.object({
        outcome: z.enum([
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
        ]),
        comparison: z.array(ComparisonRowSchema),
        // met / partial (every missed metric at >= 80% of the improvement it needed) / missed; absent before it.
        target_attainment: z
          .object({
            level: z.enum(['met', 'partial', 'missed']),
            missed: z.array(z.object({ metric: z.string(), achieved_pct: num })),
          })
          .nullable()
          .optional(),
        // A regression rolled back: what got worse, where, and what was in place (common/rules/regression-analysis.ts).
        regression_analysis: z.array(z.string()).optional(),
        p95_improvement_pct: nullableNum,
        throughput_improvement_pct: nullableNum,
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
        soak: z
          .object({
            duration_s: num,
            p95_ms: num,
            rss_mb_max: nullableNum,
            rss_slope_mb_per_min: nullableNum.optional(), // least squares, MB per minute
            leak_suspected: z.boolean().optional(),
            p95_drift_pct: nullableNum.optional(), // last third vs first third
            flags: z.array(z.string()).optional(),
          })
          .nullable(),
        escalation_workflow_id: z.string().nullable(),
        // Per endpoint before (baseline) and after the changes, each measured alone; absent without attribution.
        endpoints: z.array(EndpointBeforeAfterSchema).optional(),
        // Throughput and p95 effects with 95% intervals, and how far the windows can be trusted (common/verdict).
        before_after: BeforeAfterSchema.optional(),
      }),
    }),
    monitoring_configured: z.array(
      z.object({ metric: z.string(), threshold: z.string(), source: z.string(), status: z.enum(['recommended', 'configured']) }),
    ),
    regression_prevention: z.object({
      regression_threshold_pct: num,
      baseline_load_test_id: z.string(),
      after_load_test_id: z.string().nullable(),
      checks: z.array(z.string()),
    }),
    next_steps: z.array(z.string()),
    sources_consulted: z.array(z.string()),
    // The cost-performance summary (common/contract-roi.ts); absent in results recorded before it.
    optimization_summary: OptimizationSummarySchema.optional(),
  })
  .strict();

export type OutputContract = z.infer<typeof OutputContractSchema>;
export type ComparisonRow = z.infer<typeof ComparisonRowSchema>;
