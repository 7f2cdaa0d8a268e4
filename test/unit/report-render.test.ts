import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OutputContractSchema, type OutputContract } from '../../common/output-contract';
import type { AttributionResult, EndpointAttribution } from '../../common/endpoint-attribution';
import { endpointAttribution, endpointsBeforeAfter } from '../../common/contract-endpoints';
import { summary } from '../../client/render';
import { statusEndpointSection } from '../../client/render-endpoints';
import { barChart, renderHtmlReport } from '../../client/report-html';
import { renderPlaybook } from '../../client/playbook';

// The output contract of a real demo run.
const report: OutputContract = JSON.parse(readFileSync(join(__dirname, '../fixtures/demo-report.json'), 'utf8'));

test('bars are scaled to the largest of before, after and target', () => {
  const svg = barChart('p95', 600, 15, 50);
  const widths = [...svg.matchAll(/<rect class="(\w+)" x="0" y="\d+" width="(\d+)"/g)].map((m) => [m[1], Number(m[2])]);
  assert.deepEqual(widths, [
    ['before', 310],
    ['after', 8],
  ]);
  assert.match(svg, /<line class="target" x1="26"/);
});

test('the HTML report has a chart per compared metric, the plan with statuses, and escapes text', () => {
  const html = renderHtmlReport({ ...report, next_steps: ['<script>alert(1)</script>'] });
  assert.equal((html.match(/<figure>/g) ?? []).length, report.validation_results.improvement_summary.comparison.length);
  for (const o of report.optimizations_implemented) assert.ok(html.includes(o.id), o.id);
  assert.ok(!html.includes('<script>'));
  assert.ok(html.includes('&#60;script&#62;'));
});

test('the playbook lists each change in place with its undo, and the one-command rollback', () => {
  const md = renderPlaybook(report);
  const applied = report.optimizations_implemented.filter((o) => o.state === 'applied');
  assert.ok(applied.length > 0);
  for (const o of applied) {
    assert.ok(md.includes(`**${o.id}**`));
    assert.ok(md.includes(`undo: ${o.rollback}`));
  }
  assert.ok(md.includes('perf-orch rollback perf-shop'));
});

// Per-endpoint attribution (issue 10, item 1): the demo shop's counts before and after batchLoading.
const endpoint = (name: string, spr: number, ms: number, query: string, calls: number, flags: string[] = []): EndpointAttribution => ({
  endpoint: name,
  requests: 30,
  errors: 0,
  latencyMs: { p50: ms, p95: ms * 1.5, p99: ms * 2, mean: ms },
  statementsPerRequest: spr,
  dbMsPerRequest: ms / 2,
  rowsPerRequest: 40,
  topStatements: [{ queryid: '1', query, callsPerRequest: calls, msPerRequest: ms / 3, rowsPerRequest: calls }],
  halves: [spr, spr],
  exact: flags.length === 0,
  flags,
});
const attribution = (phase: AttributionResult['phase'], endpoints: EndpointAttribution[]): AttributionResult => ({
  phase,
  requestsPerEndpoint: 30,
  concurrency: 1,
  background: { seconds: 1, calls: 0, totalMs: 0, queries: [] },
  endpoints,
  problems: [],
  artifactId: '42',
});
const beforeA = attribution('baseline', [
  endpoint('products-by-category', 21, 12, 'SELECT count(*)::int AS reviews FROM reviews WHERE product_id = $1', 20),
  endpoint('catalog', 1, 30, 'SELECT c.id, c.name FROM categories c JOIN products p ON p.category_id = c.id', 1),
]);
const afterA = attribution('after', [
  endpoint('products-by-category', 2, 1.5, 'SELECT product_id FROM reviews WHERE product_id = ANY($1)', 1),
  endpoint('catalog', 0.03, 0.4, 'SELECT c.id, c.name FROM categories c JOIN products p ON p.category_id = c.id', 0.03, [
    'other traffic on the database: 3 statements in 1 s with nothing sent',
  ]),
]);
const attributed: OutputContract = {
  ...report,
  baseline_metrics: { ...report.baseline_metrics, endpoint_attribution: endpointAttribution(beforeA) },
  validation_results: {
    ...report.validation_results,
    improvement_summary: { ...report.validation_results.improvement_summary, endpoints: endpointsBeforeAfter(beforeA, afterA) },
  },
};

test('an attributed report is a valid output contract; one recorded before attribution still is, and shows no endpoint section', () => {
  assert.deepEqual(OutputContractSchema.parse(attributed), attributed);
  OutputContractSchema.parse(report);
  assert.doesNotMatch(summary(report), /per endpoint \(each/);
  assert.doesNotMatch(renderHtmlReport(report), /Per endpoint/);
});

test('the text report shows each endpoint before -> after: p95, statements and DB time per request, top statements, flags', () => {
  const text = summary(attributed);
  assert.match(text, /per endpoint \(each endpoint alone, 30 requests one at a time, between pg_stat_statements snapshots/);
  assert.match(text, /products-by-category +18 +-> 2\.3 +21 +-> 2 +6 +-> 0\.75 +yes \/ yes/);
  assert.match(text, /catalog +45 +-> 0\.6 +1 +-> 0\.03 +15 +-> 0\.2 +yes \/ NO/);
  assert.match(text, /products-by-category \(before\): 20 x SELECT count\(\*\)::int AS reviews FROM reviews WHERE product_id = \$1/);
  assert.match(text, /! catalog \(after\): other traffic on the database/);
});

test('the HTML report has the per-endpoint table before -> after, escaped', () => {
  const html = renderHtmlReport(attributed);
  assert.match(html, /<h2>Per endpoint \(before &rarr; after\)<\/h2>/);
  assert.match(
    html,
    /<td>products-by-category<\/td><td>12 &rarr; 1\.5<\/td><td>18 &rarr; 2\.3<\/td><td>24 &rarr; 3<\/td><td>21 &rarr; 2<\/td>/,
  );
  assert.match(html, /<td>no: after: other traffic on the database/);
  assert.match(html, /20 &times; <code>SELECT count\(\*\)::int AS reviews/);
});

test('the HTML exact cell says which pass each flag comes from (field test: a before flag read as the after figures)', () => {
  const halves = "the pass's halves disagree (23.47 vs 20.67 statements/request)";
  const flagged = attribution('baseline', [endpoint('catalog', 1, 30, 'SELECT 1', 1, [halves])]);
  const withBoth: OutputContract = {
    ...attributed,
    validation_results: {
      ...attributed.validation_results,
      improvement_summary: { ...attributed.validation_results.improvement_summary, endpoints: endpointsBeforeAfter(flagged, afterA) },
    },
  };
  const html = renderHtmlReport(withBoth);
  assert.match(
    html,
    /<td>no: before: the pass&#39;s halves disagree \(23\.47 vs 20\.67 statements\/request\); after: other traffic on the database/,
  );
  const beforeOnly: OutputContract = {
    ...attributed,
    validation_results: {
      ...attributed.validation_results,
      improvement_summary: { ...attributed.validation_results.improvement_summary, endpoints: endpointsBeforeAfter(flagged, null) },
    },
  };
  assert.match(renderHtmlReport(beforeOnly), /<td>no: the pass&#39;s halves disagree/);
});

test('status shows the baseline figures while only they exist, then before -> after', () => {
  const only = statusEndpointSection({ endpoints: { before: beforeA, after: null } }).join('\n');
  assert.match(only, /endpoint +p50 ms +p95 ms +p99 ms +statements\/req +DB ms\/req +rows\/req +exact/);
  assert.match(only, /products-by-category +12 +18 +24 +21 +6 +40 +yes/);
  const both = statusEndpointSection({ endpoints: { before: beforeA, after: afterA } }).join('\n');
  assert.match(both, /products-by-category +18 +-> 2\.3 +21 +-> 2/);
  assert.deepEqual(statusEndpointSection({}), []);
});

// An N+1 is many cheap calls: the costliest statements alone hide it (field test: a 0.25 ms tag loader 20x per
// request behind a 160 ms page query). Status, text and HTML show it after the costliest, with its calls/request.
const hidden: EndpointAttribution = {
  ...endpoint('article-list', 1, 170, 'SELECT a.* FROM articles a ORDER BY created_at DESC LIMIT 20 OFFSET $1', 1),
  statementsPerRequest: 25,
  topStatements: [
    {
      queryid: '1',
      query: 'SELECT a.* FROM articles a ORDER BY created_at DESC LIMIT 20 OFFSET $1',
      callsPerRequest: 1,
      msPerRequest: 160,
      rowsPerRequest: 20,
    },
    { queryid: '2', query: 'SELECT count(*) FROM articles', callsPerRequest: 1, msPerRequest: 9, rowsPerRequest: 1 },
    {
      queryid: '3',
      query: 'SELECT t.name FROM tags t JOIN article_tags x ON x.tag_id = t.id WHERE x.article_id = $1',
      callsPerRequest: 20,
      msPerRequest: 5,
      rowsPerRequest: 60,
    },
    { queryid: '4', query: 'SELECT 1 FROM users WHERE id = $1', callsPerRequest: 3, msPerRequest: 0.1, rowsPerRequest: 3 },
  ],
};
const withHidden = (a: AttributionResult): OutputContract => ({
  ...attributed,
  baseline_metrics: { ...attributed.baseline_metrics, endpoint_attribution: endpointAttribution(a) },
  validation_results: {
    ...attributed.validation_results,
    improvement_summary: { ...attributed.validation_results.improvement_summary, endpoints: endpointsBeforeAfter(a, null) },
  },
});

test('status, text and HTML reports show a statement with >= 5 calls per request after the costliest, with its calls', () => {
  const a = attribution('baseline', [hidden]);
  const status = statusEndpointSection({ endpoints: { before: a, after: null } }).join('\n');
  assert.match(status, /article-list: 1 x SELECT a\.\* FROM articles a ORDER BY created_at DESC/);
  assert.match(status, /article-list: 20 x SELECT t\.name FROM tags t JOIN article_tags .*\(5 ms\/req, many calls\)/);
  assert.doesNotMatch(status, /SELECT count\(\*\) FROM articles/, 'status shows one costliest statement');
  assert.doesNotMatch(status, /3 x SELECT 1 FROM users/, 'under 5 calls per request: not added');
  const text = summary(withHidden(a));
  assert.match(text, /article-list: 1 x SELECT count\(\*\) FROM articles/);
  assert.match(text, /article-list: 20 x SELECT t\.name FROM tags t .*many calls\)/);
  const html = renderHtmlReport(withHidden(a));
  assert.match(
    html,
    /20 &times; <code>SELECT t\.name FROM tags t JOIN article_tags x ON x\.tag_id = t\.id WHERE x\.article_id = \$1<\/code> \(5 ms\/req, many calls\)/,
  );
});
