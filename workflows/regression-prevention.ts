// The run's last step when asked (run --pin-baseline / --watch-every): leave regression prevention in
// place, and read what is in place for the target (the contract's regression_prevention).
import { patched, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { Outcome, RegressionPreventionState } from '../common/contract-record';
import type { RunInput } from '../common/run';
import type { LoadTestSummary } from '../common/types';

// Outcomes after which the target runs as measured last: its window can be the baseline.
const KEEPS_CHANGES: readonly Outcome[] = ['improved', 'no_change', 'targets_already_met', 'nothing_to_apply'];

export async function leaveRegressionPrevention(
  input: RunInput,
  outcome: Outcome,
  run: { workflowId: string; runId: string; pinFrom: LoadTestSummary | null; enter: (step: string) => void },
): Promise<RegressionPreventionState | null> {
  const asked = input.regressionPrevention;
  if (!asked || !KEEPS_CHANGES.includes(outcome) || !patched('regression-prevention')) return null;
  run.enter('leaving regression prevention in place: pinned baseline, scheduled check');
  const { setUpRegressionPrevention } = proxyActivities<Activities>({
    startToCloseTimeout: '1 minute',
    retry: { maximumAttempts: 5, initialInterval: '2 seconds' },
    summary: 'pin the baseline and schedule the check',
  });
  return setUpRegressionPrevention({
    workflowId: run.workflowId,
    runId: run.runId,
    target: input.target,
    pinFrom: asked.pinBaseline ? run.pinFrom : null,
    watchEveryMs: asked.watchEveryMs,
  });
}
