// Runs the tool's profiling and analysis workflows on a target: a real Temporal dev server (the pinned
// CLI), a real worker with the real activities, as test/integration/orchestration.test.ts does.
import { DefaultLogger, type NativeConnection, Runtime } from '@temporalio/worker';
import { TASK_QUEUE } from '../../common/run';
import type { TargetProfile } from '../../common/profile';
import type { AnalysisResult, ProfilingResult } from '../../common/stages';
import { createWorkers } from '../../worker/create-worker';
import { analysisWorkflow, profilingWorkflow } from '../../workflows';
import { startTemporal, workflowBundle } from '../../test/helpers/temporal';

export interface Diagnosis {
  profiling: ProfilingResult;
  analysis: AnalysisResult;
}

let runtimeInstalled = false;

export async function diagnose(opts: {
  target: TargetProfile;
  env: Record<string, string>;
  storeUrl: string;
  runId: string;
}): Promise<Diagnosis> {
  if (!runtimeInstalled) {
    Runtime.install({ logger: new DefaultLogger('WARN') });
    runtimeInstalled = true;
  }
  const env = await startTemporal();
  try {
    const workers = await createWorkers({
      connection: env.nativeConnection as NativeConnection,
      namespace: env.namespace ?? 'default',
      storeUrl: opts.storeUrl,
      env: { ...process.env, ...opts.env },
      workflowBundle: await workflowBundle(),
    });
    const done = workers.run();
    try {
      const profiling = await env.client.workflow.execute(profilingWorkflow, {
        taskQueue: TASK_QUEUE,
        workflowId: `${opts.runId}:profiling`,
        args: [{ runId: opts.runId, target: opts.target }],
      });
      const analysis = await env.client.workflow.execute(analysisWorkflow, {
        taskQueue: TASK_QUEUE,
        workflowId: `${opts.runId}:analysis`,
        args: [{ runId: opts.runId, target: opts.target, scope: opts.target.scope, tier: 'auto', profiling }],
      });
      return { profiling, analysis };
    } finally {
      workers.shutdown();
      await done;
      await workers.close();
    }
  } finally {
    await env.teardown();
  }
}
