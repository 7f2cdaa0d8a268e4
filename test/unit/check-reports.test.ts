import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkJunitXml } from '../../client/gate/junit';
import { checkMarkdown, checkText } from '../../client/gate/check-text';
import { baselineChoice, buildCheckInput } from '../../client/gate/check-input';
import { exitCodeOf } from '../../common/gate/check-verdict';
import { parseThreshold } from '../../common/gate/thresholds';
import type { CheckResult } from '../../common/gate/types';
import { parseTargetProfile } from '../../common/profile';
import { runExitCode } from '../../common/run-exit';
import type { OutputContract } from '../../common/output-contract';

const lat = { p50: 5, p90: 8, p95: 10, p99: 20, max: 40, mean: 6 };
const result = (over: Partial<CheckResult> = {}): CheckResult => ({
  target: 'shop',
  verdict: 'fail',
  reasons: ['threshold p95<5 broken: measured 10'],
  startedAt: '2026-12-01T00:00:00.000Z',
  finishedAt: '2026-12-01T00:00:12.500Z',
  measured: { throughputRps: 500, errorRatePct: 0, requests: 5000, latencyMs: lat, endpoints: [] } as unknown as CheckResult['measured'],
  thresholds: [
    { threshold: parseThreshold('p95<5', []), actual: 10, passed: false },
    { threshold: parseThreshold('error_rate<1%', []), actual: 0, passed: true },
  ],
  baseline: {
    kind: 'pinned',
    baselineIds: ['7'],
    method: 'm',
    p95Ratio: 1.08,
    p95RatioLow: 0.97,
    p95RatioHigh: 1.2,
    verdict: 'warn',
    why: 'p95 ratio 1.080 <above> & "quoted"',
  },
  lowConfidence: ['host saturated'],
  ...over,
});

test('JUnit XML: one case per threshold and one for the baseline, failures counted, special characters escaped', () => {
  const xml = checkJunitXml(result());
  assert.match(xml, /<testsuites name="perf-orch check shop" tests="3" failures="1" time="12.500">/);
  assert.match(
    xml,
    /<testcase classname="perf-orch.thresholds" name="p95&lt;5" time="0">\s*<failure message="threshold broken: measured 10 \(p95&lt;5\)"/,
  );
  assert.match(xml, /WARN: p95 ratio 1.080 &lt;above&gt; &amp; &quot;quoted&quot;/);
  assert.match(xml, /<property name="low_confidence" value="host saturated"\/>/);
  assert.doesNotMatch(xml, /<above>/);
  // --fail-on-warn turns the warning into a failure.
  assert.match(checkJunitXml(result(), { failOnWarn: true }), /failures="2"/);
});

test('text and Markdown name the verdict, the broken threshold and the low confidence', () => {
  const text = checkText(result({ reasons: ['threshold p95<5 broken: measured 10', 'baseline: p95 ratio 1.080 <above> & "quoted"'] }));
  assert.match(text, /^FAIL: perf-orch check of shop\n/);
  assert.match(text, /baseline \(pinned 7\): warn: p95 ratio 1.080/);
  assert.equal(text.match(/p95 ratio 1.080/g)?.length, 1, 'the baseline reason is said once');
  const interleaved = checkText(
    result({
      baseline: { ...result().baseline!, kind: 'interleaved', baselineIds: [], pairs: [{ baselineP95Ms: 10, candidateP95Ms: 12.5 }] },
    }),
  );
  assert.match(interleaved, /^FAIL: perf-orch check of shop \(measured: the candidate block with the median p95 of 1\)/);
  assert.match(interleaved, /pairs, p95 ms baseline -> candidate: 10 -> 12.5/);
  const turns = checkText(result({ baseline: { ...result().baseline!, kind: 'interleaved', baselineIds: [], sliceMs: 50 } }));
  assert.match(
    turns,
    /^FAIL: perf-orch check of shop \(measured: the candidate in its turns, taking turns with the baseline every 50 ms\)/,
  );
  assert.match(text, /p95<5\s+10\s+BROKEN/);
  assert.match(text, /LOW CONFIDENCE: host saturated/);
  const md = checkMarkdown(result({ verdict: 'pass', reasons: [], lowConfidence: [] }));
  assert.match(md, /^## ✅ perf-orch check: PASS \(shop\)/);
  assert.match(md, /\| p95<5 \| 10 \| BROKEN \|/);
  assert.match(md, /\*\*Baseline\*\* \(pinned: 7\): \*\*warn\*\*/);
});

test('exit codes: fail 1, warn 0 unless --fail-on-warn, pass 0; run --wait fails on a rollback', () => {
  assert.equal(exitCodeOf('fail', false), 1);
  assert.equal(exitCodeOf('warn', false), 0);
  assert.equal(exitCodeOf('warn', true), 1);
  assert.equal(exitCodeOf('pass', true), 0);
  const run = (outcome: string) => ({ validation_results: { improvement_summary: { outcome } } }) as unknown as OutputContract;
  assert.equal(runExitCode(run('regressed_rolled_back')), 1);
  assert.equal(runExitCode(run('apply_failed_rolled_back')), 1);
  assert.equal(runExitCode(run('improved')), 0);
  assert.equal(runExitCode(run('no_change')), 0);
});

const profile = (gate?: unknown) =>
  parseTargetProfile({
    name: 'shop',
    http: { baseUrl: 'http://127.0.0.1:3100', endpoints: [{ name: 'product', path: '/p/1' }] },
    targets: { p95Ms: 50, p99Ms: 100, throughputRps: 400, errorRatePct: 1 },
    ...(gate ? { gate } : {}),
  });

test('check input: command line thresholds first, then the profile gate, then the SLO targets', () => {
  const opts = {};
  assert.deepEqual(
    buildCheckInput(profile(), opts).thresholds.map((t) => t.text),
    ['p95<50', 'p99<100', 'error_rate<1%', 'throughput>400'],
  );
  const gated = profile({ thresholds: ['p95{product}<30'], maxP95Ratio: 1.1, baseline: 'recent:3' });
  const fromProfile = buildCheckInput(gated, opts);
  assert.deepEqual(
    fromProfile.thresholds.map((t) => t.text),
    ['p95{product}<30'],
  );
  assert.deepEqual(fromProfile.baseline, { kind: 'recent', n: 3 });
  assert.equal(fromProfile.maxP95Ratio, 1.1);
  assert.deepEqual(
    buildCheckInput(gated, { ...opts, threshold: ['p99<9'], baseline: 'none' }).thresholds.map((t) => t.text),
    ['p99<9'],
  );
  assert.throws(() => buildCheckInput(gated, { ...opts, threshold: ['p95{nope}<1'] }), /--threshold: .*unknown endpoint "nope"/);
  assert.throws(() => buildCheckInput(gated, { ...opts, maxP95Ratio: '0.9' }), /--max-p95-ratio must be a number from 1 to 10/);
});

test('baseline choice: pinned, pinned:ID, recent:N, none, interleaved against a URL; anything else refused', () => {
  const o = {};
  assert.deepEqual(baselineChoice('pinned', o), { kind: 'pinned' });
  assert.deepEqual(baselineChoice('pinned:12', o), { kind: 'pinned', id: '12' });
  assert.deepEqual(baselineChoice('none', o), { kind: 'none' });
  const url = { baselineUrl: 'http://127.0.0.1:3200' };
  // Against a live baseline: taking turns every 50 ms by default; blocks when --pairs or --block-seconds is given.
  assert.deepEqual(baselineChoice('pinned', url), {
    kind: 'interleaved',
    baseUrl: url.baselineUrl,
    pairs: 5,
    blockSeconds: 4,
    sliceMs: 50,
  });
  assert.deepEqual(baselineChoice('pinned', { ...url, sliceMs: '250' }), {
    kind: 'interleaved',
    baseUrl: url.baselineUrl,
    pairs: 5,
    blockSeconds: 4,
    sliceMs: 250,
  });
  assert.deepEqual(baselineChoice('pinned', { ...url, pairs: '7' }), {
    kind: 'interleaved',
    baseUrl: url.baselineUrl,
    pairs: 7,
    blockSeconds: 4,
  });
  assert.deepEqual(baselineChoice('pinned', { ...url, blockSeconds: '2' }), {
    kind: 'interleaved',
    baseUrl: url.baselineUrl,
    pairs: 5,
    blockSeconds: 2,
  });
  assert.throws(
    () => baselineChoice('pinned', { ...url, pairs: '7', sliceMs: '100' }),
    /--slice-ms takes turns; --pairs and --block-seconds alternate blocks/,
  );
  assert.throws(() => baselineChoice('pinned', { ...url, sliceMs: '5' }), /--slice-ms must be a whole number from 10 to 250/);
  assert.throws(() => baselineChoice('pinned', { ...url, sliceMs: '2000' }), /--slice-ms must be a whole number from 10 to 250/);
  assert.throws(() => baselineChoice('latest', o), /--baseline must be pinned, pinned:ID, recent:N or none/);
  assert.throws(() => baselineChoice('recent:0', o), /--baseline recent:N must be a whole number from 1 to 100/);
  assert.throws(() => baselineChoice('pinned', { ...o, baselineUrl: 'ftp://x' }), /--baseline-url must be an absolute http/);
  assert.throws(
    () => baselineChoice('pinned', { ...o, baselineUrl: 'http://x', pairs: '1' }),
    /--pairs must be a whole number from 2 to 50/,
  );
});

test('the profile gate section is checked when the profile is read', () => {
  assert.throws(() => profile({ thresholds: ['p95<'] }), /gate\.thresholds\.0.*does not parse/s);
  assert.throws(() => profile({ baseline: 'latest' }), /gate\.baseline.*pinned, pinned:ID, recent:N or none/s);
  assert.throws(() => profile({ tresholds: [] }), /gate.*tresholds/s);
});
