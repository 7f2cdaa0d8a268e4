import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  NOT_MEASURED_AFTER_WINDOW,
  keepIfPaired,
  mergeLoadWindows,
  pairWithLoad,
  retrySpan,
  type LoadWindow,
  type NotMeasured,
} from '../../common/load-window';

// A load from t=10 s: 2 s warm-up, measured 12-22 s.
const load: LoadWindow = { attempt: 1, startMs: 10_000, measuredFromMs: 12_000, endMs: 22_000 };
const planned = { measureFromMs: 12_000, endMs: 22_000 };

test('a first attempt samples its whole span, whatever the time', () => {
  assert.deepEqual(retrySpan(1, 50_000, planned, { fromMs: 52_000, durationMs: 10_000 }), {
    sample: true,
    startAfterMs: 2_000,
    durationMs: 10_000,
  });
  assert.deepEqual(retrySpan(2, 50_000, undefined, { fromMs: 50_000, durationMs: 12_000 }), {
    sample: true,
    startAfterMs: 0,
    durationMs: 12_000,
  });
});

test('a retry after the planned end samples nothing and says why', () => {
  assert.deepEqual(retrySpan(2, 30_000, planned, { fromMs: 30_000, durationMs: 12_000 }), {
    sample: false,
    reason: NOT_MEASURED_AFTER_WINDOW,
  });
  // Less than a second left is not worth sampling.
  assert.equal(retrySpan(2, 21_500, planned, { fromMs: 21_500, durationMs: 12_000 }).sample, false);
});

test('a retry inside the window samples only what is left of it', () => {
  assert.deepEqual(retrySpan(2, 15_000, planned, { fromMs: 15_000, durationMs: 12_000 }), {
    sample: true,
    startAfterMs: 0,
    durationMs: 7_000,
  });
  // A profiler retried during the warm-up waits for the measured window.
  assert.deepEqual(retrySpan(3, 11_000, planned, { fromMs: 12_000, durationMs: 10_000 }), {
    sample: true,
    startAfterMs: 1_000,
    durationMs: 10_000,
  });
});

test('a sample inside the load is paired, with the share of the measured window it covers', () => {
  assert.deepEqual(pairWithLoad({ fromMs: 10_000, toMs: 22_000 }, load), { paired: true, overlapMs: 10_000, coveragePct: 100 });
  assert.deepEqual(pairWithLoad({ fromMs: 17_000, toMs: 22_500 }, load), { paired: true, overlapMs: 5_000, coveragePct: 50 });
});

test('a sample taken after the load, or mostly outside it, is not paired', () => {
  const after = pairWithLoad({ fromMs: 25_000, toMs: 37_000 }, load);
  assert.equal(after.paired, false);
  assert.match((after as { reason: string }).reason, /^not measured: .*started 3 s after the load ended.*load attempt 1/);
  const mostlyOutside = pairWithLoad({ fromMs: 19_000, toMs: 31_000 }, load);
  assert.equal(mostlyOutside.paired, false);
  assert.match((mostlyOutside as { reason: string }).reason, /only 3 s of its 12 s lie in the load window/);
  // Warm-up only: inside the load but not the measured window.
  assert.equal(pairWithLoad({ fromMs: 10_000, toMs: 12_000 }, load).paired, false);
});

test('samples or loads recorded before windows existed are taken as they are', () => {
  assert.equal(pairWithLoad(undefined, load).paired, true);
  assert.equal(pairWithLoad({ fromMs: 40_000, toMs: 50_000 }, undefined).paired, true);
});

test('keepIfPaired keeps paired samples and reports the others with their reason', () => {
  const missing: NotMeasured[] = [];
  const inside = { cpuPctAvg: 80, window: { fromMs: 10_000, toMs: 22_000 } };
  assert.equal(keepIfPaired('process', inside, load, missing), inside);
  assert.equal(keepIfPaired('cpu', { busyPct: 0.2, window: { fromMs: 30_000, toMs: 40_000 } }, load, missing), null);
  assert.equal(keepIfPaired('database-activity', { notMeasured: NOT_MEASURED_AFTER_WINDOW }, load, missing), null);
  assert.equal(keepIfPaired('cpu', null, load, missing), null);
  assert.deepEqual(
    missing.map((m) => m.what),
    ['cpu', 'database-activity'],
  );
  assert.equal(missing[1].reason, NOT_MEASURED_AFTER_WINDOW);
});

test('shards: one window from the first start to the last end; unknown when a shard has none', () => {
  const other: LoadWindow = { attempt: 2, startMs: 10_500, measuredFromMs: 12_500, endMs: 22_300 };
  assert.deepEqual(mergeLoadWindows([load, other]), { attempt: 2, startMs: 10_000, measuredFromMs: 12_000, endMs: 22_300 });
  assert.equal(mergeLoadWindows([load, undefined]), undefined);
  assert.equal(mergeLoadWindows([]), undefined);
});
