// The zod schema of a load test's summary (common/types.ts LoadTestSummary), strict at every level:
// a baseline file brought from elsewhere is checked field by field before it is stored. The type
// assertions at the end fail to compile when LoadTestSummary and this schema drift apart.
import { z } from 'zod';
import type { LoadTestSummary } from '../types';

const num = z.number();
const count = z.number().int().min(0);
const ms = z.number().min(0);

const LatencySchema = z.strictObject({ p50: ms, p90: ms, p95: ms, p99: ms, p999: ms.optional(), max: ms, mean: ms });

const EndpointSchema = z.strictObject({ name: z.string(), requests: count, errors: count, latencyMs: LatencySchema });

const HostSchema = z.strictObject({
  cores: num,
  loadAvg1: num,
  hostCpuPct: num,
  loadGeneratorCpuPct: num.nullable().optional(),
  cpuPressurePct: num.nullable().optional(),
});

export const LoadTestSummarySchema = z.strictObject({
  id: z.string(),
  phase: z.enum(['baseline', 'after', 'peak', 'stress', 'soak', 'ab', 'stage', 'check']),
  concurrency: count,
  durationSeconds: num.min(0),
  requests: count,
  errors: count,
  errorRatePct: num.min(0).max(100),
  throughputRps: num.min(0),
  latencyMs: LatencySchema,
  endpoints: z.array(EndpointSchema),
  errorKinds: z.record(z.string(), count),
  warmupRequests: count,
  model: z.enum(['closed', 'open']).optional(),
  rateRps: num.nullable().optional(),
  offeredRps: num.optional(),
  dropped: count.optional(),
  unfinished: count.optional(),
  bytesIn: count.optional(),
  bytesOut: count.optional(),
  p95Drift: z.strictObject({ firstMs: num, lastMs: num, changePct: num, points: count }).nullable().optional(),
  runBudgetSpent: z.boolean().optional(),
  shards: z.strictObject({ count: count, ids: z.array(z.string()), requests: z.array(count) }).optional(),
  window: z.strictObject({ attempt: count, startMs: num, measuredFromMs: num, endMs: num }).optional(),
  perSecond: z.strictObject({ rps: z.array(num), p95Ms: z.array(num) }).optional(),
  host: HostSchema.nullable().optional(),
  warmup: z.strictObject({ seconds: num, steady: z.boolean() }).optional(),
  remeasured: z
    .strictObject({
      firstId: z.string(),
      firstThroughputRps: num,
      firstDrift: z.strictObject({ changePct: num, firstMean: num, lastMean: num }),
    })
    .optional(),
});

type Parsed = z.infer<typeof LoadTestSummarySchema>;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
// Both directions: a field added to LoadTestSummary (or here) without the other breaks the build.
const summaryMatchesSchema: Same<Required<Parsed>, Required<LoadTestSummary>> = true;
void summaryMatchesSchema;
