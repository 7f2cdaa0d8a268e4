// A workflow interceptor module for test/replay/rebuild-report.ts: during a replay, hands the result the
// orchestration records (the recordRunResult activity's input, built by today's buildOutputContract
// from the history's data) to a sink that runs during replay. Never bundled into the real workers.
import { proxySinks, type Sinks, type WorkflowInterceptorsFactory } from '@temporalio/workflow';

export interface CaptureSinks extends Sinks {
  capture: { result(result: unknown): void };
}

const { capture } = proxySinks<CaptureSinks>();

export const interceptors: WorkflowInterceptorsFactory = () => ({
  outbound: [
    {
      async scheduleActivity(input, next) {
        if (input.activityType === 'recordRunResult') capture.result((input.args[0] as { result: unknown }).result);
        return next(input);
      },
    },
  ],
});
