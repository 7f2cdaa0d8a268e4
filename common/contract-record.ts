// What the output contract is built from: the run's input and what each stage found and did.
import type { OUTCOMES } from './output-contract';
import type { Layer } from './profile';
import type { Decision, RunInput } from './run';
import type { AnalysisResult, MonitoringCheck, OptimizationResult, ProfilingResult, ValidationResult } from './stages';
import type { Plan } from './types';

export type Outcome = (typeof OUTCOMES)[number];

export interface RunRecord {
  input: RunInput;
  scope: Layer[];
  timestamp: string;
  workflowId: string;
  runId: string;
  profiling: ProfilingResult;
  plan: Plan;
  // Each skill's figures (absent in runs recorded before them, and in runs that skipped the analysis).
  skills?: AnalysisResult['skills'];
  decision: Decision;
  optimization: OptimizationResult | null;
  validation: ValidationResult | null;
  outcome: Outcome;
  escalationWorkflowId: string | null;
  // What the run left in place against regressions (absent: nothing asked or runs before it).
  regressionPrevention?: RegressionPreventionState | null;
  // The alert rules the run installed, checked after its validation (absent: none installed, or runs before it).
  monitoring?: MonitoringCheck;
}

export interface RegressionPreventionState {
  pinnedBaselineId: string | null;
  watchScheduleId: string | null;
  ciFile: string | null;
}

/** True only when a pinned baseline and something that checks against it (a watch or a CI file) are in place. */
export function regressionPreventionInPlace(s: RegressionPreventionState | null | undefined): boolean {
  return Boolean(s?.pinnedBaselineId && (s.watchScheduleId || s.ciFile));
}
