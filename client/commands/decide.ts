import type { Command } from 'commander';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { approvePlanUpdate, rejectPlanSignal } from '../../workflows/messages';
import { withClient } from '../connect';
import { UsageError } from '../errors';

export function registerDecide(program: Command): void {
  program
    .command('approve <id>')
    .description('approve the pending plan (all automatic items but index drops, or --items)')
    .option('--items <ids>', 'comma list of plan item ids to apply (index drops are applied only when listed here)')
    .action(async (id: string, opts: { items?: string }) => {
      try {
        await withClient(async (client) => {
          const itemIds = opts.items
            ? opts.items
                .split(',')
                .map((s) => s.trim())
                .filter(Boolean)
            : undefined;
          const r = await client.workflow
            .getHandle(id)
            .executeUpdate(approvePlanUpdate, { args: [{ itemIds, by: process.env.USER || 'cli' }] });
          console.log(`approved ${r.approved.length} item(s): ${r.approved.join(', ')}`);
          if (!itemIds)
            console.log('index drops (marked "by id" in the plan) are not part of a plain approval: list them with --items to apply them');
        });
      } catch (err) {
        if (err instanceof WorkflowUpdateFailedError) throw new UsageError(`approval refused: ${err.cause?.message ?? err.message}`);
        throw err;
      }
    });

  program
    .command('reject <id>')
    .description('reject the pending plan; the run ends without changing anything')
    .requiredOption('--reason <text>', 'why (recorded in the result)')
    .action(async (id: string, opts: { reason: string }) => {
      await withClient(async (client) => {
        await client.workflow.getHandle(id).signal(rejectPlanSignal, { reason: opts.reason, by: process.env.USER || 'cli' });
        console.log(`rejection sent to ${id}`);
      });
    });

  program
    .command('cancel <id>')
    .description('stop a run now; whatever it applied is rolled back first')
    .action(async (id: string) => {
      await withClient(async (client) => {
        await client.workflow.getHandle(id).cancel();
        console.log(`cancellation requested for ${id}; it rolls back what it applied, then ends (perf-orch status ${id})`);
      });
    });
}
