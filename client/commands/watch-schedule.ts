// perf-orch watch: the check on a Temporal Schedule (the Web UI's Schedules page shows it). A failed
// scheduled check opens an architecture review and notifies the profile's notifiers.
import type { Command } from 'commander';
import { ScheduleAlreadyRunning, ScheduleNotFoundError, type Client } from '@temporalio/client';
import { watchScheduleId, watchScheduleOptions } from '../../common/gate/watch-schedule';
import { withClient } from '../connect';
import { parseDuration } from '../duration';
import { UsageError } from '../errors';
import { buildCheckInput, collect, type CheckOptions } from '../gate/check-input';
import { loadProfileFile } from '../profile-file';

interface CreateOptions extends CheckOptions {
  target: string;
  every: string;
  note?: string;
}

async function createWatch(client: Client, opts: CreateOptions): Promise<void> {
  const everyMs = parseDuration(opts.every, '--every');
  if (everyMs < 60_000) throw new UsageError('--every must be at least 1m (a check takes tens of seconds)');
  const target = loadProfileFile(opts.target);
  const scheduleId = watchScheduleId(target.name);
  const input = buildCheckInput(target, opts);
  try {
    await client.schedule.create(
      watchScheduleOptions(input, everyMs, opts.note ?? `perf-orch check of ${target.name} every ${opts.every}`),
    );
  } catch (err) {
    if (err instanceof ScheduleAlreadyRunning)
      throw new UsageError(`${scheduleId} already exists: see it with perf-orch watch show ${target.name}, or delete it first`);
    throw err;
  }
  console.log(`created schedule ${scheduleId}: a check of ${target.name} every ${opts.every} (baseline ${input.baseline.kind})`);
}

async function describeWatch(client: Client, id: string): Promise<void> {
  const d = await client.schedule.getHandle(id).describe();
  const recent = d.info.recentActions.map(
    (a) => `  ${a.takenAt.toISOString()}  ${a.action.workflow.workflowId} (run ${a.action.workflow.firstExecutionRunId})`,
  );
  console.log(
    [
      `schedule ${id}: ${d.state.paused ? 'PAUSED' : 'active'}${d.state.note ? ` (${d.state.note})` : ''}`,
      `next: ${d.info.nextActionTimes.map((t) => t.toISOString()).join(', ') || 'none'}`,
      `runs so far: ${d.info.numActionsTaken}${d.info.numActionsSkippedOverlap ? `, ${d.info.numActionsSkippedOverlap} skipped (overlap)` : ''}`,
      ...(recent.length ? ['recent:', ...recent] : []),
    ].join('\n'),
  );
}

/** Runs `fn` on the schedule, turning "not found" into a usage error naming the id. */
async function onSchedule(id: string, fn: (client: Client) => Promise<void>): Promise<void> {
  await withClient(async (client) => {
    try {
      await fn(client);
    } catch (err) {
      if (err instanceof ScheduleNotFoundError) throw new UsageError(`no schedule ${id}; list them with: perf-orch watch list`);
      throw err;
    }
  });
}

export function registerWatch(program: Command): void {
  const watch = program
    .command('watch')
    .description('run the check on a schedule (Temporal Schedules): create, list, show, pause, unpause, trigger, delete');
  watch
    .command('create')
    .requiredOption('-t, --target <file>', 'target profile')
    .requiredOption('--every <duration>', 'how often, e.g. 1w, 1d, 6h')
    .option('--threshold <expr>', 'k6-style threshold, repeatable (default: the profile gate.thresholds, else its targets)', collect)
    .option('--baseline <which>', 'pinned (default), pinned:ID, recent:N or none')
    .option('--max-p95-ratio <r>', 'fail above this p95 ratio (default 1.05)')
    .option('--note <text>', 'shown with the schedule')
    .action((opts: CreateOptions) => withClient((client) => createWatch(client, opts)));
  watch.command('list').action(() =>
    withClient(async (client) => {
      for await (const s of client.schedule.list()) {
        if (s.scheduleId.startsWith('perf-watch-'))
          console.log(`${s.scheduleId}  ${s.state.paused ? 'paused' : 'active'}  ${s.state.note ?? ''}`);
      }
    }),
  );
  const byTarget = (verb: string, run: (client: Client, id: string) => Promise<void>) =>
    watch
      .command(verb)
      .argument('<target>', 'target name (the schedule is perf-watch-<target>)')
      .action((name: string) => onSchedule(watchScheduleId(name), (client) => run(client, watchScheduleId(name))));
  byTarget('show', describeWatch);
  byTarget('pause', async (c, id) => {
    await c.schedule.getHandle(id).pause('paused with perf-orch watch pause');
    console.log(`paused ${id}`);
  });
  byTarget('unpause', async (c, id) => {
    await c.schedule.getHandle(id).unpause('unpaused with perf-orch watch unpause');
    console.log(`unpaused ${id}`);
  });
  byTarget('trigger', async (c, id) => {
    await c.schedule.getHandle(id).trigger();
    console.log(`triggered ${id}: a check starts now`);
  });
  byTarget('delete', async (c, id) => {
    await c.schedule.getHandle(id).delete();
    console.log(`deleted ${id}`);
  });
}
