// The handle and description of a run named on the command line; an unknown id is the user's mistake.
import { WorkflowNotFoundError, type Client, type WorkflowExecutionDescription, type WorkflowHandle } from '@temporalio/client';
import { UsageError } from './errors';

export async function describeRun(
  client: Client,
  id: string,
  runId?: string,
): Promise<{ handle: WorkflowHandle; desc: WorkflowExecutionDescription }> {
  const handle = client.workflow.getHandle(id, runId);
  try {
    return { handle, desc: await handle.describe() };
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
    throw new UsageError(
      runId ? `there is no run ${runId} of ${id} (perf-orch list shows the runs)` : `there is no run ${id} (perf-orch list shows the runs)`,
    );
  }
}
