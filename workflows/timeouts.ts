import type { ActivityOptions } from '@temporalio/workflow';

/** Load tests heartbeat every second; their deadline grows with their length. */
export function loadTestOptions(seconds: number): ActivityOptions {
  return {
    startToCloseTimeout: `${Math.ceil(seconds * 1.5 + 60)} seconds`,
    heartbeatTimeout: '15 seconds',
    retry: { maximumAttempts: 2, initialInterval: '2 seconds' },
  };
}
