// The output contract's detail schemas: extensions beside the specification's fields (per-endpoint
// attribution, CPU profile, process and host metrics, verdicts). common/output-contract.ts composes them.
import { z } from 'zod';

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

export const VerdictSchema = z.object({
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
export const ItemMeasuredSchema = z.object({
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

export const BeforeAfterSchema = z.object({
  throughput: VerdictSchema,
  p95: VerdictSchema,
  confidence: z.enum(['ok', 'low']),
  confidence_reasons: z.array(z.string()),
});

// One stress step as the validation ran it (common/stress.ts judges it), in the order they ran.
export const StressStepContractSchema = z.object({
  rate_rps: nullableNum, // offered rate of an open-model step; null in closed steps recorded before
  concurrency: num, // most connections the step used (closed steps: virtual users)
  throughput_rps: num, // achieved
  p99_ms: num,
  error_rate_pct: num,
  failed_pct: nullableNum, // (errors + dropped) among the arrivals; null in steps recorded before
  within_slo: z.boolean(),
  reason: z.string().nullable(), // why the step missed the SLO
});
