// The HTML report's load scenarios (peak, stress curve, soak over time) and the runbook playbook,
// from the demo run's contract plus synthetic stress steps and a soak series (issue 12, item 6).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OutputContractSchema, type OutputContract } from '../../common/output-contract';
import { soakSeries, stressStepsContract } from '../../common/contract-load';
import { renderHtmlReport } from '../../client/report-html';
import { renderPlaybook } from '../../client/playbook';
import { itemsLeft } from '../../client/playbook-steps';
import { scale, ticks } from '../../client/charts/line-chart';

const demo: OutputContract = JSON.parse(readFileSync(join(__dirname, '../fixtures/demo-report.json'), 'utf8'));
type Summary = OutputContract['validation_results']['improvement_summary'];
const clone = (): OutputContract => structuredClone(demo);
const withSummary = (patch: Partial<Summary>, tests?: OutputContract['validation_results']['load_tests_run']): OutputContract => {
  const r = clone();
  Object.assign(r.validation_results.improvement_summary, patch);
  if (tests) r.validation_results.load_tests_run = tests;
  return OutputContractSchema.parse(r);
};

// Four open-model steps (SLO: p99 <= 100 ms, errors <= 1%): the third is the last within it.
const steps = stressStepsContract([
  { rateRps: 100, concurrency: 8, throughputRps: 100, p99Ms: 20, errorRatePct: 0, failedPct: 0, withinSlo: true, reason: null },
  { rateRps: 200, concurrency: 16, throughputRps: 199, p99Ms: 35, errorRatePct: 0, failedPct: 0, withinSlo: true, reason: null },
  { rateRps: 400, concurrency: 40, throughputRps: 396, p99Ms: 90, errorRatePct: 0, failedPct: 0.2, withinSlo: true, reason: null },
  {
    rateRps: 800,
    concurrency: 300,
    throughputRps: 450,
    p99Ms: 900,
    errorRatePct: 0,
    failedPct: 30,
    withinSlo: false,
    reason: 'p99 900 ms > 100 ms <b>',
  },
]);
const breaking = { concurrency: 40, throughput_rps: 396, p99_ms: 90, rate_rps: 400, next_step_failure: 'p99 900 ms > 100 ms <b>' };
const series = soakSeries(Array.from({ length: 300 }, (_, i) => 10 + i / 30))!;
const soak = {
  ...demo.validation_results.improvement_summary.soak!,
  leak_suspected: true,
  flags: ['memory leak suspected: <rss>'],
  ...series,
};

test('soakSeries: at most 120 points, each the worst second of its bucket; none without a series', () => {
  assert.equal(series.p95_series_ms.length, 120);
  assert.equal(series.series_interval_s, 2.5);
  assert.equal(series.p95_series_ms[119], 19.967); // the last second, 10 + 299/30
  assert.deepEqual(soakSeries([5, 7, 6]), { p95_series_ms: [5, 7, 6], series_interval_s: 1 });
  assert.equal(soakSeries([]), null);
  assert.equal(soakSeries(undefined), null);
});

test('ticks and scale: round steps up to the maximum, a flat domain to the middle', () => {
  assert.deepEqual(ticks(97), [0, 25, 50, 75, 100]);
  assert.deepEqual(ticks(0), [0]);
  assert.deepEqual(ticks(100), [0, 25, 50, 75, 100]);
  assert.deepEqual(ticks(0.9), [0, 0.25, 0.5, 0.75, 1]);
  assert.equal(scale(5, 5, 0, 100)(5), 50);
  assert.equal(scale(0, 10, 100, 0)(10), 0);
});

test('the stress chart plots every step against the SLO and marks the breaking point', () => {
  const html = renderHtmlReport(withSummary({ stress_steps: steps, stress_breaking_point: breaking }));
  assert.match(html, /<h2>Load scenarios<\/h2>/);
  assert.ok(html.includes('Stress: p99 latency per step'));
  assert.ok(html.includes('Stress: achieved vs offered throughput'));
  assert.ok(html.includes('SLO p99 100 ms'));
  assert.equal((html.match(/<line class="marker"/g) ?? []).length, 2, 'the breaking point on both charts');
  assert.ok(html.includes('breaking point 400 req/s'));
  assert.equal((html.match(/<circle class="p99"/g) ?? []).length, 3);
  assert.equal((html.match(/<circle class="p99 miss"/g) ?? []).length, 1, 'the step past the breaking point');
  const p99Line = html.match(/<polyline class="p99" points="([^"]+)"/)![1].split(' ');
  assert.equal(p99Line.length, 4);
  assert.ok(!html.includes('ms <b>') && html.includes('ms &#60;b&#62;'), 'a step reason is escaped');
  assert.ok(!/NaN|undefined/.test(html));
});

test('a stress test whose first step missed the SLO says so, with no marker', () => {
  const html = renderHtmlReport(withSummary({ stress_steps: steps.slice(3), stress_breaking_point: null }));
  assert.ok(html.includes('No breaking point: even the first step missed the SLO'));
  assert.ok(!html.includes('<line class="marker"'));
});

test('the soak section shows p95 over time, the memory figures and the flags', () => {
  const html = renderHtmlReport(withSummary({ soak }));
  const section = html.slice(html.indexOf('<h3 id="soak">'));
  assert.ok(section.includes('Soak: p95 latency over time'));
  assert.equal(section.match(/<polyline class="p95" points="([^"]+)"/)![1].split(' ').length, 120);
  assert.ok(section.includes('target p95 50 ms'));
  assert.ok(section.includes('<td>129.7</td>'), 'RSS max');
  assert.ok(section.includes('<td>yes</td>'), 'leak suspected');
  assert.ok(section.includes('memory leak suspected: &#60;rss&#62;'));
});

test('a soak without a series keeps its figures; no scenario beyond before/after: no section, nothing broken', () => {
  const noSeries = renderHtmlReport(withSummary({ soak: demo.validation_results.improvement_summary.soak }));
  assert.ok(noSeries.includes('No per-second series in this result.'));
  const r = withSummary({ peak: null, stress_breaking_point: null, stress_steps: undefined, soak: null }, ['baseline', 'after']);
  const html = renderHtmlReport(r);
  assert.ok(!html.includes('Load scenarios'));
  assert.ok(!html.includes('Stress'));
  assert.ok(!/NaN|undefined|Infinity/.test(html));
  assert.equal((html.match(/<figure>/g) ?? []).length, r.validation_results.improvement_summary.comparison.length);
});

test('the contract schema takes the stress steps and the soak series, and refuses a wrong type', () => {
  const r = withSummary({ stress_steps: steps, soak });
  assert.equal(r.validation_results.improvement_summary.stress_steps?.length, 4);
  const bad = structuredClone(r) as unknown as { validation_results: { improvement_summary: { stress_steps: { within_slo: unknown }[] } } };
  bad.validation_results.improvement_summary.stress_steps[0].within_slo = 'yes';
  assert.equal(OutputContractSchema.safeParse(bad).success, false);
});

test('the playbook is a numbered runbook with the rollback of every applied change and the items left by priority', () => {
  const r = clone();
  const manual = r.optimizations_implemented.find((o) => o.id === 'db-health-seq-scans')!;
  manual.priority = 'high';
  const idx = r.optimizations_implemented.findIndex((o) => o.id === 'n1-2706281805482555364');
  r.optimizations_implemented[idx] = { ...r.optimizations_implemented[idx], state: 'not_approved', status: 'planned', priority: 'low' };
  const md = renderPlaybook(r);
  const headings = [...md.matchAll(/^## Step (\d+)\. (.+)$/gm)].map((m) => Number(m[1]));
  assert.deepEqual(headings, [1, 2, 3, 4, 5, 6, 7]);
  assert.match(
    md,
    /## Step 1\. Measure first[\s\S]*bin\/perf-orch run --target <profile of shop>\.yaml --scope application,database,caching/,
  );
  for (const o of r.optimizations_implemented.filter((x) => x.state === 'applied')) assert.ok(md.includes(`  - undo: ${o.rollback}`), o.id);
  assert.ok(md.includes('bin/perf-orch rollback perf-shop'));
  assert.deepEqual(
    itemsLeft(r).map((o) => o.id),
    ['db-health-seq-scans', 'db-extensions', 'n1-2706281805482555364'],
  );
  assert.match(md, /1\. \*\*Sequential scans[\s\S]*2\. \*\*Enable pg_qualstats[\s\S]*3\. \*\*/);
  assert.ok(md.includes('`bin/perf-orch approve perf-shop --items n1-2706281805482555364`'));
  assert.ok(md.includes('bin/perf-orch report perf-shop --out reports/'));
  assert.match(md, /## Step 7\. When to escalate[\s\S]*less than 80%/);
});

test('the runbook names what the last run saw that calls for escalation', () => {
  const r = withSummary({
    stress_breaking_point: { ...breaking, throughput_rps: 120 },
    soak,
    escalation_workflow_id: 'perf-shop:escalation:1',
  });
  const md = renderPlaybook(r);
  assert.ok(md.includes('bin/perf-orch escalation status perf-shop:escalation:1'));
  assert.ok(md.includes('the stress breaking point (120 req/s) is below the throughput target'));
  assert.ok(md.includes('the soak flagged: memory leak suspected'));
});
