import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTrend, timeUnit, type TrendCheck, type TrendRun } from '../../common/gate/trend';
import { trendHtml } from '../../client/trend-html';
import { trendText } from '../../client/trend-text';
import { sampleCheck, sampleContract, sampleSummary } from '../helpers/baseline-fixtures';

const RUN_ID = '0b6b2c1e-1111-4222-8333-444455556666';
// The demo contract: baseline p95 771.071, after p95 18.831; items 1-3 applied, 4-5 manual.
const improved: TrendRun = {
  workflowId: 'perf-shop-1',
  runId: RUN_ID,
  startedAt: '2026-11-30T08:00:00.000Z',
  finishedAt: '2026-11-30T08:20:00.000Z',
  result: sampleContract({ baselineId: '1', afterId: '2' }),
};
const undone: TrendRun = {
  workflowId: 'perf-shop-2',
  runId: RUN_ID,
  startedAt: '2026-11-30T12:00:00.000Z',
  finishedAt: '2026-11-30T12:30:00.000Z',
  result: sampleContract({
    baselineId: '3',
    afterId: '4',
    outcome: 'regressed_rolled_back',
    states: ['rolled_back', 'rolled_back', 'skipped'],
  }),
};
const nothingApplied: TrendRun = {
  workflowId: 'perf-shop-3',
  runId: RUN_ID,
  startedAt: '2026-11-30T14:00:00.000Z',
  finishedAt: '2026-11-30T14:10:00.000Z',
  result: sampleContract({ baselineId: '5', afterId: null, outcome: 'nothing_to_apply', states: ['skipped', 'skipped', 'skipped'] }),
};
const check = (at: string, verdict: 'pass' | 'warn' | 'fail', p95: number): TrendCheck => ({
  workflowId: `check-${at}`,
  runId: RUN_ID,
  finishedAt: at,
  verdict,
  result: sampleCheck(verdict, sampleSummary({ latencyMs: { p50: 5, p90: 9, p95: p95, p99: p95 * 2, max: 99, mean: 6 } })),
});
const checks = [check('2026-11-30T10:00:00.000Z', 'pass', 20), check('2026-11-30T13:00:00.000Z', 'fail', 60)];

test('runs give their baseline at the start and their after window at the end; checks what they measured; oldest first', () => {
  const t = buildTrend([nothingApplied, undone, improved], checks);
  assert.deepEqual(
    t.points.map((p) => [p.at.slice(11, 16), p.kind, p.window, p.p95Ms, p.verdict]),
    [
      ['08:00', 'run', 'baseline', 771.071, 'improved'],
      ['08:20', 'run', 'after', 18.831, 'improved'],
      ['10:00', 'check', 'check', 20, 'pass'],
      ['12:00', 'run', 'baseline', 771.071, 'regressed_rolled_back'],
      ['12:30', 'run', 'after', 18.831, 'regressed_rolled_back'],
      ['13:00', 'check', 'check', 60, 'fail'],
      ['14:00', 'run', 'baseline', 771.071, 'nothing_to_apply'],
    ],
  );
  const after = t.points[1];
  assert.deepEqual([after.p99Ms, after.throughputRps, after.errorRatePct], [26.111, 1591.5, 0]);
  assert.deepEqual([t.points[0].p99Ms, t.points[0].throughputRps], [973.311, 41.5]);
  assert.equal(t.points[5].p99Ms, 120);
});

test('markers: runs that applied or rolled back changes, at their end; none for a run that changed nothing', () => {
  const t = buildTrend([nothingApplied, undone, improved], checks);
  assert.deepEqual(
    t.markers.map((m) => [m.ref, m.at.slice(11, 16), m.applied.length, m.rolledBack.length, m.outcome]),
    [
      [`perf-shop-1/${RUN_ID}`, '08:20', 3, 0, 'improved'],
      [`perf-shop-2/${RUN_ID}`, '12:30', 0, 2, 'regressed_rolled_back'],
    ],
  );
  assert.match(t.markers[0].applied[1], /^idx-public-products-category_id-created_at: Missing index/);
});

test('--last keeps the newest points and the markers within their span', () => {
  const t = buildTrend([nothingApplied, undone, improved], checks, 3);
  assert.deepEqual(
    t.points.map((p) => p.at.slice(11, 16)),
    ['12:30', '13:00', '14:00'],
  );
  assert.deepEqual(
    t.markers.map((m) => m.ref),
    [`perf-shop-2/${RUN_ID}`],
  );
  assert.deepEqual(buildTrend([], [], 5), { points: [], markers: [] });
});

test('the time axis unit follows the span', () => {
  assert.equal(timeUnit(2 * 3600_000).name, 'minutes');
  assert.equal(timeUnit(30 * 3600_000).name, 'hours');
  assert.equal(timeUnit(10 * 86400_000).name, 'days');
});

test('the text trend lists every point and the changes under the table', () => {
  const text = trendText('shop', buildTrend([undone, improved], checks));
  assert.match(text, /trend of shop: 6 point\(s\), oldest first/);
  assert.match(text, /2026-11-30 13:00 +check +check +60 +120 +400 +0\.2 +fail/);
  assert.match(text, /#2 2026-11-30 12:30 perf-shop-2\/\S+ \(regressed_rolled_back\)\n {6}rolled back: cache-catalog: Serve catalog/);
  assert.match(trendText('shop', buildTrend([], [])), /no finished runs or checks of target shop/);
});

test('the HTML trend: three SVG charts with a marker per changing run, failed checks hollow, text escaped, no scripts', () => {
  const evil = structuredClone(improved);
  evil.result.optimizations_implemented[0].description = '<script>alert(1)</script>';
  const html = trendHtml('<shop>', buildTrend([evil, undone], checks), '2026-11-30T15:00:00.000Z');
  assert.equal((html.match(/<svg /g) ?? []).length, 3);
  assert.equal((html.match(/<line class="marker"/g) ?? []).length, 2 * 3);
  // Each chart's series draws the failing check's point hollow: p95 and p99, throughput, errors.
  assert.equal((html.match(/<circle class="\w+ miss"/g) ?? []).length, 4);
  assert.match(html, /hours since 2026-11-30 08:00 UTC/);
  assert.ok(!html.includes('<script'), 'no script element');
  assert.ok(html.includes('&#60;shop&#62;'));
  assert.ok(!/https?:\/\//.test(html), 'nothing loaded from elsewhere');
});
