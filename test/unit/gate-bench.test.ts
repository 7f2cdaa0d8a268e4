// The pure parts of npm run bench:gate: the block schedule, the trials made from blocks, the tally
// of verdicts into rates and targets, the command line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseGateBenchArgs, DEFAULT_OPTIONS } from '../../bench/gate/args';
import { interleavedTrials, storedBaseline, storedTrials } from '../../bench/gate/evaluate';
import { formatTallies, formatTargets } from '../../bench/gate/report';
import {
  anotherSetFits,
  ARMS,
  busyTrialSet,
  plantedCostUs,
  referenceUsPerRequest,
  roundOrder,
  usPerRequest,
  williamsSequences,
  type Arm,
  type BlockRecord,
} from '../../bench/gate/schedule';
import { checkTargets, median, tallyCondition, type Trial } from '../../bench/gate/tally';

test('schedule: a Williams design: over 10 rounds every arm takes every position twice and follows every other arm twice', () => {
  assert.deepEqual(williamsSequences(5)[0], [0, 1, 4, 2, 3]);
  assert.deepEqual(roundOrder(0), ['A', 'none', 'p20', 'p5', 'p10']);
  assert.deepEqual(roundOrder(12), roundOrder(2));
  const rounds = Array.from({ length: 10 }, (_, r) => roundOrder(r));
  for (const arm of ARMS) {
    const positions = rounds.map((o) => o.indexOf(arm)).sort();
    assert.deepEqual(positions, [0, 0, 1, 1, 2, 2, 3, 3, 4, 4], arm);
  }
  const follows = new Map<string, number>();
  for (const o of rounds)
    for (let i = 1; i < o.length; i++) follows.set(`${o[i - 1]}>${o[i]}`, (follows.get(`${o[i - 1]}>${o[i]}`) ?? 0) + 1);
  assert.equal(follows.size, 20, 'every ordered pair of different arms');
  assert.deepEqual([...new Set(follows.values())], [2]);
  assert.throws(() => roundOrder(-1), /non-negative integer/);
  assert.throws(() => williamsSequences(4), /odd integer/);
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
    /10% {8}trials 40: fail 0, warn 38, pass 2; median measured p95 ratio 1\.000; cost the shop added: 9\.8% of the baseline's time per request/,
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

test('planted cost: each arm its percent of the reference; the reference is the median of the same state, null with none', () => {
  assert.equal(plantedCostUs('p10', 250), 25);
  assert.equal(plantedCostUs('p20', 250), 50);
  assert.equal(plantedCostUs('none', 250), 0);
  assert.equal(plantedCostUs('A', 250), 0);
  assert.equal(usPerRequest(1.5, 6000), 250);
  assert.ok(Number.isNaN(usPerRequest(1.5, 0)), 'no request: no figure (left out of the median)');
  const samples = [
    { busy: false, usPerRequest: 200 },
    { busy: false, usPerRequest: 300 },
    { busy: false, usPerRequest: NaN },
    { busy: false, usPerRequest: 260 },
    { busy: true, usPerRequest: 900 },
  ];
  assert.equal(referenceUsPerRequest(samples, false), 260);
  assert.equal(referenceUsPerRequest(samples, true), 900);
  assert.equal(referenceUsPerRequest(samples.slice(0, 3), true), null);
});
