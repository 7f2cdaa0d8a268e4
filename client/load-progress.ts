// Live load-test progress for the CLI, read from the heartbeats of the running load-test activities
// of a run's profiling or validation child: no extra workflow state, no extra history events.
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { Phase } from '../common/run';
import type { LoadPhase } from '../common/types';
import { round } from '../common/round';

export interface LoadProgressView {
  elapsedSeconds: number;
  totalSeconds: number;
  requests: number;
  errors: number;
  currentRps: number;
  p95Ms: number;
  /** Which test runs (absent in heartbeats of workers before it): baseline, after, peak, stress, soak. */
  phase?: LoadPhase;
  /** Open model: the rate the test asks for (a stress step's). */
  rateRps?: number;
  warmup?: boolean;
  // A warm-up until steady: its cap, and once it is over, its length and whether it was steady.
  steadyWarmup?: { maxSeconds: number; endedAfterSeconds?: number; steady?: boolean };
  // The setup steps (log in) before the load: virtual users done of all; absent once the load runs.
  setup?: { done: number; total: number };
}

const CHILD_OF: Partial<Record<Phase, string>> = { profiling: 'profiling', validating: 'validation' };

export async function currentLoadProgress(
  client: Client,
  workflowId: string,
  runId: string,
  phase: Phase,
): Promise<LoadProgressView | null> {
  const step = CHILD_OF[phase];
  if (!step) return null;
  return loadProgressOf(client, `${workflowId}:${step}:${runId}`);
}

/** The load test running in this workflow now (its shards' heartbeats summed), or null. */
export async function loadProgressOf(client: Client, workflowId: string): Promise<LoadProgressView | null> {
  const desc = await client.workflow.getHandle(workflowId).describe();
  const shards = (desc.raw.pendingActivities ?? [])
    .filter((a) => a.activityType?.name === 'runLoadTest' && a.heartbeatDetails?.payloads?.length)
    .map((a) => defaultPayloadConverter.fromPayload<Partial<LoadProgressView>>(a.heartbeatDetails!.payloads![0]));
  if (shards.length === 0) return null;
  // Shards of one test run side by side: counts and rates add up, the slowest p95 shows.
  return {
    elapsedSeconds: Math.max(...shards.map((s) => s.elapsedSeconds ?? 0)),
    totalSeconds: Math.max(...shards.map((s) => s.totalSeconds ?? 0)),
    requests: shards.reduce((n, s) => n + (s.requests ?? 0), 0),
    errors: shards.reduce((n, s) => n + (s.errors ?? 0), 0),
    currentRps: shards.reduce((n, s) => n + (s.currentRps ?? 0), 0),
    p95Ms: Math.max(...shards.map((s) => s.p95Ms ?? 0)),
    ...(shards[0].phase ? { phase: shards[0].phase } : {}),
    ...(shards.some((s) => s.rateRps !== undefined) ? { rateRps: shards.reduce((n, s) => n + (s.rateRps ?? 0), 0) } : {}),
    warmup: shards.some((s) => s.warmup),
    ...(shards[0].steadyWarmup ? { steadyWarmup: shards[0].steadyWarmup } : {}),
    ...(shards.every((s) => s.setup && s.elapsedSeconds === undefined)
      ? { setup: { done: shards.reduce((n, s) => n + s.setup!.done, 0), total: shards.reduce((n, s) => n + s.setup!.total, 0) } }
      : {}),
  };
}

/** "warming up until steady", "steady after 14 s" or "not steady at the 60 s cap"; "" without a steady warm-up. */
export function describeSteadyWarmup(p: LoadProgressView): string {
  const w = p.steadyWarmup;
  if (!w) return '';
  if (p.warmup || w.endedAfterSeconds === undefined) return 'warming up until steady';
  return w.steady === false ? `not steady at the ${w.maxSeconds} s cap` : `steady after ${Math.round(w.endedAfterSeconds)} s`;
}

/** "stress load test at 120 req/s: 3/5s (steady after 6 s), 118 req/s, p95 40 ms, 0 errors" ("load 3/5s, ..." when the heartbeat has no phase). */
export function describeProgress(p: LoadProgressView): string {
  const which = p.phase ? `${p.phase} load test${p.phase === 'stress' && p.rateRps ? ` at ${round(p.rateRps)} req/s` : ''}: ` : 'load ';
  if (p.setup) return `${p.phase ? which : ''}logging in before the load: ${p.setup.done}/${p.setup.total} virtual users`;
  const warm = describeSteadyWarmup(p);
  const load = `${which}${Math.floor(p.elapsedSeconds)}/${Math.ceil(p.totalSeconds)}s${warm ? ` (${warm})` : ''}`;
  return `${load}, ${round(p.currentRps)} req/s, p95 ${round(p.p95Ms)} ms, ${p.errors} errors`;
}
