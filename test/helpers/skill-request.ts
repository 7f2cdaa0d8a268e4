// A SkillRequest for tests that call a skill's activity directly: the target, the parts of the
// profiling result the skill reads, and a minimal baseline for the rest.
import type { TargetProfile } from '../../common/profile';
import type { ProfilingResult, SkillRequest } from '../../common/stages';
import type { CacheProfile, DatabaseProfile, LoadTestSummary } from '../../common/types';

const LATENCY = { p50: 1, p90: 1, p95: 1, p99: 1, max: 1, mean: 1 };

export function minimalBaseline(over: Partial<LoadTestSummary> = {}): LoadTestSummary {
  return {
    id: 'lt-test',
    phase: 'baseline',
    concurrency: 1,
    durationSeconds: 1,
    requests: 0,
    warmupRequests: 0,
    errors: 0,
    errorRatePct: 0,
    throughputRps: 0,
    latencyMs: LATENCY,
    endpoints: [],
    errorKinds: {},
    ...over,
  };
}

export function minimalDatabase(): DatabaseProfile {
  return {
    available: true,
    problems: [],
    extensions: { pgStatStatements: true, hypopg: false },
    windowRequests: 0,
    dbTimeMs: 0,
    dbShareOfLatencyPct: 0,
    topStatements: [],
  };
}

export function minimalCache(): CacheProfile {
  return {
    available: true,
    problems: [],
    hits: 0,
    misses: 0,
    hitRatioPct: null,
    evictions: 0,
    usedMemoryMb: 0,
    maxMemoryMb: null,
    maxMemoryPolicy: 'noeviction',
    slowlog: [],
    opsPerSec: 0,
  };
}

export function skillRequest(target: TargetProfile, profiling: Partial<ProfilingResult>, runId = 'skill-test'): SkillRequest {
  return {
    runId,
    target,
    scope: target.scope,
    focus: [],
    profiling: {
      baseline: minimalBaseline(),
      database: null,
      cache: null,
      process: null,
      network: null,
      cpu: null,
      bottlenecks: [],
      ...profiling,
    },
  };
}
