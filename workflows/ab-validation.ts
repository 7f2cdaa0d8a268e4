// The per-item measurement of the approved changes, after the validation's after-test: each toggle
// by interleaved A/B blocks, flipped off and on again through the same audited apply/rollback
// activities as the optimization (only changes the parent applied, so approved ones), ending on as
// approved; the indexes (costly to redo) by k blocks after the changes against the optimization's k
// blocks before them, with drift control, or by the before/after without them. See common/ab-validation.ts.
import { CancellationScope, isCancellation, patched } from '@temporalio/workflow';
import {
  abSchedule,
  abSettings,
  beforeAfterItem,
  blocksItem,
  interleavedItem,
  methodOf,
  notMeasured,
  type AbFlip,
  type AbSettings,
  type ItemMeasurement,
} from '../common/ab-validation';
import { rootCauseMessage } from '../common/failure-cause';
import type { BlocksRun, ValidationInput, ValidationResult } from '../common/stages';
import type { AppliedChange, PlanItem } from '../common/types';
import type { AbBlock } from '../common/verdict/item-effect';
import { loadTest } from './load-test';
import { actionActivities } from './optimization';
import { COSTLY_BLOCKS_PATCH, runBlocks } from './costly-blocks';

export const AB_VALIDATION_PATCH = 'ab-validation';

export async function measureItems(input: ValidationInput, result: ValidationResult): Promise<ItemMeasurement[]> {
  const settings = abSettings(input.target.load);
  const items = input.abItems ?? [];
  const measuredTogether = items.filter((o) => methodOf(o.change, settings.pairs).method === 'before-after');
  // The after blocks first, closest to the before blocks (a shorter gap, a narrower drift-corrected interval), once for every costly change.
  const blocks = measuredTogether.length > 0 && blocksMeasured(input, settings) ? await afterBlocks(input, settings) : undefined;
  const out: ItemMeasurement[] = [];
  for (const { item, change } of items) {
    const { method, why } = methodOf(change, settings.pairs);
    const together = measuredTogether.filter((o) => o.item.id !== item.id).map((o) => o.item.id);
    if (method === 'interleaved') {
      const run = await interleave(input, item, change, settings);
      out.push(interleavedItem(item, run, { regressionThresholdPct: input.regressionThresholdPct }));
    } else if (method === 'before-after' && blocks) {
      out.push(blocksItem(item, blocks, together, { regressionThresholdPct: input.regressionThresholdPct }));
    } else if (method === 'before-after') {
      const others = items.filter((o) => o.item.id !== item.id && methodOf(o.change, settings.pairs).method !== 'not-measured');
      out.push(
        beforeAfterItem(
          item,
          result.beforeAfter,
          others.map((o) => o.item.id),
        ),
      );
    } else {
      out.push(notMeasured(item, why ?? 'not measured'));
    }
  }
  return out;
}

/** The costly changes get blocks when the optimization measured at least two before them (runs before it: the before/after). */
function blocksMeasured(input: ValidationInput, s: AbSettings): boolean {
  return s.pairs >= 2 && (input.beforeBlocks?.blocks.length ?? 0) >= 2 && patched(COSTLY_BLOCKS_PATCH);
}

/** The after blocks under the baseline's load, with the optimization's before blocks. */
async function afterBlocks(input: ValidationInput, s: AbSettings): Promise<BlocksRun> {
  const before = input.beforeBlocks!;
  const after = await runBlocks({ runId: input.runId, target: input.target, concurrency: input.baseline.concurrency, side: 'after' }, s);
  const note = [before.note, after.note].filter(Boolean).join('; ');
  return { blocks: [...before.blocks, ...after.blocks], ...(note ? { note } : {}) };
}

/**
 * The blocks and flips of one item. A flip or block that fails stops the item's A/B (its note says
 * why) and the change is set on again; if that fails too, the validation fails and the parent rolls
 * the run back. A toggle someone else changed meanwhile (an "off" the rollback skips) is left as it is.
 * A cancel (the run's, or a rollback request) stops it between flips, never during one.
 */
async function interleave(
  input: ValidationInput,
  item: PlanItem,
  change: AppliedChange,
  s: AbSettings,
): Promise<{ blocks: AbBlock[]; flips: AbFlip[]; note?: string }> {
  const { runId, target, baseline } = input;
  const blocks: AbBlock[] = [];
  const flips: AbFlip[] = [];
  let on = true;
  let flipping = false;
  try {
    for (const step of abSchedule(s.pairs)) {
      if (step.kind === 'block') {
        const t = await loadTest({
          runId,
          phase: 'ab',
          target,
          concurrency: baseline.concurrency,
          durationSeconds: s.blockSeconds,
          warmupSeconds: s.warmupSeconds,
        });
        blocks.push({ with: step.with, throughputRps: t.throughputRps, p95Ms: t.latencyMs.p95, loadTestId: t.id });
        continue;
      }
      flipping = true;
      const why = `A/B validation of ${item.id}, pair ${step.pair}/${s.pairs}`;
      if (step.to === 'off') {
        const { rollbackChange } = actionActivities(target, `${why}: turn it off for a block without it`);
        // A flip is never cut short: a cancel takes effect after it, so the parent's rollback sees where it is.
        const r = await CancellationScope.nonCancellable(() => rollbackChange({ target, change, reason: `${why}: a block without it` }));
        flips.push({ to: 'off', details: r.details, ...(r.skipped ? { skipped: r.skipped } : {}) });
        if (r.skipped) return { blocks, flips, note: `A/B stopped: ${r.skipped}` };
        on = false;
      } else {
        const { applyAction } = actionActivities(target, `${why}: turn it on again`);
        const a = await CancellationScope.nonCancellable(() => applyAction({ target, item }));
        flips.push({ to: 'on', details: a.details });
        on = true;
      }
      flipping = false;
    }
    return { blocks, flips };
  } catch (err) {
    if (isCancellation(err)) throw err;
    const note = `A/B stopped: ${rootCauseMessage(err)}`;
    if (on && !flipping) return { blocks, flips, note };
    const { applyAction } = actionActivities(target, `A/B validation of ${item.id} stopped: turn it on again as approved`);
    const a = await CancellationScope.nonCancellable(() => applyAction({ target, item }));
    flips.push({ to: 'on', details: a.details });
    return { blocks, flips, note };
  }
}
