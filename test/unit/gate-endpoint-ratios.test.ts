// The gate's p95 ratio endpoint by endpoint (common/gate/endpoint-ratios.ts) and its place in the
// check's verdict and reports.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { endpointRatios, endpointVerdictOf, MIN_ENDPOINT_PAIRS, MIN_ENDPOINT_REQUESTS } from '../../common/gate/endpoint-ratios';
import { checkVerdict, comparisonVerdict, interleavedComparison, type InterleavedBlock } from '../../common/gate/check-verdict';
import { tQuantile } from '../../common/verdict/stats';
import { checkJunitXml } from '../../client/gate/junit';
import { checkMarkdown, checkText } from '../../client/gate/check-text';
import type { CheckResult } from '../../common/gate/types';
import type { EndpointSummary } from '../../common/types';

const lat = (p95: number) => ({ p50: p95 / 2, p90: p95 * 0.9, p95, p99: p95 * 1.5, max: p95 * 2, mean: p95 / 2 });
const ep = (name: string, p95: number, requests = 50): EndpointSummary => ({ name, requests, errors: 0, latencyMs: lat(p95) });

/** n pairs; each endpoint's candidate p95 is its baseline's times factor[name], with a small wobble per pair. */
function pairs(n: number, factor: Record<string, number>, requests = 50): { baseline: InterleavedBlock; candidate: InterleavedBlock }[] {
  return Array.from({ length: n }, (_, i) => {
    const w = 1 + 0.02 * ((i % 3) - 1);
    const names = Object.keys(factor);
    const block = (f: (name: string) => number): InterleavedBlock => ({
      requests: requests * names.length,
      latencyMs: { p95: 10 * w },
      durationSeconds: 2,
      endpoints: names.map((name) => ep(name, f(name), requests)),
    });
    return { baseline: block(() => 10 * w), candidate: block((name) => 10 * w * factor[name] * (1 + 0.01 * (i % 2))) };
  });
}

test('t quantiles: the tables for 95% and 97.5%, jStat for Bonferroni levels, and a bad level refused', () => {
  assert.equal(tQuantile(6, 0.95), 2.447);
  assert.equal(tQuantile(6, 0.975), 2.969);
  assert.ok(Math.abs(tQuantile(6, 1 - 0.05 / 4) - 3.5212) < 0.0001, String(tQuantile(6, 1 - 0.05 / 4))); // scipy t.ppf(1 - 0.0125 / 2, 6) = 3.52122
  assert.ok(Math.abs(tQuantile(6.9, 0.99) - 3.707) < 0.001); // df rounded down: t.ppf(0.995, 6) = 3.7074
  assert.throws(() => tQuantile(6, 1), /level must be between 0 and 1/);
});

test('endpoint ratios: one endpoint 30% slower is found while the others pass; intervals at 1 - 0.05/m', () => {
  const out = endpointRatios(pairs(7, { list: 1, article: 1.3, tags: 1 }));
  assert.deepEqual(
    out.map((e) => [e.endpoint, e.verdict, e.pairs]),
    [
      ['list', 'pass', 7],
      ['article', 'fail', 7],
      ['tags', 'pass', 7],
    ],
  );
  assert.ok(Math.abs(out[1].level - (1 - 0.05 / 3)) < 1e-12);
  assert.ok(Math.abs(out[1].p95Ratio - 1.3 * 1.0043) < 0.01, String(out[1].p95Ratio));
  assert.match(out[1].why, /98\.3% CI/);
});

test('endpoint ratios: pairs below the request floor are left out; too few pairs or one endpoint compare nothing', () => {
  const few = pairs(7, { list: 1, article: 1.3 }, MIN_ENDPOINT_REQUESTS - 1);
  assert.deepEqual(endpointRatios(few), []);
  const just = pairs(MIN_ENDPOINT_PAIRS, { list: 1, article: 1.3 }, MIN_ENDPOINT_REQUESTS);
  assert.equal(endpointRatios(just).length, 2);
  assert.deepEqual(endpointRatios(pairs(MIN_ENDPOINT_PAIRS - 1, { list: 1, article: 1.3 })), []);
  assert.deepEqual(endpointRatios(pairs(7, { only: 1.5 })), [], 'one endpoint: the whole mix already is it');
});

test('endpoint verdict: above the threshold with an interval holding 1 passes (many endpoints: one lands there by chance)', () => {
  const r = (ratio: number, low: number) => ({ ratio, low, high: ratio * 1.2, method: 'm', n: 7, level: 0.98 });
  assert.equal(endpointVerdictOf(r(1.2, 0.95)).verdict, 'pass');
  assert.match(endpointVerdictOf(r(1.2, 0.95)).why, /above the 1\.050 threshold, but the interval holds 1/);
  assert.equal(endpointVerdictOf(r(1.04, 1.01)).verdict, 'warn');
  assert.equal(endpointVerdictOf(r(1.06, 1.01)).verdict, 'fail');
  assert.equal(endpointVerdictOf(r(1.05, 1.01)).verdict, 'warn', 'exactly the threshold is not beyond it');
});

test("interleaved comparison: an endpoint's fail fails the check though the whole mix passes; without endpoints it passes", () => {
  const ps = pairs(7, { list: 1, article: 1.3, tags: 1, profile: 1 });
  const withEndpoints = interleavedComparison(ps, 1.05, true);
  assert.equal(withEndpoints.verdict, 'pass', 'the blocks p95 (the whole mix) did not move');
  assert.equal(comparisonVerdict(withEndpoints), 'fail');
  const v = checkVerdict([], withEndpoints, {});
  assert.equal(v.verdict, 'fail');
  assert.equal(v.reasons.length, 1);
  assert.match(v.reasons[0], /^endpoint article: p95 ratio 1\.3/);
  const tooFew = interleavedComparison(pairs(7, { list: 1, article: 1.3 }, MIN_ENDPOINT_REQUESTS - 1), 1.05, true);
  assert.deepEqual(tooFew.endpoints, []);
  assert.match(
    tooFew.endpointsNote ?? '',
    /^no endpoint compared one by one: each needs 3 pairs or more in which it answered at least 5 requests/,
  );
  assert.match(checkText({ ...reportOf(tooFew) }), /no endpoint compared one by one/);
  const without = interleavedComparison(ps, 1.05, false);
  assert.equal(without.endpoints, undefined);
  assert.equal(checkVerdict([], without, {}).verdict, 'pass');
});

function reportOf(comparison: CheckResult['baseline'] & object): CheckResult {
  return {
    target: 'shop',
    verdict: 'fail',
    reasons: checkVerdict([], comparison, {}).reasons,
    startedAt: '2026-12-01T00:00:00.000Z',
    finishedAt: '2026-12-01T00:00:10.000Z',
    measured: {
      throughputRps: 100,
      errorRatePct: 0,
      requests: 1000,
      latencyMs: lat(10),
      endpoints: [],
    } as unknown as CheckResult['measured'],
    thresholds: [],
    baseline: comparison,
    lowConfidence: [],
  };
}

test('reports: the endpoint table in text and Markdown, a JUnit case per endpoint', () => {
  const comparison = interleavedComparison(pairs(7, { list: 1, article: 1.3 }), 1.05, true);
  const r = reportOf(comparison);
  const text = checkText(r);
  assert.match(text, /endpoint by endpoint/);
  assert.match(text, /article +7 +1\.30\d +1\.\d{3} to 1\.\d{3} +fail/);
  assert.equal(text.match(/endpoint article: /g), null, 'the endpoint reason is in the table, not said again');
  assert.match(checkMarkdown(r), /\| article \| 7 \| 1\.30\d \| 1\.\d{3} to 1\.\d{3} \| fail \|/);
  const xml = checkJunitXml(r);
  assert.match(xml, /tests="3" failures="1"/);
  assert.match(xml, /classname="perf-orch.baseline.endpoints" name="p95 ratio of article vs interleaved baseline"[^>]*>\s*<failure/);
  assert.match(xml, /name="p95 ratio of list vs interleaved baseline"[^>]*>\s*<system-out>/);
});
