// Replays histories recorded from real runs (the demo) against today's workflow code: a change that
// breaks determinism fails here. Re-record after an intended, versioned change with
// `node --import tsx test/replay/record.ts` (see that file).
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
  assert.ok(files.length >= 5, `expected the parent and its 4 children in ${DIR}`);
  const histories = files.map((f) => {
    const { workflowId, history } = JSON.parse(readFileSync(join(DIR, f), 'utf8'));
    return { workflowId: workflowId as string, history: historyFromJSON(history) };
  });
  const types = new Set(histories.map((h) => h.history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name));
  assert.deepEqual([...types].sort(), [
    'analysisWorkflow',
    'optimizationWorkflow',
    'performanceOrchestration',
    'profilingWorkflow',
    'validationWorkflow',
  ]);
  let replayed = 0;
  for await (const r of Worker.runReplayHistories({ workflowBundle: await workflowBundle() }, histories)) {
    assert.equal(r.error, undefined, `${r.workflowId}: ${r.error?.message}`);
    replayed++;
  }
  assert.equal(replayed, histories.length);
});
