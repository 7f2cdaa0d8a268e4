// `perf-orch run --wait`'s exit code: non-zero when the run regressed (its changes rolled back) or a
// change failed to apply, so that a CI job running it fails. A failed workflow exits 1 on its own. Pure.
import type { OutputContract } from './output-contract';

export const FAILING_OUTCOMES = ['regressed_rolled_back', 'apply_failed_rolled_back'] as const;

export function runExitCode(result: OutputContract): 0 | 1 {
  const outcome = result.validation_results.improvement_summary.outcome;
  return (FAILING_OUTCOMES as readonly string[]).includes(outcome) ? 1 : 0;
}
