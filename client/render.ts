// Text rendering for the terminal: plan, before/after table, status.
import type { OutputContract } from '../common/output-contract';
import type { RunStatus } from '../common/run';
import type { LaterRollback } from '../common/later-rollback';
import type { RolledBackChange } from '../common/types';
import { describeAction } from '../common/contract';
import { defaultApprovalIds, needsExplicitApproval } from '../common/plan';
import { round } from '../common/round';
import { endpointSection } from './render-endpoints';
import { observabilitySection } from './render-observability';
import { table } from './text-table';
import { roiLines } from './render-roi';
import { measurementLines } from './render-verdict';
import { itemRows } from './render-items';

/** One decimal is what a before/after table can honestly show. */
const fmt = (n: number) => String(round(n));

const LABELS: Record<string, string> = {
  p95Ms: 'p95 latency (ms)',
  p99Ms: 'p99 latency (ms)',
  throughputRps: 'throughput (req/s)',
  errorRatePct: 'error rate (%)',
};

export { table };

export function beforeAfterTable(result: OutputContract): string {
  const rows = result.validation_results.improvement_summary.comparison;
  if (rows.length === 0) {
    const b = result.baseline_metrics;
    return table([
      ['metric', 'target', 'baseline'],
      ['p95 latency (ms)', fmt(result.performance_targets.latency_p95_ms), fmt(b.latency_p95_ms)],
      ['p99 latency (ms)', fmt(result.performance_targets.latency_p99_ms), fmt(b.latency_p99_ms)],
      ['throughput (req/s)', fmt(result.performance_targets.throughput_rps), fmt(b.throughput_rps)],
      ['error rate (%)', fmt(result.performance_targets.error_rate_percent), fmt(b.error_rate_percent)],
    ]);
  }
  return table([
    ['metric', 'target', 'before', 'after', 'change', 'target met'],
    ...rows.map((r) => [
      LABELS[r.metric],
      fmt(r.target),
      fmt(r.before),
      fmt(r.after),
      `${r.changePct > 0 ? '+' : ''}${r.changePct}%${r.regressed ? ' REGRESSED' : ''}`,
      r.metAfter ? 'yes' : 'no',
    ]),
  ]);
}

export function planTable(status: RunStatus): string {
  if (!status.plan) return '(no plan yet)';
  if (status.plan.items.length === 0) return '(the plan is empty: nothing to optimize in scope)';
  const byDefault = new Set(defaultApprovalIds(status.plan));
  return table([
    ['id', 'layer', 'priority', 'impact', 'est. gain', 'effort', 'kind', 'action'],
    ...status.plan.items.map((i) => [
      i.id,
      i.layer,
      i.priority ?? '-',
      String(i.impactScore),
      `${i.estimatedGainPct}%`,
      `${i.effortDays} d`,
      i.automatic ? (needsExplicitApproval(i) ? 'by id' : byDefault.has(i.id) ? 'auto' : 'by id (not top 5)') : 'manual',
      describeAction(i.action).slice(0, 90),
    ]),
  ]);
}

/** What a run applied, failed to apply, did not attempt and rolled back (during the run and after it). */
export function changeLines(s: RunStatus, later: LaterRollback | null): string[] {
  const lines: string[] = [];
  const undo = (r: RolledBackChange) => `${r.itemId}${!r.ok ? ' (FAILED)' : r.skipped ? ` (skipped: ${r.skipped})` : ''}`;
  if (s.applied.length) lines.push(`applied: ${s.applied.map((a) => a.itemId).join(', ')}`);
  if (s.failed) {
    lines.push(`failed: ${s.failed.itemId}: ${s.failed.error}`);
    const tried = new Set([...s.applied.map((a) => a.itemId), s.failed.itemId]);
    const approved = s.decision?.kind === 'approved' ? s.decision.itemIds : [];
    const skipped = approved.filter((i) => !tried.has(i));
    if (skipped.length) lines.push(`skipped (not attempted after ${s.failed.itemId} failed): ${skipped.join(', ')}`);
  }
  if (s.rolledBack.length) lines.push(`rolled back: ${s.rolledBack.map(undo).join(', ')}`);
  for (const m of s.measuredItems ?? []) {
    const blocks = m.blocks?.length ?? 0;
    lines.push(
      `measured before the end: ${m.itemId}: ${blocks} A/B block(s), ${m.flips?.length ?? 0} flip(s), ${m.verdict}${m.note ? ` (${m.note})` : ''}`,
    );
  }
  if (later?.running) lines.push(`rollback after the run under way: ${later.workflowId}`);
  if (later?.changes.length) {
    lines.push(`rolled back after the run (${later.workflowId}, ended ${later.closedAt}): ${later.changes.map(undo).join(', ')}`);
  }
  return lines;
}

/** Bytes per second, in B/s, KB/s, MB/s or GB/s (powers of 1024). */
export function rate(bytesPerSec: number | null | undefined): string {
  if (bytesPerSec == null) return 'n/a';
  const units = ['B/s', 'KB/s', 'MB/s', 'GB/s'];
  let v = bytesPerSec;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? Math.round(v) : fmt(v)} ${units[u]}`;
}

/** A short name for a function's place: the script's file name and line. */
function processCount(n: number): string {
  return n === 1 ? '1 process' : `${n} processes`;
}

function shortLocation(location: string): string {
  const m = /^(.*):(\d+)$/.exec(location);
  if (!m) return location;
  const file =
    m[1]
      .replace(/[?#].*$/, '')
      .split('/')
      .filter(Boolean)
      .pop() ?? m[1];
  return `${file}:${m[2]}`;
}

/**
 * The profiling step: top functions of the CPU profile, process and host metrics, HTTP timing per
 * endpoint. Tolerates reports written before these fields existed (nothing is shown for them).
 */
export function profileSection(result: OutputContract, topFunctions = 8): string[] {
  const b = result.baseline_metrics as Partial<OutputContract['baseline_metrics']>;
  const lines: string[] = ['profile (baseline load):'];
  const cpu = b.cpu_profile ?? null;
  const fns = b.hot_functions ?? [];
  if (cpu) {
    if (fns.length > 0) {
      const of =
        cpu.profiler === 'py-spy'
          ? `% of one core over the window, summed over ${processCount(cpu.pids?.length ?? 0)}`
          : '% of the window on the main thread';
      lines.push(`  hot functions (self / total, ${of}; * = self over ${cpu.threshold_pct}%; native code counts in its caller's self):`);
      const shown = fns.slice(0, topFunctions);
      lines.push(
        ...table([
          ['function', 'where', 'self %', 'total %'],
          ...shown.map((f) => [`${f.hot ? '* ' : '  '}${f.function}`, shortLocation(f.location), fmt(f.self_pct), fmt(f.total_pct)]),
        ])
          .split('\n')
          .map((l) => `    ${l}`),
      );
    }
    const where = [cpu.file ? `file ${cpu.file}` : null, cpu.artifact_id ? `store artifact ${cpu.artifact_id}` : null]
      .filter(Boolean)
      .join(', ');
    const busy =
      cpu.profiler === 'py-spy'
        ? `Python threads busy ${fmt(cpu.busy_pct)}% of a core (py-spy)`
        : `main thread busy ${fmt(cpu.busy_pct)}% (samples not idle), GC ${fmt(cpu.gc_pct)}%`;
    lines.push(`  CPU profile: ${cpu.samples} samples over ${fmt(cpu.duration_s)} s, ${busy}${where ? `; ${where}` : ''}`);
    for (const p of cpu.problems) lines.push(`  ! ${p}`);
  } else if (!b.not_measured?.some((m) => m.what === 'cpu')) {
    lines.push(
      '  CPU profile: none (set process.inspectorUrl in the profile for a Node.js target started with --inspect, process.pySpy for a Python one)',
    );
  }
  for (const m of b.not_measured ?? []) lines.push(`  ! ${m.what}: ${m.reason}`);
  const proc = b.process ?? null;
  if (proc) {
    const parts = [
      `pid ${proc.pid ?? 'not on this host'}${proc.processes ? ` (${proc.processes} processes: master and workers, summed)` : ''}`,
      proc.cpu_pct_avg != null
        ? `CPU ${fmt(proc.cpu_pct_avg)}% of a core (/proc, all threads; max ${fmt(proc.cpu_pct_max ?? proc.cpu_pct_avg)}%)`
        : null,
      proc.rss_mb_max != null ? `RSS max ${fmt(proc.rss_mb_max)} MB` : null,
      proc.open_fds_max != null ? `open fds max ${proc.open_fds_max}` : null,
      proc.event_loop_delay_ms
        ? `event-loop delay p99 ${fmt(proc.event_loop_delay_ms.p99)} ms (p50 ${fmt(proc.event_loop_delay_ms.p50)}, max ${fmt(proc.event_loop_delay_ms.max)})`
        : null,
    ].filter(Boolean);
    lines.push(`  process: ${parts.join(', ')}`);
  }
  const host = b.host ?? null;
  if (host) {
    const io =
      host.disk_read_bytes_per_s != null
        ? `, disk read ${rate(host.disk_read_bytes_per_s)} write ${rate(host.disk_write_bytes_per_s)}, ` +
          `net rx ${rate(host.net_rx_bytes_per_s)} tx ${rate(host.net_tx_bytes_per_s)}, ` +
          `loopback ${rate(host.loopback_bytes_per_s)}`
        : '';
    lines.push(`  host: CPU ${fmt(host.cpu_pct_avg)}%, load ${fmt(host.load_avg_1)}, memory ${fmt(host.mem_used_pct)}% used${io}`);
  }
  const http = b.http_timing ?? [];
  if (http.length > 0) {
    lines.push('  HTTP timing per endpoint (fresh connections, mean ms):');
    lines.push(
      ...table([
        ['endpoint', 'connect', 'TTFB', 'transfer', 'total', 'samples'],
        ...http.map((e) => [
          `${e.method} ${e.endpoint}`,
          fmt(e.connect_ms),
          fmt(e.ttfb_ms),
          fmt(e.transfer_ms),
          fmt(e.total_ms),
          `${e.samples}${e.errors ? ` (${e.errors} failed)` : ''}`,
        ]),
      ])
        .split('\n')
        .map((l) => `    ${l}`),
    );
  }
  return lines;
}

const withBlank = (lines: string[]) => (lines.length ? [...lines, ''] : []);

/** Each applied change: estimated next to measured (positive = better), with the method and the verdict. */
export function itemSection(result: OutputContract): string[] {
  const { rows, notes } = itemRows(result);
  if (rows.length === 0) return [];
  const indented = table(rows)
    .split('\n')
    .map((l) => `  ${l}`);
  return ['per item (estimated vs measured gain; positive = better):', ...indented, ...notes.map((n) => `  ! ${n}`)];
}

export function summary(result: OutputContract): string {
  const s = result.validation_results;
  const where = `${result.target_system} (${result.target_system_details.base_url})`;
  const lines = [
    `target ${where}, tier ${result.baseline_metrics.tier}, outcome: ${s.improvement_summary.outcome}`,
    '',
    beforeAfterTable(result),
    '',
    ...withBlank(measurementLines(result)),
    ...withBlank(itemSection(result)),
    ...profileSection(result),
    '',
    ...withBlank(observabilitySection(result)),
    ...withBlank(endpointSection(result)),
    `load tests: ${s.load_tests_run.join(', ')}; targets met: ${s.targets_met ? 'yes' : 'no'}`,
    'optimizations:',
    ...result.optimizations_implemented.map((o) => `  [${itemLabel(o)}] ${o.id}: ${o.description} (${o.type}, est. ${o.estimated_impact})`),
    ...roiLines(result),
    'next steps:',
    ...result.next_steps.map((n) => `  - ${n}`),
  ];
  return lines.join('\n');
}

/** The item's status in the specification's words; a planned item says why it was not applied. */
export function itemLabel(o: Pick<OutputContract['optimizations_implemented'][number], 'status' | 'state'>): string {
  return o.status === 'planned' ? `planned: ${o.state.replace(/_/g, ' ')}` : o.status;
}
