// The output contract: the result of a run, exactly the seed's top-level fields.
import { z } from 'zod';
import { LAYERS } from './profile';

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
        status: z.enum(['applied', 'rolled_back', 'failed', 'not_approved', 'manual', 'rejected']),
        estimated_gain_pct: num,
        impact_score: num,
        rollback: z.string(),
        evidence: z.array(z.string()),
      }),
    ),
    validation_results: z.object({
      load_testing_completed: z.array(z.enum(['baseline', 'after', 'peak', 'stress', 'soak'])),
      targets_met: z.boolean(),
      improvement_summary: z.object({
        outcome: z.enum(['improved', 'no_change', 'regressed_rolled_back', 'rolled_back_on_request', 'rejected', 'approval_timed_out', 'nothing_to_apply', 'apply_failed_rolled_back']),
        comparison: z.array(ComparisonRowSchema),
        p95_improvement_pct: nullableNum,
        throughput_improvement_pct: nullableNum,
        peak: z.object({ concurrency: num, p95_ms: num, throughput_rps: num, error_rate_pct: num }).nullable(),
        stress_breaking_point: z.object({ concurrency: num, throughput_rps: num, p99_ms: num }).nullable(),
        soak: z.object({ duration_s: num, p95_ms: num, rss_mb_max: nullableNum }).nullable(),
        escalation_workflow_id: z.string().nullable(),
      }),
    }),
    monitoring_configured: z.array(z.object({ metric: z.string(), threshold: z.string(), source: z.string(), status: z.enum(['recommended', 'configured']) })),
    regression_prevention: z.object({
      regression_threshold_pct: num,
      baseline_load_test_id: z.string(),
      after_load_test_id: z.string().nullable(),
      checks: z.array(z.string()),
    }),
    next_steps: z.array(z.string()),
    sources_consulted: z.array(z.string()),
  })
  .strict();

export type OutputContract = z.infer<typeof OutputContractSchema>;
export type ComparisonRow = z.infer<typeof ComparisonRowSchema>;
