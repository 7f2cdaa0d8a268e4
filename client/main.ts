// perf-orch: the command-line client.
import { Command } from 'commander';
import { WorkflowFailedError } from '@temporalio/client';
import { rootCauseMessage } from '../common/failure-cause';
import { ProfileError } from '../common/profile';
import { registerBaseline } from './commands/baseline';
import { registerCheck } from './commands/check';
import { registerCi } from './commands/ci-init';
import { registerDecide } from './commands/decide';
import { registerDev } from './commands/dev';
import { registerEscalation } from './commands/escalation';
import { registerReport } from './commands/report';
import { registerRollback } from './commands/rollback';
import { registerRun } from './commands/run';
import { registerStatus } from './commands/status';
import { registerWatch } from './commands/watch-schedule';
import { registerTrend } from './commands/trend';
import { UsageError } from './errors';

const program = new Command('perf-orch')
  .description(
    'End-to-end performance optimization of web services, as durable Temporal workflows.\n' +
      'Temporal is found through TEMPORAL_ADDRESS (default 127.0.0.1:7233), TEMPORAL_NAMESPACE, TEMPORAL_API_KEY.',
  )
  .showHelpAfterError();
registerRun(program);
registerCheck(program);
registerStatus(program);
registerDecide(program);
registerRollback(program);
registerReport(program);
registerEscalation(program);
registerWatch(program);
registerBaseline(program);
registerTrend(program);
registerDev(program);
registerCi(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  if (err instanceof ProfileError || err instanceof UsageError) {
    console.error(`error: ${err.message}`);
    process.exit(2);
  }
  // A failed run (run --wait): the cause inside Temporal's wrappers, not "Workflow execution failed".
  if (err instanceof WorkflowFailedError) console.error(`error: the run failed: ${rootCauseMessage(err)}`);
  else console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
