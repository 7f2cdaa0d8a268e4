// The per-item validation's pure parts: the A/B schedule, which method measures which change, the
// paired verdicts of interleaved blocks, the planned load seconds, and the per-item report table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { abSchedule, abSettings, beforeAfterItem, methodOf, notMeasured, interleavedItem } from '../../common/ab-validation';
import { abPairs, interleavedVerdicts, itemVerdict, type AbBlock } from '../../common/verdict/item-effect';
import { judgeEffect } from '../../common/verdict/verdict';
import { parseTargetProfile } from '../../common/profile';
import { plannedLoad } from '../../common/run-budget';
import { OutputContractSchema, type OutputContract } from '../../common/output-contract';
import type { AppliedChange, PlanItem } from '../../common/types';
import { summary } from '../../client/render';
import { renderHtmlReport } from '../../client/report-html';

const toggleChange = (previous: unknown): AppliedChange => ({
  itemId: 't',
  action: { type: 'feature_toggle', toggle: 'cache', value: true },
  appliedAt: 'x',
  undo: { type: 'set_toggle', toggle: 'cache', value: previous },
  details: '',
});
const indexChange: AppliedChange = {
  itemId: 'i',
  action: { type: 'create_index', schema: 'public', table: 'p', columns: [{ name: 'c' }], indexName: 'p_c' },
  appliedAt: 'x',
  undo: { type: 'drop_index', schema: 'public', indexName: 'p_c' },
  details: '',
};
const item = (id: string, estimatedGainPct: number) => ({ id, estimatedGainPct }) as PlanItem;

/** Blocks with, without, ... from per-pair (with, without) p95 values; throughput mirrors the latency. */
function blocks(pairs: [number, number][]): AbBlock[] {
  return pairs.flatMap(([w, wo], i) => [
    { with: true, p95Ms: w, throughputRps: 1000 / w, loadTestId: `w${i}` },
    { with: false, p95Ms: wo, throughputRps: 1000 / wo, loadTestId: `o${i}` },
  ]);
}

test('the A/B schedule alternates with and without, flips each way once a pair, and ends on', () => {
  const steps = abSchedule(3);
  assert.equal(steps.length, 12);
  assert.deepEqual(
    steps.filter((s) => s.kind === 'block').map((s) => s.kind === 'block' && s.with),
    [true, false, true, false, true, false],
  );
  const flips = steps.filter((s) => s.kind === 'flip').map((s) => s.kind === 'flip' && s.to);
  assert.deepEqual(flips, ['off', 'on', 'off', 'on', 'off', 'on']);
  assert.deepEqual(steps.at(-1), { kind: 'flip', to: 'on', pair: 3 });
  assert.deepEqual(abSchedule(0), []);
});

test('a toggle is measured interleaved, an index before/after, a change the run did not make not at all', () => {
  assert.deepEqual(methodOf(toggleChange(false), 3), { method: 'interleaved' });
  assert.deepEqual(methodOf(toggleChange(false), 0), { method: 'before-after' });
  assert.deepEqual(methodOf(indexChange, 3), { method: 'before-after' });
  const same = methodOf(toggleChange(true), 3);
  assert.equal(same.method, 'not-measured');
  assert.match(same.why!, /toggle cache was already true/);
  const pre = methodOf({ ...indexChange, undo: { type: 'none', why: 'index p_c existed before the run' } }, 3);
  assert.deepEqual(pre, { method: 'not-measured', why: 'the run changed nothing: index p_c existed before the run' });
});

test('A/B settings: 3 pairs of blocks of durationSeconds (at most 5 s) by default; one pair is refused', () => {
  const profile = (load: Record<string, unknown>) =>
    parseTargetProfile({
      name: 'ab',
      http: { baseUrl: 'http://127.0.0.1:1', endpoints: [{ name: 'a', path: '/a' }] },
      targets: { p95Ms: 1, p99Ms: 2, throughputRps: 1 },
      load,
    });
  assert.deepEqual(abSettings(profile({}).load), { pairs: 3, blockSeconds: 5, warmupSeconds: 1 });
  assert.deepEqual(abSettings(profile({ durationSeconds: 2, warmupSeconds: 0.5 }).load), { pairs: 3, blockSeconds: 2, warmupSeconds: 0.5 });
  assert.deepEqual(abSettings(profile({ abPairs: 0, abBlockSeconds: 30 }).load), { pairs: 0, blockSeconds: 30, warmupSeconds: 1 });
  assert.throws(() => profile({ abPairs: 1 }), /abPairs.*one pair gives no interval/s);
  assert.throws(() => profile({ abPairs: 11 }), /abPairs/);
  assert.throws(() => profile({ abBlockSeconds: 0.5 }), /abBlockSeconds/);
});

test('interleaved blocks: a change that helps is improved with its interval above zero; noise is no detectable change', () => {
  const helps = interleavedVerdicts(
    blocks([
      [10, 40],
      [11, 42],
      [10, 39],
    ]),
  );
  assert.equal(helps.p95.verdict, 'improved');
  assert.equal(helps.p95.method, 'interleaved');
  assert.equal(helps.p95.n, 3);
  assert.ok(helps.p95.improvementLowPct! > 70 && helps.p95.improvementHighPct! < 80, JSON.stringify(helps.p95));
  assert.equal(helps.throughput.verdict, 'improved');
  assert.equal(itemVerdict(helps), 'improved');

  const nothing = interleavedVerdicts(
    blocks([
      [20, 21],
      [22, 20],
      [21, 21.5],
    ]),
  );
  assert.equal(nothing.p95.verdict, 'no detectable change');
  assert.ok(nothing.p95.improvementLowPct! < 0 && nothing.p95.improvementHighPct! > 0);
  assert.equal(itemVerdict(nothing), 'no detectable change');
});

test('pairs are (with, without) in order; an unfinished pair is left out, and one pair gives no interval', () => {
  const b = blocks([
    [10, 40],
    [11, 42],
  ]);
  assert.equal(abPairs(b.slice(0, 3)).length, 1);
  assert.equal(abPairs([b[1], b[0], b[3], b[2]]).length, 0);
  const one = interleavedVerdicts(b.slice(0, 3));
  assert.equal(one.p95.verdict, 'not enough data');
  assert.equal(itemVerdict(one), 'not enough data');
});

test('one word per item: worse wins, then improved, then no detectable change', () => {
  const v = (verdict: 'improved' | 'worse' | 'no detectable change') => ({ ...judgeEffect(null, 'higher-is-better'), verdict });
  const none = judgeEffect(null, 'higher-is-better');
  assert.equal(itemVerdict({ throughput: v('improved'), p95: v('worse') }), 'worse');
  assert.equal(itemVerdict({ throughput: v('improved'), p95: v('no detectable change') }), 'improved');
  assert.equal(itemVerdict({ throughput: none, p95: v('no detectable change') }), 'no detectable change');
  assert.equal(itemVerdict({ throughput: none, p95: none }), 'not enough data');
});

test('item records: estimate next to the measure, the method, and what the before/after holds with it', () => {
  const ab = interleavedItem(item('t', 30.4), {
    blocks: blocks([
      [10, 40],
      [10, 40.5],
    ]),
    flips: [],
  });
  assert.deepEqual([ab.itemId, ab.estimatedGainPct, ab.method, ab.verdict], ['t', 30.4, 'interleaved', 'improved']);
  const ba = beforeAfterItem(item('i', 13.5), null, ['t']);
  assert.deepEqual([ba.method, ba.verdict, ba.together], ['before-after', 'not enough data', ['t']]);
  assert.equal(notMeasured(item('x', 0.2), 'why').note, 'why');
});

test('the planned load holds every declared toggle A/B-tested: pairs x 2 blocks x (block + warm-up)', () => {
  const base = {
    name: 'ab',
    http: { baseUrl: 'http://127.0.0.1:1', endpoints: [{ name: 'a', path: '/a' }] },
    targets: { p95Ms: 1, p99Ms: 2, throughputRps: 1 },
    load: { attribution: { enabled: false } },
  };
  const without = plannedLoad(parseTargetProfile(base)).seconds;
  const two = parseTargetProfile({
    ...base,
    actions: {
      featureToggles: [
        { name: 'x', fixes: 'n_plus_one' },
        { name: 'y', fixes: 'uncached_endpoint' },
      ],
    },
  });
  const plan = plannedLoad(two);
  assert.equal(plan.seconds, without + 2 * 3 * 2 * (5 + 1));
  assert.ok(plan.phases.some((p) => p.phase === 'A/B blocks (2 toggle(s) x 3 pairs x 2 x 6 s)' && p.seconds === 72));
  assert.equal(plannedLoad({ ...two, load: { ...two.load, abPairs: 0 } }).seconds, without);
});

test('the reports show each measured item: estimated | measured (95% CI) | method | verdict', () => {
  const report: OutputContract = JSON.parse(readFileSync(join(__dirname, '../fixtures/demo-report.json'), 'utf8'));
  const verdict = (pct: number | null, low: number | null, high: number | null, method: 'interleaved' | 'batch-means', n: number) => ({
    verdict: pct === null ? ('not enough data' as const) : low! > 0 ? ('improved' as const) : ('no detectable change' as const),
    improvement_pct: pct,
    ci_low_pct: low,
    ci_high_pct: high,
    method: pct === null ? null : method,
    n,
    regressed: false,
  });
  const [first, second] = report.optimizations_implemented;
  const withMeasures: OutputContract = OutputContractSchema.parse({
    ...report,
    optimizations_implemented: [
      {
        ...first,
        measured: {
          method: 'interleaved',
          verdict: 'improved',
          p95: verdict(45, 30.1, 57.2, 'interleaved', 3),
          throughput: verdict(80, 50, 110, 'interleaved', 3),
          ab_blocks: 6,
          ab_flips: 6,
          together: [],
          confidence: null,
          note: null,
        },
      },
      {
        ...second,
        measured: {
          method: 'before-after',
          verdict: 'no detectable change',
          p95: verdict(2, -5, 9, 'batch-means', 5),
          throughput: verdict(null, null, null, 'batch-means', 0),
          ab_blocks: 0,
          ab_flips: 0,
          together: [first.id],
          confidence: 'low',
          note: 'A/B stopped: toggle API down',
        },
      },
      ...report.optimizations_implemented.slice(2),
    ],
  });
  const text = summary(withMeasures);
  assert.match(text, /per item \(estimated vs measured gain; positive = better\):/);
  assert.match(text, /item\s+estimated\s+p95 measured \(95% joint CI\)\s+throughput measured \(95% joint CI\)\s+method\s+verdict/);
  assert.match(
    text,
    new RegExp(
      `${first.id}\\s+${first.estimated_gain_pct}%\\s+\\+45\\.0% \\(\\+30\\.1% to \\+57\\.2%\\)\\s+\\+80\\.0% .*interleaved A/B, 3 pairs\\s+improved`,
    ),
  );
  assert.match(
    text,
    new RegExp(
      `${second.id}\\s+${second.estimated_gain_pct}%\\s+\\+2\\.0% \\(-5\\.0% to \\+9\\.0%\\)\\s+-\\s+` +
        `before/after, with ${first.id}\\s+no detectable change \\(low confidence\\)`,
    ),
  );
  assert.match(text, new RegExp(`! ${second.id}: A/B stopped: toggle API down`));
  const html = renderHtmlReport(withMeasures);
  assert.match(html, /<h3>Per item: estimated and measured gain/);
  assert.ok(
    html.includes(
      '<td>+45.0% (+30.1% to +57.2%)</td><td>+80.0% (+50.0% to +110.0%)</td><td>interleaved A/B, 3 pairs</td><td>improved</td>',
    ),
  );
  // A run before the per-item validation shows no table.
  assert.doesNotMatch(summary(report), /per item/);
});
