import type { Command } from 'commander';
import { acknowledgeSignal, escalationStatusQuery, resolveSignal } from '../../workflows/messages';
import { withClient } from '../connect';

export function registerEscalation(program: Command): void {
  const esc = program.command('escalation').description('architecture reviews (T4) opened by runs');
  esc
    .command('status <id>')
    .description('state and notes of an escalation')
    .action(async (id: string) => {
      await withClient(async (client) => {
        console.log(JSON.stringify(await client.workflow.getHandle(id).query(escalationStatusQuery), null, 2));
      });
    });
  esc
    .command('ack <id>')
    .description('acknowledge an escalation')
    .option('--note <text>', 'a note')
    .action(async (id: string, opts: { note?: string }) => {
      await withClient(async (client) => {
        await client.workflow.getHandle(id).signal(acknowledgeSignal, { by: process.env.USER || 'cli', note: opts.note });
        console.log('acknowledged');
      });
    });
  esc
    .command('resolve <id>')
    .description('resolve an escalation; its workflow ends')
    .requiredOption('--resolution <text>', 'what was decided')
    .action(async (id: string, opts: { resolution: string }) => {
      await withClient(async (client) => {
        await client.workflow.getHandle(id).signal(resolveSignal, { by: process.env.USER || 'cli', resolution: opts.resolution });
        console.log('resolved');
      });
    });
}
