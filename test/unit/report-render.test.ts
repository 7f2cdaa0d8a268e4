import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OutputContract } from '../../common/output-contract';
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
  const applied = report.optimizations_implemented.filter((o) => o.status === 'applied');
  assert.ok(applied.length > 0);
  for (const o of applied) {
    assert.ok(md.includes(`**${o.id}**`));
    assert.ok(md.includes(`undo: ${o.rollback}`));
  }
  assert.ok(md.includes('perf-orch rollback perf-shop'));
});
