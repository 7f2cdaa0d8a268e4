import type { Command } from 'commander';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { approvePlanUpdate, rejectPlanUpdate } from '../../workflows/messages';
import { withClient } from '../connect';
import { UsageError } from '../errors';

/** The ids of --items; an empty list is refused (it used to approve everything). */
function itemList(items: string): string[] {
  const ids = items
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (ids.length === 0)
    throw new UsageError('--items lists no plan item: name at least one id, or leave --items out to approve the default set');
  return ids;
}

/** Why a decision was not taken, as a usage error (exit 2): refused by the run, the run has ended, or no such run. */
async function refusal(err: unknown, id: string, what: 'approval' | 'rejection'): Promise<unknown> {
  if (err instanceof WorkflowUpdateFailedError) return new UsageError(`${what} refused: ${err.cause?.message ?? err.message}`);
  if (!(err instanceof WorkflowNotFoundError)) return err;
  const ended = await withClient((client) => client.workflow.getHandle(id).describe()).catch(() => null);
  return new UsageError(
    ended
      ? `${what} refused: ${id} is not running (it ended ${ended.status.name}); its result: perf-orch report ${id}`
      : `${what} refused: there is no run ${id} (perf-orch list shows the runs)`,
  );
}

export function registerDecide(program: Command): void {
  program
    .command('approve <id>')
    .description('approve the pending plan (all automatic items but index drops, or --items)')
    .option('--items <ids>', 'comma list of plan item ids to apply (index drops are applied only when listed here)')
    .action(async (id: string, opts: { items?: string }) => {
      try {
        await withClient(async (client) => {
          const itemIds = opts.items === undefined ? undefined : itemList(opts.items);
          const r = await client.workflow
            .getHandle(id)
            .executeUpdate(approvePlanUpdate, { args: [{ itemIds, by: process.env.USER || 'cli' }] });
          console.log(`approved ${r.approved.length} item(s): ${r.approved.join(', ')}`);
          if (!itemIds)
            console.log('index drops (marked "by id" in the plan) are not part of a plain approval: list them with --items to apply them');
        });
      } catch (err) {
        throw await refusal(err, id, 'approval');
      }
    });

  program
    .command('reject <id>')
    .description('reject the pending plan; the run ends without changing anything')
    .requiredOption('--reason <text>', 'why (recorded in the result)')
    .action(async (id: string, opts: { reason: string }) => {
      try {
        await withClient(async (client) => {
          await client.workflow
            .getHandle(id)
            .executeUpdate(rejectPlanUpdate, { args: [{ reason: opts.reason, by: process.env.USER || 'cli' }] });
          console.log(`plan of ${id} rejected; the run ends without changing anything`);
        });
      } catch (err) {
        throw await refusal(err, id, 'rejection');
      }
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
