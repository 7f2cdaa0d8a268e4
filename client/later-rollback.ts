// Reads the rollback record of a finished run (common/later-rollback.ts): the result of the latest
// completed rollback workflow of that run.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { rollbackWorkflowId, type LaterRollback } from '../common/later-rollback';
import type { RolledBackChange } from '../common/types';

/** The run's later rollback, or null when it has none. */
export async function readLaterRollback(client: Client, workflowId: string, runId: string): Promise<LaterRollback | null> {
  const id = rollbackWorkflowId(workflowId, runId);
  let desc;
  try {
    desc = await client.workflow.getHandle(id).describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return null;
    throw err;
  }
  const running = desc.status.name === 'RUNNING';
  let completed: { runId: string; closeTime?: Date } | null = desc.status.name === 'COMPLETED' ? desc : null;
  if (!completed && !id.includes("'")) {
    // Running, or the last one did not complete (terminated, say): the record is the last completed one's.
    for await (const w of client.workflow.list({ query: `WorkflowId = '${id}' AND ExecutionStatus = 'Completed'`, pageSize: 1 })) {
      completed = w;
      break;
    }
  }
  const changes: RolledBackChange[] = completed ? await client.workflow.getHandle(id, completed.runId).result() : [];
  return { workflowId: id, closedAt: completed?.closeTime?.toISOString() ?? null, changes, running };
}
