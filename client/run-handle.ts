// The handle and description of a run named on the command line, by its workflow id (perf-<target>,
// with --run-id for an earlier run) or by a run id alone, as `perf-orch list` prints it; an unknown
// id is the user's mistake.
import { WorkflowNotFoundError, type Client, type WorkflowExecutionDescription, type WorkflowHandle } from '@temporalio/client';
import { UsageError } from './errors';

const RUN_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function describeRun(
  client: Client,
  id: string,
  runId?: string,
): Promise<{ handle: WorkflowHandle; desc: WorkflowExecutionDescription }> {
  if (!runId && RUN_ID.test(id)) {
    for await (const w of client.workflow.list({ query: `RunId = "${id}"` })) return describeRun(client, w.workflowId, id);
  }
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
