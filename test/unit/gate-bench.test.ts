// The pure parts of npm run bench:gate: the block schedule, the trials made from blocks, the tally
// of verdicts into rates and targets, the command line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseGateBenchArgs, DEFAULT_OPTIONS } from '../../bench/gate/args';
import { interleavedTrials, storedBaseline, storedTrials } from '../../bench/gate/evaluate';
import { formatTallies, formatTargets } from '../../bench/gate/report';
import { anotherSetFits, ARMS, busyTrialSet, roundOrder, type Arm, type BlockRecord } from '../../bench/gate/schedule';
import { checkTargets, median, tallyCondition, type Trial } from '../../bench/gate/tally';

test('schedule: each round is the arms rotated by one, so over 5 rounds every arm takes every position once', () => {
  assert.deepEqual(roundOrder(0), ['A', 'none', 'p5', 'p10', 'p20']);
  assert.deepEqual(roundOrder(1), ['none', 'p5', 'p10', 'p20', 'A']);
  assert.deepEqual(roundOrder(7), roundOrder(2));
  for (const arm of ARMS) {
    const positions = [0, 1, 2, 3, 4].map((r) => roundOrder(r).indexOf(arm)).sort();
    assert.deepEqual(positions, [0, 1, 2, 3, 4], arm);
  }
  assert.throws(() => roundOrder(-1), /non-negative integer/);
  assert.deepEqual([0, 1, 2, 3].map(busyTrialSet), [false, true, false, true]);
  const fits = (nowMs: number) => anotherSetFits({ nowMs, deadlineMs: 100_000, secondsPerRound: 8, roundsPerSet: 5 });
  assert.equal(fits(60_000), true); // 60 + 40 = 100 s: just fits
  assert.equal(fits(60_001), false);
});

/** k rounds of one set: A at `a` ms p95, each condition at a times its factor (times a per-round wobble). */
function setBlocks(set: number, a: number, factor: Partial<Record<Arm, number>>, k = 5, busy = false): BlockRecord[] {
  const out: BlockRecord[] = [];
  for (let round = 0; round < k; round++) {
    const wobble = 1 + 0.01 * ((round % 3) - 1);
    for (const arm of roundOrder(round)) {
      const p95Ms = a * wobble * (factor[arm] ?? 1) * (arm === 'p20' ? 1 + 0.004 * round : 1);
      out.push({ set, round, arm, busy, p95Ms, perSecondP95Ms: [p95Ms, p95Ms * 1.01], requests: 100, addedPct: null });
    }
  }
  return out;
}

test('interleaved trials: one per condition per set, from the round-by-round (A, candidate) pairs', () => {
  const blocks = setBlocks(0, 10, { none: 1, p5: 1.03, p10: 1.1, p20: 1.2 });
  const trials = interleavedTrials(blocks, 0);
  assert.deepEqual(
    trials.map((t) => [t.condition, t.verdict]),
    [
      ['none', 'pass'],
      ['p5', 'warn'], // surely slower, within 1.05
      ['p10', 'fail'],
      ['p20', 'fail'],
    ],
  );
  assert.ok(Math.abs(trials[2].ratio! - 1.1) < 1e-9 && trials[2].low! > 1);
  assert.equal(trials[0].busy, false);
  // A set with a missing block: that round's pair is left out (4 pairs still give an interval).
  const partial = blocks.filter((b) => !(b.round === 4 && b.arm === 'p10'));
  assert.equal(interleavedTrials(partial, 0)[2].verdict, 'fail');
});

test("stored trials: later sets against the first set's A blocks (per-second p95); a busy host reads as a regression", () => {
  const blocks = [...setBlocks(0, 10, {}), ...setBlocks(1, 10, {}, 5, true), ...setBlocks(2, 20, {})];
  assert.equal(storedBaseline(blocks).length, 10);
  const trials = storedTrials(blocks);
  assert.equal(trials.length, 8); // sets 1 and 2, four conditions each
  assert.deepEqual(
    trials.filter((t) => t.set === 1).map((t) => t.verdict),
    ['pass', 'pass', 'pass', 'pass'],
  );
  const slowHost = trials.filter((t) => t.set === 2);
  assert.ok(
    slowHost.every((t) => t.verdict === 'fail' && Math.abs(t.ratio! - 2) < 0.05),
    JSON.stringify(slowHost),
  );
  assert.equal(trials.find((t) => t.set === 1)?.busy, true);
});

const trial = (condition: Trial['condition'], verdict: Trial['verdict'], busy = false, ratio: number | null = 1): Trial => ({
  set: 0,
  condition,
  busy,
  ratio,
  low: null,
  high: null,
  verdict,
});

test('tally: fail / warn / pass counts, rates with Wilson intervals, quiet vs busy, the median ratio', () => {
  const trials = [
    trial('p10', 'fail', false, 1.12),
    trial('p10', 'warn', true, 1.06),
    trial('p10', 'pass', true, 1.01),
    trial('p10', 'fail', false, null),
    trial('none', 'pass'),
  ];
  const t = tallyCondition(trials, 'p10');
  assert.deepEqual([t.trials, t.fail, t.warn, t.pass], [4, 2, 1, 1]);
  assert.equal(t.flagged!.k, 3);
  assert.equal(t.failed!.k, 2);
  assert.ok(t.flagged!.low < 0.75 && t.flagged!.high > 0.75 && t.flagged!.high <= 1);
  assert.deepEqual([t.quiet.trials, t.quiet.flagged!.k, t.busy.trials, t.busy.flagged!.k, t.busy.failed!.k], [2, 2, 2, 1, 0]);
  assert.equal(t.medianRatio, 1.06);
  assert.equal(tallyCondition(trials, 'p20').flagged, null);
  assert.equal(median([]), null);
  assert.equal(median([3, 1, 2, 10]), 2.5);
});

test('targets: >= 95% fail-or-warn at 10% and 20%, <= 5% fail with nothing planted; MET / MISSED / NO DATA', () => {
  const many = (c: Trial['condition'], v: Trial['verdict'], n: number) => Array.from({ length: n }, () => trial(c, v));
  const trials = [...many('p10', 'warn', 38), ...many('p10', 'pass', 2), ...many('p20', 'fail', 37), ...many('p20', 'pass', 3)];
  trials.push(...many('none', 'fail', 2), ...many('none', 'warn', 10), ...many('none', 'pass', 28));
  const tallies = (['none', 'p5', 'p10', 'p20'] as const).map((c) => tallyCondition(trials, c));
  assert.deepEqual(
    checkTargets(tallies).map((c) => [c.met, c.measured]),
    [
      [true, '95.0%'],
      [false, '92.5%'],
      [true, '5.0%'],
    ],
  );
  const text = formatTargets(tallies);
  assert.match(text, /MET {5}fail-or-warn >= 95% at 10% planted: 95\.0%/);
  assert.match(text, /MISSED {2}fail-or-warn >= 95% at 20% planted: 92\.5%/);
  assert.match(formatTargets([]), /NO DATA fail <= 5% with nothing planted: no trials/);
  const table = formatTallies('T', tallies, { p10: 9.8 });
  assert.match(
    table,
    /10% {8}trials 40: fail 0, warn 38, pass 2; median measured p95 ratio 1\.000; delay the shop added: 9\.8% of handling time/,
  );
  assert.match(table, /fail-or-warn 38\/40 = 95\.0% \(95% CI 83\.5% to 98\.6%\)/);
});

test('command line: defaults, bounds naming the flag, unknown flags refused', () => {
  assert.deepEqual(parseGateBenchArgs([]), DEFAULT_OPTIONS);
  assert.equal(parseGateBenchArgs(['--help']), null);
  assert.deepEqual(parseGateBenchArgs(['--trials', '4', '--minutes', '2.5']), { ...DEFAULT_OPTIONS, trials: 4, minutes: 2.5 });
  assert.throws(() => parseGateBenchArgs(['--trials', '1']), /--trials must be an integer from 2 to 1000 \(got "1"\)/);
  assert.throws(() => parseGateBenchArgs(['--rounds', '2.5']), /--rounds must be an integer/);
  assert.throws(() => parseGateBenchArgs(['--minutes']), /--minutes must be a number from 0.5 to 600 \(got null\)/);
  assert.throws(
    () => parseGateBenchArgs(['--seconds', '3']),
    /unknown argument "--seconds"; usage: npm run bench:gate -- \[--design interleaved\|simultaneous\] \[--trials 40\]/,
  );
});
