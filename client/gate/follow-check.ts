// Follows a running check: its step and the load test's progress, one line each time they change.
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { CheckResult } from '../../common/gate/types';
import { checkStepQuery } from '../../workflows/messages';
import { describeProgress, loadProgressOf } from '../load-progress';

export async function followCheck(
  client: Client,
  handle: WorkflowHandle,
  out: NodeJS.WritableStream = process.stderr,
): Promise<CheckResult> {
  let done = false;
  const result = handle.result().finally(() => {
    done = true;
  }) as Promise<CheckResult>;
  let last = '';
  let lastLoad = 0;
  const stamp = (): string => `[${new Date().toISOString().slice(11, 19)}]`;
  const poll = (async () => {
    while (!done) {
      try {
        const step = await handle.query(checkStepQuery);
        if (step !== last) out.write(`${stamp()} ${step}\n`);
        last = step;
        const load = await loadProgressOf(client, handle.workflowId);
        if (load && Date.now() - lastLoad >= 3000) {
          out.write(`${stamp()} ${describeProgress(load)}\n`);
          lastLoad = Date.now();
        }
      } catch {
        // Between workflow tasks: the next poll answers.
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  })();
  try {
    return await result;
  } finally {
    done = true;
    await poll;
  }
}
