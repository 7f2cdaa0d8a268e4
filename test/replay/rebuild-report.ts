// Rebuilds test/fixtures/demo-report.json: replays a recorded demo run (test/replay/histories) with
// today's workflow code and writes the result its finish() builds, so the fixture is a real run's
// result in today's output contract (npm run record:demo-report). Usage:
//   node --import tsx test/replay/rebuild-report.ts [history file] [out file]
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker, type InjectedSinks } from '@temporalio/worker';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { OutputContractSchema } from '../../common/output-contract';
import { workflowsPath } from '../../worker/create-worker';
import type { CaptureSinks } from './capture-result';

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const file = process.argv[2] ?? join(__dirname, 'histories', '20261128-demo-perf-shop.json');
  const out = process.argv[3] ?? join(__dirname, '..', 'fixtures', 'demo-report.json');
  const { workflowId, history } = JSON.parse(readFileSync(file, 'utf8'));
  let captured: unknown = null;
  const sinks: InjectedSinks<CaptureSinks> = {
    capture: { result: { fn: (_info, result) => void (captured = result), callDuringReplay: true } },
  };
  const workflowBundle = await bundleWorkflowCode({
    workflowsPath: workflowsPath(),
    workflowInterceptorModules: [require.resolve('./capture-result')],
    logger: { info() {}, warn() {}, error: console.error, debug() {}, trace() {}, log() {} } as never,
  });
  await Worker.runReplayHistory({ workflowBundle, sinks }, historyFromJSON(history), workflowId);
  if (!captured) throw new Error(`${file}: the replay recorded no result (does the run reach finish()?)`);
  const report = OutputContractSchema.parse(captured);
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`wrote ${out} from ${file}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
