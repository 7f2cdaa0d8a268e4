import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_OPTIONS, parseGateBenchArgs } from '../../bench/gate/args';
import { alignSeconds, simultaneousTrial, windowOrder, type SecondPoint, type WindowRecord } from '../../bench/gate/sim-evaluate';
import { CONDITIONS } from '../../bench/gate/schedule';

test('bench args: --design picks alternating (default), interleaved or simultaneous; --window-seconds and --slice-ms have bounds', () => {
  assert.equal(DEFAULT_OPTIONS.design, 'alternating');
  assert.equal(parseGateBenchArgs(['--design', 'simultaneous'])!.design, 'simultaneous');
  assert.equal(parseGateBenchArgs(['--design', 'interleaved'])!.design, 'interleaved');
  assert.equal(parseGateBenchArgs(['--slice-ms', '100'])!.sliceMs, 100);
  assert.throws(() => parseGateBenchArgs(['--slice-ms', '5']), /--slice-ms must be an integer from 10 to 250/);
  assert.deepEqual(parseGateBenchArgs(['--window-seconds', '12']), { ...DEFAULT_OPTIONS, windowSeconds: 12 });
  assert.throws(
    () => parseGateBenchArgs(['--design', 'stored']),
    /--design must be one of alternating, interleaved, simultaneous \(got "stored"\)/,
  );
  assert.throws(() => parseGateBenchArgs(['--design']), /--design must be one of .* \(got null\)/);
  assert.throws(() => parseGateBenchArgs(['--window-seconds', '2']), /--window-seconds must be a number from 5 to 300/);
});

test('simultaneous windows: rotated by trial set, every condition in every position over 4 sets', () => {
  assert.deepEqual(windowOrder(0), ['none', 'p5', 'p10', 'p20']);
  assert.deepEqual(windowOrder(5), ['p5', 'p10', 'p20', 'none']);
  for (const c of CONDITIONS) assert.deepEqual([0, 1, 2, 3].map((s) => windowOrder(s).indexOf(c)).sort(), [0, 1, 2, 3], c);
  assert.throws(() => windowOrder(-1), /non-negative integer/);
});

const pt = (elapsedSeconds: number, p95Ms: number, intervalRequests = 100, warmup = false): SecondPoint => ({
  elapsedSeconds,
  p95Ms,
  intervalRequests,
  warmup,
});

test("simultaneous windows: the engines' seconds line up by whole second; empty and warm-up seconds become gaps", () => {
  const a = [pt(1.001, 5), pt(2.003, 6), pt(3.0, 7, 0), pt(4.01, 8)];
  const b = [pt(0.998, 5.5, 100, true), pt(1.999, 6.5), pt(3.002, 7.5), pt(4.0, 8.5)];
  assert.deepEqual(alignSeconds(a, b), { a: [5, 6, null, 8], b: [null, 6.5, 7.5, 8.5] });
});

test('simultaneous windows: a window becomes a trial judged by the gate rule', () => {
  const base = Array.from({ length: 10 }, (_, i) => 4 + (i % 4));
  const w: WindowRecord = {
    set: 3,
    condition: 'p20',
    busy: true,
    baseline: base,
    candidate: base.map((x, i) => x * (1.2 + (i % 2 ? 0.02 : -0.02))),
    baselineP95Ms: 6,
    candidateP95Ms: 7.2,
    requests: 1000,
    addedPct: 20,
  };
  const t = simultaneousTrial(w);
  assert.equal(t.verdict, 'fail');
  assert.ok(t.ratio! > 1.18 && t.ratio! < 1.22 && t.low! > 1, JSON.stringify(t));
  assert.equal(simultaneousTrial({ ...w, baseline: base.slice(0, 9), candidate: base.slice(0, 9) }).verdict, 'warn'); // no interval
});

test('simultaneous windows: half-second points line up by half second', () => {
  const a = [pt(0.501, 5), pt(1.0, 6), pt(1.502, 7)];
  const b = [pt(0.499, 5.5), pt(1.003, 6.5), pt(1.49, 7.5)];
  assert.deepEqual(alignSeconds(a, b, 0.5), { a: [5, 6, 7], b: [5.5, 6.5, 7.5] });
});
