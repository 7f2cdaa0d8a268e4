import type { Command } from 'commander';
import { withLaterRollback } from '../../common/later-rollback';
import { rootCauseMessage } from '../../common/failure-cause';
import type { OutputContract } from '../../common/output-contract';
import { withClient } from '../connect';
import { UsageError } from '../errors';
import { readLaterRollback } from '../later-rollback';
import { summary } from '../render';
import { writeReport } from '../report-files';
import { writeMonitoringFiles } from '../monitoring-files';
import { describeRun } from '../run-handle';

export function registerReport(program: Command): void {
  program
    .command('report <id>')
    .description('the output contract of a finished run (with any rollback after it): a summary, or --json')
    .option('--json', 'print the output-contract JSON')
    .option('--run-id <runId>', 'a specific run of that workflow id (default: the latest)')
    .option('--out <dir>', 'also write the report files into this folder')
    .action(async (id: string, opts: { json?: boolean; runId?: string; out?: string }) => {
      await withClient(async (client) => {
        const { handle, desc } = await describeRun(client, id, opts.runId);
        if (desc.status.name === 'RUNNING') throw new UsageError(`${id} is still running; see: perf-orch status ${id}`);
        if (desc.status.name !== 'COMPLETED') {
          const cause = await handle.result().then(
            () => null,
            (err: unknown) => rootCauseMessage(err),
          );
          throw new UsageError(
            `${id} ended ${desc.status.name}${cause ? `: ${cause}` : ''}; it has no report. Its history is in the Web UI.`,
          );
        }
        // A rollback after the run is recorded beside it (common/later-rollback.ts).
        const later = await readLaterRollback(client, id, desc.runId);
        const run = (await handle.result()) as OutputContract;
        // Runs finished before the contract took the specification's shape (target_system an object) print raw.
        if (typeof run.target_system !== 'string') {
          if (opts.json) return console.log(JSON.stringify(run, null, 2));
          throw new UsageError(`${id}: its result is in the output contract's earlier shape; see it with --json`);
        }
        const result = later ? withLaterRollback(run, later) : run;
        console.log(opts.json ? JSON.stringify(result, null, 2) : summary(result));
        if (opts.out) {
          const report = writeReport(result, opts.out, later);
          console.error(`report: ${report}`);
          for (const line of await writeMonitoringFiles(result, report)) console.error(line);
        }
      });
    });
}
