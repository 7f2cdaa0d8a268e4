// Test-only workflows that run the load-test activity (type-only import from activities/).
import { ActivityCancellationType, proxyActivities } from '@temporalio/workflow';
import type { createLoadTestActivities } from '../../../activities/loadtest/activity';
import type { LoadTestRequest, LoadTestSummary } from '../../../common/types';

const { runLoadTest } = proxyActivities<ReturnType<typeof createLoadTestActivities>>({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '5 seconds',
  retry: { maximumAttempts: 1 },
  // The workflow ends only once the activity has really stopped.
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
});

export async function loadTestWorkflow(req: LoadTestRequest): Promise<LoadTestSummary> {
  return await runLoadTest(req);
}
