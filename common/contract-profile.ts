// The profiling step's CPU profile, process and host metrics and HTTP timing, as contract fields
// (extensions of baseline_metrics). Pure.
import type { OutputContract } from './output-contract';
import type { ProfilingResult } from './stages';
import { cpuFiguresNote } from './cpu-figures';
import { round } from './round';

type ProfileMetrics = Pick<
  OutputContract['baseline_metrics'],
  'hot_functions' | 'cpu_profile' | 'process' | 'host' | 'http_timing' | 'not_measured'
>;

/** The profiling step's CPU profile, process and host metrics and HTTP timing, as report fields. */
export function profileMetrics(p: ProfilingResult): ProfileMetrics {
  const cpu = p.cpu ?? null;
  const proc = p.process;
  const io = proc?.hostIo ?? null;
  return {
    ...(p.notMeasured?.length ? { not_measured: p.notMeasured.map((m) => ({ what: m.what, reason: m.reason })) } : {}),
    hot_functions: (cpu?.functions ?? []).map((f) => ({
      function: f.functionName,
      location: f.calledFrom ? `(native, called from ${f.calledFrom})` : f.url ? `${f.url}:${f.lineNumber}` : '(native)',
      self_pct: f.selfPct,
      total_pct: f.totalPct,
      hot: f.hot,
    })),
    cpu_profile: cpu
      ? {
          artifact_id: cpu.artifactId,
          file: cpu.file,
          samples: cpu.samples,
          duration_s: round(cpu.durationMs / 1000, 1),
          busy_pct: cpu.busyPct,
          gc_pct: cpu.gcPct,
          threshold_pct: cpu.thresholdPct,
          // py-spy's share sums every Python thread of every process, as /proc does: no main-thread gap to explain.
          problems: [
            ...cpu.problems,
            ...[cpu.profiler === 'py-spy' ? null : cpuFiguresNote(cpu, proc ?? null)].filter((n): n is string => n !== null),
          ],
          ...(cpu.profiler === 'py-spy' ? { profiler: cpu.profiler, pids: cpu.pids ?? [] } : {}),
        }
      : null,
    process:
      proc || cpu
        ? {
            pid: proc?.pid ?? cpu?.pid ?? null,
            ...(proc?.pids && proc.pids.length > 1 ? { processes: proc.pids.length } : {}),
            cpu_pct_avg: proc?.cpuPctAvg ?? null,
            cpu_pct_max: proc?.cpuPctMax ?? null,
            rss_mb_max: proc?.rssMbMax ?? null,
            open_fds_max: proc?.openFdsMax ?? null,
            event_loop_delay_ms: cpu?.eventLoopDelayMs
              ? {
                  p50: cpu.eventLoopDelayMs.p50Ms,
                  p99: cpu.eventLoopDelayMs.p99Ms,
                  max: cpu.eventLoopDelayMs.maxMs,
                  mean: cpu.eventLoopDelayMs.meanMs,
                }
              : null,
          }
        : null,
    host: proc
      ? {
          cpu_pct_avg: proc.hostCpuPctAvg,
          load_avg_1: proc.loadAvg1,
          mem_used_pct: proc.hostMemUsedPct,
          disk_read_bytes_per_s: io?.diskReadBytesPerSec ?? null,
          disk_write_bytes_per_s: io?.diskWriteBytesPerSec ?? null,
          net_rx_bytes_per_s: io?.netRxBytesPerSec ?? null,
          net_tx_bytes_per_s: io?.netTxBytesPerSec ?? null,
          loopback_bytes_per_s: io?.loopbackBytesPerSec ?? null,
        }
      : null,
    http_timing: (p.network?.endpoints ?? []).map((e) => ({
      endpoint: e.name,
      method: e.method,
      samples: e.samples,
      errors: e.errors,
      connect_ms: e.connectMsAvg,
      ttfb_ms: e.ttfbMsAvg,
      transfer_ms: e.transferMsAvg,
      total_ms: e.totalMsAvg,
    })),
  };
}
