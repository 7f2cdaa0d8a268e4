import type { Command } from 'commander';
import { acknowledgeSignal, escalationStatusQuery, resolveSignal } from '../../workflows/messages';
import { connectClient } from '../connect';

export function registerEscalation(program: Command): void {
  const esc = program.command('escalation').description('architecture reviews (T4) opened by runs');
  esc
    .command('status <id>')
    .description('state and notes of an escalation')
    .action(async (id: string) => {
      const { client, close } = await connectClient();
      try {
        console.log(JSON.stringify(await client.workflow.getHandle(id).query(escalationStatusQuery), null, 2));
      } finally {
        await close();
      }
    });
  esc
    .command('ack <id>')
    .description('acknowledge an escalation')
    .option('--note <text>', 'a note')
    .action(async (id: string, opts: { note?: string }) => {
      const { client, close } = await connectClient();
      try {
        await client.workflow.getHandle(id).signal(acknowledgeSignal, { by: process.env.USER || 'cli', note: opts.note });
        console.log('acknowledged');
      } finally {
        await close();
      }
    });
  esc
    .command('resolve <id>')
    .description('resolve an escalation; its workflow ends')
    .requiredOption('--resolution <text>', 'what was decided')
    .action(async (id: string, opts: { resolution: string }) => {
      const { client, close } = await connectClient();
      try {
        await client.workflow.getHandle(id).signal(resolveSignal, { by: process.env.USER || 'cli', resolution: opts.resolution });
        console.log('resolved');
      } finally {
        await close();
      }
    });
}
