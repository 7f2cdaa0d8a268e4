import type { Command } from 'commander';
import type { OutputContract } from '../../common/output-contract';
import { withClient } from '../connect';
import { UsageError } from '../errors';
import { summary } from '../render';
import { writeReport } from '../report-files';

export function registerReport(program: Command): void {
  program
    .command('report <id>')
    .description('the output contract of a finished run: a summary, or --json')
    .option('--json', 'print the output-contract JSON')
    .option('--run-id <runId>', 'a specific run of that workflow id (default: the latest)')
    .option('--out <dir>', 'also write the report files into this folder')
    .action(async (id: string, opts: { json?: boolean; runId?: string; out?: string }) => {
      await withClient(async (client) => {
        const handle = client.workflow.getHandle(id, opts.runId);
        const desc = await handle.describe();
        if (desc.status.name === 'RUNNING') throw new UsageError(`${id} is still running; see: perf-orch status ${id}`);
        if (desc.status.name !== 'COMPLETED')
          throw new UsageError(`${id} ended ${desc.status.name}; it has no report. Its history is in the Web UI.`);
        const result = (await handle.result()) as OutputContract;
        console.log(opts.json ? JSON.stringify(result, null, 2) : summary(result));
        if (opts.out) console.error(`report: ${writeReport(result, opts.out)}`);
      });
    });
}
