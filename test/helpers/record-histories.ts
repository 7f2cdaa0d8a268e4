// With PERF_RECORD_HISTORIES=1, a test saves the histories of the workflows it ran into
// test/replay/histories/ (named by date and scenario), so the replay test keeps checking that later
// workflow code still replays them. Without it, nothing is written.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';

export const HISTORIES_DIR = join(__dirname, '../replay/histories');

export async function recordHistories(client: Client, scenario: string, workflowIds: string[]): Promise<void> {
  if (!process.env.PERF_RECORD_HISTORIES) return;
  mkdirSync(HISTORIES_DIR, { recursive: true });
  const day = new Date().toISOString().slice(0, 10).replaceAll('-', '');
  const seen = new Map<string, number>();
  for (const id of workflowIds) {
    const history = await client.workflow.getHandle(id).fetchHistory();
    const type = history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name ?? 'unknown';
    // Two workflows of one type in a scenario get -2, -3...: none overwrites another.
    const n = (seen.get(type) ?? 0) + 1;
    seen.set(type, n);
    const file = join(HISTORIES_DIR, `${day}-${scenario}-${type}${n > 1 ? `-${n}` : ''}.json`);
    writeFileSync(file, JSON.stringify({ workflowId: id, history: JSON.parse(historyToJSON(history)) }, null, 1));
  }
}
