// The summary of a CPU profile that was not taken (a profiler missing, a process not found, a window
// already over), whichever profiler it would have been: no figures, the problems saying why.
import type { CpuProfileSummary } from '../../common/types';

export function emptyCpuSummary(
  profiler: Pick<CpuProfileSummary, 'profiler' | 'inspectorUrl' | 'samplingIntervalUs'>,
  thresholdPct: number | undefined,
  problems: string[],
): CpuProfileSummary {
  return {
    ...profiler,
    pid: null,
    runtime: null,
    artifactId: null,
    file: null,
    durationMs: 0,
    samples: 0,
    thresholdPct: thresholdPct ?? 5,
    busyPct: 0,
    gcPct: 0,
    functions: [],
    eventLoopDelayMs: null,
    problems,
  };
}
