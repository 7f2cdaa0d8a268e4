// Baselines as text: the list, and one baseline's figures (perf-orch baseline list / show). Pure.
import type { StoredBaseline } from '../common/gate/types';
import { round } from '../common/round';
import type { LoadTestSummary } from '../common/types';
import { saturationReasons } from '../common/verdict/saturation';
import { WARMING_MIN_SECONDS, warmingOf } from '../common/gate/warming-window';
import { table } from './text-table';

const n = (v: number | null | undefined, digits = 1) => (v === null || v === undefined ? '-' : String(round(v, digits)));

/** Measured seconds: the per-second series' length when it is there, else the planned duration. */
export function measuredSeconds(s: LoadTestSummary): number {
  return s.perSecond?.rps.length ?? s.durationSeconds;
}

/** Whether the host was saturated while it measured: "ok", the reasons, or why it is not known. */
export function hostLoadFlag(s: LoadTestSummary): string {
  if (!s.host) return 'not read (no host reading with this summary)';
  const reasons = saturationReasons(s.host);
  return reasons.length
    ? `SATURATED: ${reasons.join('; ')}`
    : `ok (load ${n(s.host.loadAvg1)} on ${s.host.cores} cores, CPU ${n(s.host.hostCpuPct)}%)`;
}

export function baselineListText(list: readonly StoredBaseline[]): string {
  if (list.length === 0) return 'no baselines (pin one: perf-orch baseline pin --target NAME)';
  const rows = list.map((b) => [
    b.id,
    b.target,
    b.pinned ? 'pinned' : 'unpinned',
    b.createdAt.slice(0, 16).replace('T', ' '),
    n(b.summary.latencyMs.p95),
    n(b.summary.latencyMs.p99),
    n(b.summary.throughputRps),
    n(b.summary.errorRatePct, 2),
    b.source,
  ]);
  return table([['id', 'target', 'state', 'created (UTC)', 'p95 ms', 'p99 ms', 'req/s', 'errors %', 'source'], ...rows]);
}

export function baselineShowText(b: StoredBaseline, hasHistograms: boolean): string {
  const s = b.summary;
  const l = s.latencyMs;
  const head = [
    `baseline ${b.id} of target ${b.target} (${b.pinned ? 'pinned' : 'unpinned'})`,
    `source:      ${b.source}`,
    `created:     ${b.createdAt} by ${b.createdBy}`,
    ...(b.note ? [`note:        ${b.note}`] : []),
    `latency:     p50 ${n(l.p50)} ms, p95 ${n(l.p95)} ms, p99 ${n(l.p99)} ms (max ${n(l.max)} ms)`,
    `throughput:  ${n(s.throughputRps)} req/s (${s.model ?? 'closed'} model, ${s.concurrency} connections)`,
    `errors:      ${s.errors} of ${s.requests} requests (${n(s.errorRatePct, 3)}%)` + errorKinds(s),
    `measured:    ${measuredSeconds(s)} s${s.perSecond ? ' (per-second series kept)' : ' (no per-second series)'}`,
    `host load:   ${hostLoadFlag(s)}`,
    `warm-up:     ${warmingLine(s)}`,
    `histograms:  ${hasHistograms ? 'stored (full load-test result)' : 'none'}`,
  ];
  if (s.endpoints.length === 0) return head.join('\n');
  const rows = s.endpoints.map((e) => [
    e.name,
    String(e.requests),
    n(e.requests ? (e.errors / e.requests) * 100 : 0, 2),
    n(e.latencyMs.p50),
    n(e.latencyMs.p95),
    n(e.latencyMs.p99),
  ]);
  return `${head.join('\n')}\n\n${table([['endpoint', 'requests', 'errors %', 'p50 ms', 'p95 ms', 'p99 ms'], ...rows])}`;
}

/** Whether the window looked warm: a baseline measured warming up makes every later check look fast. */
function warmingLine(s: LoadTestSummary): string {
  if (!s.perSecond) return 'not read (no per-second series)';
  const w = warmingOf(s.perSecond.p95Ms);
  if (!w)
    return s.perSecond.p95Ms.length < WARMING_MIN_SECONDS
      ? `not read (fewer than ${WARMING_MIN_SECONDS} measured seconds)`
      : 'steady (p95 did not fall within the window)';
  return (
    `WARMING: p95 fell ${w.dropPct}% within the window (${w.firstP95Ms} ms in its first third, ${w.lastP95Ms} ms in its last); ` +
    'checks compared with it will look faster than they are: pin a window measured warm (load.warmup: { until: steady })'
  );
}

function errorKinds(s: LoadTestSummary): string {
  const kinds = Object.entries(s.errorKinds).filter(([, c]) => c > 0);
  return kinds.length ? `: ${kinds.map(([k, c]) => `${k} ${c}`).join(', ')}` : '';
}
