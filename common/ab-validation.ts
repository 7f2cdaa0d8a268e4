// Per-item validation of the approved changes (issue 11): which method measures each change, the
// interleaved A/B schedule for the ones cheap to undo, and the per-item record the report shows
// next to the plan's estimate. Pure: the validation workflow runs the schedule.
//   interleaved:  a feature toggle (undo and redo are one quick, audited API call each): short load
//                 blocks with it, without it, with, without... (abPairs pairs), ending with it on.
//   blocks:       an index or anything else costly to redo: k blocks just before the first costly
//                 change and k once right after the after-test (before the toggles' A/B), with
//                 drift control (common/verdict/blocks.ts); they hold every costly change applied.
//   before-after: the same, when there are no blocks (abPairs below 2, a run recorded before them):
//                 the baseline's and the after-test's seconds in batches (the before/after verdict).
//   not-measured: the run changed nothing (an index or a toggle value that was already there).
import type { LoadConfig } from './profile';
import type { AppliedChange, PlanItem, RolledBackChange } from './types';
import type { BeforeAfter } from './verdict/before-after';
import { interleavedVerdicts, itemVerdict, type AbBlock, type ItemVerdicts } from './verdict/item-effect';
import { blockVerdicts, describeBlockDrift, type BlockDrift, type TimedBlock } from './verdict/blocks';
import { describeVerdict } from './verdict/verdict';
import { judgeEffect, type VerdictOptions, type VerdictWord, type Verdict } from './verdict/verdict';

export const AB_DEFAULT_PAIRS = 3;
export const AB_MAX_BLOCK_SECONDS = 5;

export type ItemMethod = 'interleaved' | 'blocks' | 'before-after' | 'not-measured';

export interface AbSettings {
  pairs: number; // 0: no A/B, every change is measured before/after
  blockSeconds: number;
  warmupSeconds: number;
}

/** The profile's A/B settings; defaults: 3 pairs of blocks of min(5 s, durationSeconds) after at most 1 s of warm-up. */
export function abSettings(load: Pick<LoadConfig, 'durationSeconds' | 'warmupSeconds' | 'abPairs' | 'abBlockSeconds'>): AbSettings {
  return {
    pairs: load.abPairs ?? AB_DEFAULT_PAIRS,
    blockSeconds: load.abBlockSeconds ?? Math.min(AB_MAX_BLOCK_SECONDS, load.durationSeconds),
    warmupSeconds: Math.min(1, load.warmupSeconds),
  };
}

/** Load seconds of one item's A/B (its blocks and their warm-ups). */
export function abSecondsPerItem(s: AbSettings): number {
  return s.pairs * 2 * (s.blockSeconds + s.warmupSeconds);
}

const sameValue = (a: unknown, b: unknown): boolean => Object.is(a, b) || JSON.stringify(a) === JSON.stringify(b);

/** How an applied change is measured, and why when it is not. */
export function methodOf(change: AppliedChange, pairs: number): { method: ItemMethod; why?: string } {
  const u = change.undo;
  const a = change.action;
  if (u.type === 'none') return { method: 'not-measured', why: `the run changed nothing: ${u.why}` };
  if (u.type === 'remove_alert_rules') return { method: 'not-measured', why: 'alert rules change the monitoring, not the service' };
  if (u.type === 'set_toggle') {
    if (a.type === 'feature_toggle' && sameValue(u.value, a.value)) {
      return { method: 'not-measured', why: `the run changed nothing: toggle ${u.toggle} was already ${JSON.stringify(a.value)}` };
    }
    return { method: pairs >= 2 ? 'interleaved' : 'before-after' };
  }
  return { method: 'before-after' };
}

export type AbStep = { kind: 'block'; with: boolean; pair: number } | { kind: 'flip'; to: 'off' | 'on'; pair: number };

/** With, off, without, on for each pair: blocks alternate, and the change ends on as approved. */
export function abSchedule(pairs: number): AbStep[] {
  const steps: AbStep[] = [];
  for (let pair = 1; pair <= pairs; pair++) {
    steps.push(
      { kind: 'block', with: true, pair },
      { kind: 'flip', to: 'off', pair },
      { kind: 'block', with: false, pair },
      { kind: 'flip', to: 'on', pair },
    );
  }
  return steps;
}

/** One toggle flip of an A/B, as the apply/rollback activity reported it. */
export interface AbFlip {
  to: 'off' | 'on';
  details: string;
  skipped?: string;
}

/** One approved item's estimated and measured gain. */
export interface ItemMeasurement extends ItemVerdicts {
  itemId: string;
  estimatedGainPct: number;
  method: ItemMethod;
  verdict: VerdictWord;
  /** interleaved: the blocks in order, and every flip (each a real, audited change). */
  blocks?: AbBlock[];
  flips?: AbFlip[];
  /** blocks: the before and after blocks, and the drift the blocks showed, per metric. */
  timedBlocks?: TimedBlock[];
  drift?: { throughput: BlockDrift | null; p95: BlockDrift | null };
  /** before-after and blocks: the other applied items whose effect the same figures hold. */
  together?: string[];
  confidence?: { level: 'ok' | 'low'; reasons: string[] };
  /** Why the item was not measured, or why its A/B stopped early. */
  note?: string;
  /** interleaved: the item was worse with it, and was rolled back alone (workflows/ab-validation.ts). */
  rolledBack?: RolledBackChange;
}

const NO_DATA: Verdict = judgeEffect(null, 'higher-is-better');

function measurement(item: PlanItem, method: ItemMethod, v: ItemVerdicts, extra: Partial<ItemMeasurement> = {}): ItemMeasurement {
  return { itemId: item.id, estimatedGainPct: item.estimatedGainPct, method, ...v, verdict: itemVerdict(v), ...extra };
}

export function notMeasured(item: PlanItem, why: string): ItemMeasurement {
  return measurement(item, 'not-measured', { throughput: NO_DATA, p95: NO_DATA }, { note: why });
}

/** A change measured by the before/after of the whole validation, with the others applied with it. */
export function beforeAfterItem(item: PlanItem, ba: BeforeAfter | null | undefined, together: string[]): ItemMeasurement {
  const v = ba ? { throughput: ba.throughput, p95: ba.p95 } : { throughput: NO_DATA, p95: NO_DATA };
  return measurement(item, 'before-after', v, {
    together,
    ...(ba ? { confidence: { level: ba.confidence.level, reasons: ba.confidence.reasons } } : {}),
  });
}

/** A change measured by interleaved blocks (paired intervals: see interleavedVerdicts). */
export function interleavedItem(
  item: PlanItem,
  run: { blocks: AbBlock[]; flips: AbFlip[]; note?: string },
  opts: VerdictOptions = {},
): ItemMeasurement {
  const { blocks, flips, note } = run;
  return measurement(item, 'interleaved', interleavedVerdicts(blocks, opts), { blocks, flips, ...(note ? { note } : {}) });
}

/** A change costly to redo measured by before/after blocks with drift control (blockVerdicts), with the other costly ones. */
export function blocksItem(
  item: PlanItem,
  run: { blocks: TimedBlock[]; note?: string },
  together: string[],
  opts: VerdictOptions = {},
): ItemMeasurement {
  const v = blockVerdicts(run.blocks, opts);
  const notes = [...v.confidence.reasons, ...(run.note ? [run.note] : [])];
  return measurement(
    item,
    'blocks',
    { throughput: v.throughput, p95: v.p95 },
    { timedBlocks: run.blocks, drift: v.drift, together, confidence: v.confidence, ...(notes.length ? { note: notes.join('; ') } : {}) },
  );
}

/** The Web UI's lines for the costly changes measured by blocks (none when no item was). */
export function blocksLines(items: readonly ItemMeasurement[]): string[] {
  const measured = items.filter((m) => m.method === 'blocks');
  if (measured.length === 0) return [];
  const m = measured[0];
  const lines = [
    `**${measured.map((x) => x.itemId).join(', ')}: before/after blocks**`,
    `throughput ${describeVerdict(m.throughput)}`,
    `p95 latency ${describeVerdict(m.p95)}`,
    `drift within the blocks: throughput ${describeBlockDrift(m.drift?.throughput ?? null)}, p95 ${describeBlockDrift(m.drift?.p95 ?? null)}`,
  ];
  if (m.confidence?.level === 'low') lines.push(`LOW CONFIDENCE: ${m.confidence.reasons.join('; ')}`);
  return lines;
}
