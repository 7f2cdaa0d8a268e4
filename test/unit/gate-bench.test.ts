// The pure parts of npm run bench:gate: the block schedule, the trials made from blocks, the tally
// of verdicts into rates and targets, the command line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseGateBenchArgs, DEFAULT_OPTIONS } from '../../bench/gate/args';
import { interleavedTrials, pairedA, storedBaseline, storedTrials } from '../../bench/gate/evaluate';
import {
  describeGains,
  GAIN_BOUNDS,
  gainSamples,
  gainSamplesOfWindows,
  gainsFor,
  plantGain,
  PRIOR_GAIN,
  type GainSample,
} from '../../bench/gate/plant-size';
import { alternatingTrial, type AltWindowRecord } from '../../bench/gate/alt-evaluate';
import { formatTallies, formatTargets } from '../../bench/gate/report';
import {
  anotherSetFits,
  addedPctOf,
  calibratedReference,
  busyTrialSet,
  PLANTED_PCT,
  plantedCostUs,
  referenceUsPerRequest,
  pairedSlot,
  roundBlocks,
  usPerRequest,
  williamsSequences,
  type Arm,
  type BlockRecord,
  type Condition,
} from '../../bench/gate/schedule';
import { checkTargets, median, tallyCondition, type Trial } from '../../bench/gate/tally';

test('schedule: Williams designs (odd and even n): every arm in every position and after every other arm equally often', () => {
  assert.deepEqual(williamsSequences(5)[0], [0, 1, 4, 2, 3]);
  const balanced = (n: number, times: number) => {
    const rows = williamsSequences(n);
    for (let arm = 0; arm < n; arm++)
      assert.deepEqual([...new Set(rows.map((r) => r.indexOf(arm)).sort())].length, n, `arm ${arm} in every position`);
    const follows = new Map<string, number>();
    for (const r of rows) for (let i = 1; i < n; i++) follows.set(`${r[i - 1]}>${r[i]}`, (follows.get(`${r[i - 1]}>${r[i]}`) ?? 0) + 1);
    assert.equal(follows.size, n * (n - 1), 'every ordered pair of different arms');
    assert.deepEqual([...new Set(follows.values())], [times]);
  };
  balanced(5, 2);
  balanced(4, 1);
  assert.equal(williamsSequences(4).length, 4);
  assert.throws(() => williamsSequences(1), /integer >= 2/);
  assert.deepEqual([0, 1, 2, 3].map(busyTrialSet), [false, true, false, true]);
  const fits = (nowMs: number) => anotherSetFits({ nowMs, deadlineMs: 100_000, secondsPerRound: 8, roundsPerSet: 5 });
  assert.equal(fits(60_000), true); // 60 + 40 = 100 s: just fits
  assert.equal(fits(60_001), false);
});

test('rounds: c A c c A c, every condition next to the A it is paired with, before it in half the rounds and after it in the other', () => {
  assert.deepEqual(roundBlocks(0), ['none', 'A', 'p5', 'p20', 'A', 'p10']);
  assert.deepEqual(roundBlocks(5), roundBlocks(1));
  const before = new Map<string, number>();
  for (let r = 0; r < 4; r++) {
    const arms = roundBlocks(r);
    assert.equal(arms.filter((a) => a === 'A').length, 2);
    for (const [slot, arm] of arms.entries()) {
      if (arm === 'A') {
        assert.equal(pairedSlot(arms, slot), null, 'an A block has no A next to it');
        continue;
      }
      const a = pairedSlot(arms, slot);
      assert.ok(a !== null && Math.abs(a - slot) === 1 && arms[a] === 'A', `${arm} in round ${r}`);
      if (a > slot) before.set(arm, (before.get(arm) ?? 0) + 1);
    }
  }
  assert.deepEqual(Object.fromEntries(before), { none: 2, p5: 2, p20: 2, p10: 2 });
  assert.throws(() => roundBlocks(-1), /non-negative integer/);
});

/** k rounds of one set: A at `a` ms p95, each condition at a times its factor (times a per-round wobble). */
function setBlocks(set: number, a: number, factor: Partial<Record<Arm, number>>, k = 5, busy = false): BlockRecord[] {
  const out: BlockRecord[] = [];
  for (let round = 0; round < k; round++) {
    const wobble = 1 + 0.01 * ((round % 3) - 1);
    const arms = roundBlocks(round);
    for (const [slot, arm] of arms.entries()) {
      // The second A of a round reads 2% slower: a pair must take its own neighbour, not any A of the round.
      const p95Ms = a * wobble * (factor[arm] ?? 1) * (arm === 'p20' ? 1 + 0.004 * round : 1) * (slot >= 3 ? 1.02 : 1);
      const paired = arm === 'A' ? null : pairedSlot(arms, slot);
      out.push({
        set,
        round,
        slot,
        pairedSlot: paired,
        arm,
        busy,
        p95Ms,
        perSecondP95Ms: [p95Ms, p95Ms * 1.01],
        requests: 100,
        endpoints: [],
        addedPct: null,
      });
    }
  }
  return out;
}

test('interleaved trials: one per condition per set, from the round-by-round (A, candidate) pairs', () => {
  const blocks = setBlocks(0, 10, { none: 1, p5: 1.03, p10: 1.1, p20: 1.2 });
  const trials = interleavedTrials(blocks, 0, 1.5);
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
  assert.equal(interleavedTrials(partial, 0, 1.5)[2].verdict, 'fail');
});

test("stored trials: later sets against the first set's A blocks (per-second p95); a busy host reads as a regression", () => {
  const blocks = [...setBlocks(0, 10, {}), ...setBlocks(1, 10, {}, 5, true), ...setBlocks(2, 20, {})];
  assert.equal(storedBaseline(blocks).length, 20); // 5 rounds of two A blocks, two seconds each
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
  mixVerdict: verdict,
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
    /unknown argument "--seconds"; usage: npm run bench:gate -- \[--design alternating\|interleaved\|simultaneous\] \[--trials 40\]/,
  );
});

test('planted cost: the share of the reference that moves the p95 by the arm percent at the gain; the reference is the median of the same state', () => {
  assert.ok(Math.abs(plantedCostUs('p10', 250) - 250 * Math.log(1.1)) < 1e-9);
  assert.ok(Math.abs(plantedCostUs('p20', 250, 0.5) - 500 * Math.log(1.2)) < 1e-9, 'half the gain: twice the cost');
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

test('plant gain: per arm and state, the prior alone is 1; fitted through the origin; bounded', () => {
  assert.equal(plantGain([], false, 'p10', 7), PRIOR_GAIN);
  // Many pairs of the 10% arm at gain 0.7 pull it close to 0.7; the other state and the other arms keep their own.
  const at = (busy: boolean, gain: number, n: number, arm: GainSample['arm'] = 'p10'): GainSample[] =>
    Array.from({ length: n }, () => ({ busy, arm, share: PLANTED_PCT[arm] / 100, logRatio: (gain * PLANTED_PCT[arm]) / 100 }));
  const quiet = plantGain(at(false, 0.7, 100), false, 'p10', 7);
  assert.ok(Math.abs(quiet - (0.7 * 100 + 7) / 107) < 1e-9, String(quiet)); // the prior weighs 7 pairs
  assert.equal(plantGain(at(false, 0.7, 100), true, 'p10', 7), PRIOR_GAIN);
  assert.equal(plantGain(at(false, 0.7, 100), false, 'p20', 7), PRIOR_GAIN);
  // One set's weight of data at 0.5: halfway between the prior and the data.
  const oneSet = plantGain(at(true, 0.5, 7), true, 'p10', 7);
  assert.ok(Math.abs(oneSet - 0.75) < 1e-9, String(oneSet));
  assert.equal(plantGain(at(true, 10, 300), true, 'p10', 7), GAIN_BOUNDS[1]);
  assert.equal(plantGain(at(true, -1, 300), true, 'p10', 7), GAIN_BOUNDS[0]);
  assert.equal(plantGain([{ busy: true, arm: 'p10', share: 0, logRatio: 5 }], true, 'p10', 7), PRIOR_GAIN, 'no share: nothing learned');
  const g = gainsFor(at(true, 0.5, 7, 'p20'), true, 7);
  assert.deepEqual([g.A, g.none, g.p5, g.p10], [1, 1, 1, 1]);
  assert.ok(Math.abs(g.p20 - 0.75) < 1e-9);
  assert.match(describeGains(g), /^plant gains p5 1\.00, p10 1\.00, p20 0\.75$/);
});

test('gain samples: each planted block against the A it was paired with; none and A blocks give none', () => {
  const blocks = setBlocks(0, 10, { p5: 1.05, p10: 1.1, p20: 1.2 }, 1).map((b) => ({ ...b, addedPct: PLANTED_PCT[b.arm] || null }));
  const samples = gainSamples(blocks, (b) => pairedA(blocks, b));
  assert.equal(samples.length, 3);
  const p10 = samples.find((s) => Math.abs(s.share - 0.1) < 1e-9)!;
  assert.ok(Math.abs(p10.logRatio - Math.log(1.1)) < 1e-9, 'paired with its own neighbour A');
});

test('alternating trials: a window judged as the check judges it (the mix and each endpoint); its sample for the plant gain', () => {
  const second = (p95Ms: number, items: number) => ({
    requests: 200,
    p95Ms,
    endpoints: [
      { name: 'list', requests: 120, p95Ms },
      { name: 'item', requests: 80, p95Ms: items },
    ],
  });
  const window = (condition: Condition, factor: number, itemFactor = factor): AltWindowRecord => ({
    set: 0,
    condition,
    busy: true,
    intervals: {
      baseline: Array.from({ length: 12 }, (_, i) => second(10 * (1 + 0.02 * (i % 3)), 4)),
      candidate: Array.from({ length: 12 }, (_, i) => second(10 * (1 + 0.02 * (i % 3)) * factor, 4 * itemFactor)),
    },
    share: { baseline: 0.5, candidate: 0.5 },
    baselineP95Ms: 10,
    candidateP95Ms: 10 * factor,
    requests: 4800,
    addedPct: condition === 'none' ? null : 9.5,
  });
  const aa = alternatingTrial(window('none', 1), 50);
  assert.deepEqual([aa.verdict, aa.mixVerdict, aa.ratio], ['pass', 'pass', 1]);
  const slowItem = alternatingTrial(window('p10', 1, 1.3), 50);
  assert.deepEqual([slowItem.verdict, slowItem.mixVerdict, slowItem.endpointsFlagged], ['fail', 'pass', ['item']]);
  const p10 = alternatingTrial(window('p10', 1.1), 50);
  assert.equal(p10.verdict, 'fail');
  const samples = gainSamplesOfWindows([window('none', 1), window('p10', 1.1)], [aa, p10]);
  assert.equal(samples.length, 1, 'the A/A window plants nothing');
  assert.deepEqual([samples[0].arm, samples[0].busy, samples[0].share], ['p10', true, 0.095]);
  assert.ok(Math.abs(samples[0].logRatio - Math.log(1.1)) < 1e-9);
});

test('added cost: in % of the reference, null when nothing was planted or nothing served', () => {
  assert.equal(addedPctOf(25, { requests: 100, meanAddedUs: 26 }, 260), 10);
  assert.equal(addedPctOf(0, { requests: 100, meanAddedUs: 0 }, 260), null);
  assert.equal(addedPctOf(25, { requests: 0, meanAddedUs: 0 }, 260), null);
});

test('calibrated reference: the calibration joins the samples, earlier baseline blocks count, nothing answered throws', () => {
  const samples: { busy: boolean; usPerRequest: number }[] = [{ busy: false, usPerRequest: 200 }];
  assert.equal(calibratedReference(samples, { busy: false, seconds: 1.5, requests: 5000 }, [{ busy: false, usPerRequest: 400 }]), 300);
  assert.equal(samples.length, 2, 'the calibration is kept for the next sets');
  assert.throws(() => calibratedReference([], { busy: true, seconds: 2, requests: 0 }), /the calibration of the baseline got no response/);
});
