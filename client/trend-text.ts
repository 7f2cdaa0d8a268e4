// perf-orch trend as text: one row per point, then the runs that changed something. Pure.
import type { Trend } from '../common/gate/trend';
import { round } from '../common/round';
import { table } from './text-table';

const n = (v: number, digits = 1) => String(round(v, digits));
export const when = (iso: string) => iso.slice(0, 16).replace('T', ' ');

export function trendText(target: string, t: Trend): string {
  if (t.points.length === 0) return `no finished runs or checks of target ${target} in the store`;
  const marked = new Set(t.markers.map((m) => m.ref));
  const rows = t.points.map((p) => [
    when(p.at),
    p.kind,
    p.window,
    n(p.p95Ms),
    n(p.p99Ms),
    n(p.throughputRps),
    n(p.errorRatePct, 2),
    p.verdict,
    `${p.ref}${p.window === 'after' && marked.has(p.ref) ? ' *' : ''}`,
  ]);
  const out = [
    `trend of ${target}: ${t.points.length} point(s), oldest first`,
    table([['time (UTC)', 'kind', 'window', 'p95 ms', 'p99 ms', 'req/s', 'errors %', 'verdict/outcome', 'workflow/run'], ...rows]),
  ];
  if (t.markers.length) {
    out.push('', '* changes (runs that applied or rolled back something):');
    t.markers.forEach((m, i) => {
      out.push(`  #${i + 1} ${when(m.at)} ${m.ref} (${m.outcome})`);
      for (const a of m.applied) out.push(`      applied:     ${a}`);
      for (const r of m.rolledBack) out.push(`      rolled back: ${r}`);
    });
  }
  return out.join('\n');
}
