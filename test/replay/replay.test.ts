// Replays histories recorded from real runs against today's workflow code: a change that breaks
// determinism fails here. The demo's run is recorded by test/replay/record.ts; the outcomes the demo
// never reaches (escalation, rollback of a finished run, failed apply, T4, load-test shards) by their
// integration tests with PERF_RECORD_HISTORIES=1 (npm run record:histories). The replay policy is
// in the README's testing section.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker, Runtime, DefaultLogger } from '@temporalio/worker';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { workflowBundle } from '../helpers/temporal';

Runtime.install({ logger: new DefaultLogger('WARN') });
const DIR = join(__dirname, 'histories');

test('recorded histories replay without nondeterminism', async () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.json'));
  assert.ok(files.length >= 8, `expected every workflow type in ${DIR}`);
  const histories = files.map((f) => {
    const { workflowId, history } = JSON.parse(readFileSync(join(DIR, f), 'utf8'));
    return { workflowId: workflowId as string, history: historyFromJSON(history) };
  });
  const types = new Set(histories.map((h) => h.history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name));
  assert.deepEqual([...types].sort(), [
    'analysisWorkflow',
    'architectureEscalation',
    'loadTestWorkflow',
    'optimizationWorkflow',
    'performanceOrchestration',
    'profilingWorkflow',
    'rollbackChangesWorkflow',
    'validationWorkflow',
  ]);
  let replayed = 0;
  for await (const r of Worker.runReplayHistories({ workflowBundle: await workflowBundle() }, histories)) {
    assert.equal(r.error, undefined, `${r.workflowId}: ${r.error?.message}`);
    replayed++;
  }
  assert.equal(replayed, histories.length);
});
