// What each child workflow returns to the parent: summaries and ids, never bulk data.
import type { StageCheck } from './rules/stages';
import type { BeforeAfter } from './verdict/before-after';
import type { TimedBlock } from './verdict/blocks';
import type { ItemMeasurement } from './ab-validation';
import type { MetricComparison } from './compare';
import type {
  AppliedChange,
  Bottleneck,
  CacheProfile,
  CpuProfileSummary,
  DatabaseProfile,
  Finding,
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
import type { NotMeasured } from './load-window';
import type { AttributionResult } from './endpoint-attribution';

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
  cpu: CpuProfileSummary | null; // null when the target names no inspector (process.inspectorUrl)
  bottlenecks: Bottleneck[];
  /** Samples that did not cover the load's measured window (e.g. retried after a worker restart), and why; absent before. */
  notMeasured?: NotMeasured[];
  /** Per-endpoint attribution after the baseline (absent in results recorded before it, or when disabled). */
  attribution?: AttributionResult | null;
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
  /** Analyses recorded before the notes moved into plan.notes carry them here. */
  notes?: string[];
  /** Each skill that ran (or was skipped), with its evidence figures and id; absent in results recorded before. */
  skills?: Pick<SkillResult, 'skill' | 'evidence' | 'skipped'>[];
}

export interface OptimizationInput {
  target: TargetProfile;
  items: PlanItem[];
  /** For the before blocks of the costly changes (absent in runs started before them: no blocks). */
  runId?: string;
  baselineConcurrency?: number;
}

/** Before/after blocks of one side (workflows/costly-blocks.ts), and why they stopped early. */
export interface BlocksRun {
  blocks: TimedBlock[];
  note?: string;
}

export interface OptimizationResult {
  applied: AppliedChange[];
  failed: { itemId: string; error: string } | null;
  rolledBack: RolledBackChange[];
  /** Alert rules whose install failed: monitoring, so the performance changes stay (absent: none failed). */
  monitoringFailed?: { itemId: string; error: string };
  /** Staged runs: approved changes left unapplied because a brief check met the targets first. */
  notApplied?: { itemIds: string[]; why: string };
  /** Staged runs with more than one priority group: each group's brief check. */
  stages?: StageCheck[];
  /** The blocks measured just before the first costly change (absent: none were run). */
  beforeBlocks?: BlocksRun;
}

export interface ValidationInput {
  runId: string;
  target: TargetProfile;
  tier: Tier;
  baseline: LoadTestSummary;
  regressionThresholdPct: number;
  /** The approved changes as applied, measured one by one (absent in runs started before the per-item validation). */
  abItems?: { item: PlanItem; change: AppliedChange }[];
  /** The optimization's before blocks: the costly changes are measured by blocks (absent: by the before/after). */
  beforeBlocks?: BlocksRun;
}

export interface StressStep {
  concurrency: number; // closed steps: virtual users; open (rate) steps: most connections used
  throughputRps: number;
  p99Ms: number;
  errorRatePct: number;
  withinSlo: boolean;
  // Open-model rate steps (absent in results recorded before them):
  rateRps?: number; // offered rate
  failedPct?: number; // (errors + dropped) / arrivals (in results recorded before issue 11, unanswered too)
  dropped?: number;
  unfinished?: number; // unanswered when the step ended: late, not failed
  reason?: string | null; // why the step missed the SLO
  loadTestId?: string;
}

export interface ValidationResult {
  after: LoadTestSummary;
  comparison: MetricComparison[];
  regressed: boolean;
  targetsMet: boolean;
  completed: Exclude<LoadPhase, 'ab' | 'stage' | 'check'>[]; // the A/B blocks are in `items`, the stage checks in the optimization
  peak: LoadTestSummary | null;
  // Breaking point: the highest-rate step still within the SLO (null when the first step missed it).
  stress: { steps: StressStep[]; breakingPoint: StressStep | null; baseRps?: number } | null;
  soak: SoakResult | null;
  /** Per-endpoint attribution after the changes (absent in results recorded before it, or when disabled). */
  attribution?: AttributionResult | null;
  /** Throughput and p95 effects with 95% intervals and the windows' confidence (absent in results recorded before). */
  beforeAfter?: BeforeAfter | null;
  /** Each applied change's estimated and measured gain, and how it was measured (absent in results recorded before). */
  items?: ItemMeasurement[];
}

export interface SoakResult {
  summary: LoadTestSummary;
  rssMbMax: number | null;
  // Added with the leak/drift analysis (common/soak.ts); absent in results recorded before.
  rssSlopeMbPerMin?: number | null; // least squares over the soak after its first fifth
  rssR2?: number | null;
  rssRiseMb?: number | null;
  leakSuspected?: boolean;
  p95Drift?: { firstMs: number; lastMs: number; changePct: number; points: number } | null;
  p95DriftFlagged?: boolean;
  flags?: string[];
}

/** What every skill activity receives: the run, its scope and focus, and what profiling measured. */
/** The alert rules a run installed, checked after its validation (activities/actions/alert-rules-check.ts). */
export interface MonitoringCheck {
  file: string;
  slos: string[];
  /** Loaded by Prometheus with every rule evaluated without error. */
  healthy: boolean;
  healthNote: string | null;
  /** promtool test rules passed on every measured case. */
  testsOk: boolean;
  /** Each case: the burn alerts its raw figures say fire (null: too close to call, not tested), and promtool's output when it failed. */
  cases: { name: string; ok: boolean; firing: string[] | null; output?: string }[];
}

export interface SkillRequest {
  runId: string;
  target: TargetProfile;
  scope: Layer[];
  focus: Layer[];
  profiling: ProfilingResult;
}

/**
 * What every skill activity returns. Findings become plan items; notes (what was not analyzed and
 * why, what would deepen the analysis) reach the plan and the report; the evidence the findings rest
 * on is stored whole (artifactId) and summarized in a few figures for the Web UI.
 */
export interface SkillResult {
  skill: string;
  findings: Finding[];
  notes: string[];
  evidence: { artifactId: string | null; figures: Record<string, number | string | boolean | null> };
  /** Why the skill had nothing to look at (e.g. no database section); null when it ran. */
  skipped: string | null;
}
