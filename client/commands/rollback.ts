import type { Command } from 'commander';
import { defaultPayloadConverter } from '@temporalio/common';
import type { RunInput } from '../../common/run';
import { TASK_QUEUE, type RunStatus } from '../../common/run';
import { requestRollbackSignal, statusQuery } from '../../workflows/messages';
import { withClient } from '../connect';
import { UsageError } from '../errors';
import { rollbackChangesWorkflow } from '../../workflows/rollback';

export function registerRollback(program: Command): void {
  program
    .command('rollback <id>')
    .description('roll back every change a run applied (while it runs, or after it finished)')
    .option('--reason <text>', 'why', 'requested from the CLI')
    .action(async (id: string, opts: { reason: string }) => {
      await withClient(async (client) => {
        const handle = client.workflow.getHandle(id);
        const desc = await handle.describe();
        if (desc.status.name === 'RUNNING') {
          await handle.signal(requestRollbackSignal, { reason: opts.reason, by: process.env.USER || 'cli' });
          return console.log(`rollback requested; follow it with: perf-orch status ${id}`);
        }
        // A finished run: its query still answers from history; undo what is still applied.
        const s: RunStatus = await handle.query(statusQuery);
        const changes = s.applied.filter((a) => !s.rolledBack.some((r) => r.itemId === a.itemId && r.ok));
        if (changes.length === 0) return console.log(`${id}: nothing to roll back`);
        const started = (await handle.fetchHistory()).events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
        if (!started) throw new UsageError(`cannot read the input of ${id} from its history`);
        const { target } = defaultPayloadConverter.fromPayload<RunInput>(started);
        const rb = await client.workflow.execute(rollbackChangesWorkflow, {
          taskQueue: TASK_QUEUE,
          workflowId: `${id}:rollback:${desc.runId}`,
          args: [{ target, changes, reason: opts.reason }],
        });
        for (const r of rb) console.log(`${r.ok ? 'rolled back' : 'FAILED'} ${r.itemId}: ${r.details}`);
      });
    });
}
