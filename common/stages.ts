// What each child workflow returns to the parent: summaries and ids, never bulk data.
import type { MetricComparison } from './compare';
import type {
  AppliedChange,
  Bottleneck,
  CacheProfile,
  DatabaseProfile,
  LoadPhase,
  LoadTestSummary,
  NetworkProfile,
  Plan,
  PlanItem,
  ProcessProfile,
  RolledBackChange,
  Tier,
} from './types';
import type { TargetProfile, Layer } from './profile';

export interface ProfilingInput {
  runId: string;
  target: TargetProfile;
}

export interface ProfilingResult {
  baseline: LoadTestSummary;
  database: DatabaseProfile | null;
  cache: CacheProfile | null;
  process: ProcessProfile | null;
  network: NetworkProfile | null;
  bottlenecks: Bottleneck[];
}

export interface AnalysisInput {
  runId: string;
  target: TargetProfile;
  scope: Layer[];
  tier: 'auto' | Tier;
  profiling: ProfilingResult;
}

export interface AnalysisResult {
  plan: Plan;
  notes: string[];
}

export interface OptimizationInput {
  target: TargetProfile;
  items: PlanItem[];
}

export interface OptimizationResult {
  applied: AppliedChange[];
  failed: { itemId: string; error: string } | null;
  rolledBack: RolledBackChange[];
}

export interface ValidationInput {
  runId: string;
  target: TargetProfile;
  tier: Tier;
  baseline: LoadTestSummary;
  regressionThresholdPct: number;
}

export interface StressStep {
  concurrency: number;
  throughputRps: number;
  p99Ms: number;
  errorRatePct: number;
  withinSlo: boolean;
}

export interface ValidationResult {
  after: LoadTestSummary;
  comparison: MetricComparison[];
  regressed: boolean;
  targetsMet: boolean;
  completed: LoadPhase[];
  peak: LoadTestSummary | null;
  stress: { steps: StressStep[]; breakingPoint: StressStep | null } | null;
  soak: { summary: LoadTestSummary; rssMbMax: number | null } | null;
}
