// The per-item measurement of the approved changes, after the validation's after-test: each toggle
// by interleaved A/B blocks, flipped off and on again through the same audited apply/rollback
// activities as the optimization (only changes the parent applied, so approved ones), ending on as
// approved; the indexes (costly to redo) by k blocks after the changes against the optimization's k
// blocks before them, with drift control, or by the before/after without them. See common/ab-validation.ts.
import { CancellationScope, getExternalWorkflowHandle, isCancellation, patched, workflowInfo } from '@temporalio/workflow';
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
import { itemsMeasuredSignal } from './messages';
import { COSTLY_BLOCKS_PATCH, runBlocks } from './costly-blocks';
import { actionActivities } from './optimization';

export const AB_VALIDATION_PATCH = 'ab-validation';
// An item its A/B finds worse is rolled back alone (histories before it: kept, as the verdict said only).
export const AB_WORSE_ROLLBACK_PATCH = 'ab-worse-rollback';
// A cancel mid-A/B sends the parent what was measured until then (histories before it: nothing sent).
export const AB_CANCEL_REPORT_PATCH = 'ab-cancel-report';

type AbRun = { blocks: AbBlock[]; flips: AbFlip[]; note?: string };

export async function measureItems(input: ValidationInput, result: ValidationResult): Promise<ItemMeasurement[]> {
  const settings = abSettings(input.target.load);
  const items = input.abItems ?? [];
  const measuredTogether = items.filter((o) => methodOf(o.change, settings.pairs).method === 'before-after');
  // The after blocks first, closest to the before blocks (a shorter gap, a narrower drift-corrected interval), once for every costly change.
  const blocks = measuredTogether.length > 0 && blocksMeasured(input, settings) ? await afterBlocks(input, settings) : undefined;
  const out: ItemMeasurement[] = [];
  for (const { item, change } of items) {
    const { method, why } = methodOf(change, settings.pairs);
    if (method === 'interleaved') {
      const run: AbRun = { blocks: [], flips: [] };
      await interleave(input, item, change, settings, run).catch((err: unknown) =>
        reportCancelled(err, [...out, interleavedItem(item, run)]),
      );
      const measured = interleavedItem(item, run, { regressionThresholdPct: input.regressionThresholdPct });
      out.push(measured.verdict === 'worse' && patched(AB_WORSE_ROLLBACK_PATCH) ? await rollBackWorse(input, change, measured) : measured);
    } else if (method === 'before-after' && blocks) {
      out.push(blocksItem(item, blocks, appliedWithin(items, item, blocks), { regressionThresholdPct: input.regressionThresholdPct }));
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

/**
 * The other changes the blocks' figures hold: applied after the first before block started (the
 * other costly changes, and any change a later stage applied), not the toggles applied before them.
 */
function appliedWithin(items: NonNullable<ValidationInput['abItems']>, item: PlanItem, blocks: BlocksRun): string[] {
  const start = Math.min(...blocks.blocks.filter((b) => b.side === 'before').map((b) => b.startS));
  // Alert rules change the monitoring, not the figures: they are never "measured together".
  const counts = (o: (typeof items)[number]): boolean => o.change.action.type !== 'install_alert_rules';
  return items.filter((o) => o.item.id !== item.id && counts(o) && Date.parse(o.change.appliedAt) / 1000 >= start).map((o) => o.item.id);
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

/** Rethrows; a cancel first sends the parent what was measured (a cancelled run has no result to hold it). */
async function reportCancelled(err: unknown, measured: ItemMeasurement[]): Promise<never> {
  const parent = workflowInfo().parent;
  if (isCancellation(err) && parent && patched(AB_CANCEL_REPORT_PATCH)) {
    const last = measured.at(-1);
    if (last) last.note = [last.note, 'A/B stopped: run cancelled'].filter(Boolean).join('; ');
    const handle = getExternalWorkflowHandle(parent.workflowId, parent.runId);
    await CancellationScope.nonCancellable(() => handle.signal(itemsMeasuredSignal, measured)).catch(() => undefined);
  }
  throw err;
}

/**
 * An item whose interval is wholly worse with it is turned off again through the audited rollback,
 * alone: the other approved changes stay. Not cancellable (the parent must see where it is).
 */
async function rollBackWorse(input: ValidationInput, change: AppliedChange, m: ItemMeasurement): Promise<ItemMeasurement> {
  const { target } = input;
  const reason = `A/B validation: worse with ${m.itemId} than without it`;
  const { rollbackChange } = actionActivities(target, `${reason}: roll it back alone`);
  const rolledBack = await CancellationScope.nonCancellable(() => rollbackChange({ target, change, reason }));
  const what = rolledBack.ok ? 'rolled back alone; the other changes stay' : `its rollback failed: ${rolledBack.details}`;
  return { ...m, rolledBack, note: [m.note, `worse with it: ${what}`].filter(Boolean).join('; ') };
}

/**
 * The blocks and flips of one item. A flip or block that fails stops the item's A/B (its note says
 * why) and the change is set on again; if that fails too, the validation fails and the parent rolls
 * the run back. A toggle someone else changed meanwhile (an "off" the rollback skips) is left as it is.
 * A cancel (the run's, or a rollback request) stops it between flips, never during one.
 */
async function interleave(input: ValidationInput, item: PlanItem, change: AppliedChange, s: AbSettings, run: AbRun): Promise<void> {
  const { runId, target, baseline } = input;
  const { blocks, flips } = run;
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
        if (r.skipped) {
          run.note = `A/B stopped: ${r.skipped}`;
          return;
        }
        on = false;
      } else {
        const { applyAction } = actionActivities(target, `${why}: turn it on again`);
        const a = await CancellationScope.nonCancellable(() => applyAction({ target, item }));
        flips.push({ to: 'on', details: a.details });
        on = true;
      }
      flipping = false;
    }
  } catch (err) {
    if (isCancellation(err)) throw err;
    run.note = `A/B stopped: ${rootCauseMessage(err)}`;
    if (on && !flipping) return;
    const { applyAction } = actionActivities(target, `A/B validation of ${item.id} stopped: turn it on again as approved`);
    const a = await CancellationScope.nonCancellable(() => applyAction({ target, item }));
    flips.push({ to: 'on', details: a.details });
  }
}
