// The per-item table of the reports: each applied change's estimated gain (the plan's) next to its
// measured gain with the 95% interval, how it was measured, and the verdict (common/ab-validation.ts).
import type { OutputContract } from '../common/output-contract';

type Item = OutputContract['optimizations_implemented'][number];
type Measured = NonNullable<Item['measured']>;
type ContractVerdict = Measured['p95'];

const signed = (x: number): string => `${x >= 0 ? '+' : ''}${x.toFixed(1)}%`;

/** "+45.0% (+30.1% to +57.2%)", or "-" without an interval. */
export function measuredCell(v: ContractVerdict): string {
  if (v.improvement_pct === null || v.ci_low_pct === null || v.ci_high_pct === null) return '-';
  return `${signed(v.improvement_pct)} (${signed(v.ci_low_pct)} to ${signed(v.ci_high_pct)})`;
}

/** "no drift detected" / "drift corrected: throughput +3.1%/min" / "drift NOT corrected (...)" for before/after blocks. */
export function driftText(d: Measured['drift']): string {
  if (!d) return 'drift not estimable';
  if (!d.detected) return 'no drift detected';
  const rate = (x: number | null) => (x === null ? '?' : `${x >= 0 ? '+' : ''}${x}%/min`);
  const how = d.corrected ? 'drift corrected' : 'drift NOT corrected (the sides too far apart)';
  return `${how}: throughput ${rate(d.throughput_pct_per_min)}, p95 ${rate(d.p95_pct_per_min)}`;
}

export function methodCell(m: Measured): string {
  const others = m.together.length ? `, with ${m.together.join(', ')}` : '';
  if (m.method === 'interleaved') return `interleaved A/B, ${m.p95.n} pairs`;
  if (m.method === 'blocks') return `blocks (${m.throughput.n || m.p95.n} a side, ${driftText(m.drift)})${others}`;
  if (m.method === 'before-after') return `before/after${others}`;
  return 'not measured';
}

export const ITEM_HEADER = ['item', 'estimated', 'p95 measured (95% joint CI)', 'throughput measured (95% joint CI)', 'method', 'verdict'];

export interface ItemRows {
  rows: string[][]; // header first
  notes: string[];
}

/** The rows of the per-item table (no rows when no item was measured: nothing applied, or a run before it). */
export function itemRows(result: OutputContract): ItemRows {
  const measured = result.optimizations_implemented.filter((o) => o.measured);
  const rows = measured.map((o) => {
    const m = o.measured!;
    const low = m.confidence === 'low' ? ' (low confidence)' : '';
    return [o.id, `${o.estimated_gain_pct}%`, measuredCell(m.p95), measuredCell(m.throughput), methodCell(m), `${m.verdict}${low}`];
  });
  const notes = measured.filter((o) => o.measured!.note).map((o) => `${o.id}: ${o.measured!.note}`);
  return { rows: rows.length ? [ITEM_HEADER, ...rows] : [], notes };
}
