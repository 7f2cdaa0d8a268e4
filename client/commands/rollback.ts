import type { Command } from 'commander';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { RunInput } from '../../common/run';
import { TASK_QUEUE, type RunStatus } from '../../common/run';
import { describeRolledBack, rollbackWorkflowId, stillApplied } from '../../common/later-rollback';
import { requestRollbackSignal, statusQuery } from '../../workflows/messages';
import { withClient } from '../connect';
import { UsageError } from '../errors';
import { readLaterRollback } from '../later-rollback';
import { describeRun } from '../run-handle';
import { rollbackChangesWorkflow } from '../../workflows/rollback';

export function registerRollback(program: Command): void {
  program
    .command('rollback <id>')
    .description('roll back every change a run applied (while it runs, or after it finished); again is a no-op')
    .option('--reason <text>', 'why', 'requested from the CLI')
    .action(async (id: string, opts: { reason: string }) => {
      await withClient(async (client) => {
        const { handle, desc } = await describeRun(client, id);
        if (desc.status.name === 'RUNNING') {
          await handle.signal(requestRollbackSignal, { reason: opts.reason, by: process.env.USER || 'cli' });
          return console.log(`rollback requested; follow it with: perf-orch status ${id}`);
        }
        await rollBackFinishedRun(client, id, desc.runId, opts.reason);
      });
    });
}

/**
 * A finished run: its query still answers from history. Undoes what neither the run nor an earlier
 * rollback undid, recording it in the run's rollback workflow (common/later-rollback.ts).
 */
async function rollBackFinishedRun(client: Client, id: string, runId: string, reason: string): Promise<void> {
  const handle = client.workflow.getHandle(id, runId);
  const s: RunStatus = await handle.query(statusQuery);
  const later = await readLaterRollback(client, id, runId);
  if (later?.running) throw new UsageError(`a rollback of ${id} is under way (${later.workflowId}); see: perf-orch status ${id}`);
  const previous = later?.changes ?? [];
  const changes = stillApplied(s.applied, s.rolledBack);
  if (stillApplied(changes, previous).length === 0) {
    if (previous.length) return console.log(`${id}: already rolled back (${later!.workflowId}, ended ${later!.closedAt}); nothing changed`);
    if (s.rolledBack.some((r) => r.ok)) return console.log(`${id}: already rolled back during the run; nothing changed`);
    return console.log(`${id}: nothing to roll back`);
  }
  const started = (await handle.fetchHistory()).events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  if (!started) throw new UsageError(`cannot read the input of ${id} from its history`);
  const { target } = defaultPayloadConverter.fromPayload<RunInput>(started);
  const workflowId = rollbackWorkflowId(id, runId);
  let record;
  try {
    record = await client.workflow.execute(rollbackChangesWorkflow, {
      taskQueue: TASK_QUEUE,
      workflowId,
      args: [{ target, changes, reason, previous }],
    });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) throw new UsageError(`a rollback of ${id} is under way (${workflowId})`);
    throw err;
  }
  const fresh = record.slice(previous.length);
  for (const r of fresh) console.log(describeRolledBack(r));
  const failed = fresh.filter((r) => !r.ok).length;
  if (failed) throw new Error(`${failed} undo(s) failed; fix the cause and run perf-orch rollback ${id} again: only those are retried`);
}
