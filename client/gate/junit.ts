// A check's result as JUnit XML, for CI systems' test reports: one test case per threshold, one
// for the baseline comparison and one per endpoint compared with it. JUnit has no "warning": a warn is a passing case whose system-out
// says WARN (or a failure with --fail-on-warn). Pure.
import type { CheckResult, ThresholdResult } from '../../common/gate/types';
import type { EndpointComparison } from '../../common/gate/endpoint-ratios';
import { figureText } from '../../common/gate/check-verdict';

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');

const fmt = figureText;

interface Case {
  classname: string;
  name: string;
  failure?: string;
  out?: string;
}

function thresholdCase(r: ThresholdResult): Case {
  const what = `measured ${fmt(r.actual)} (${r.threshold.text})`;
  return { classname: 'thresholds', name: r.threshold.text, ...(r.passed ? { out: what } : { failure: `threshold broken: ${what}` }) };
}

function endpointCase(e: EndpointComparison, kind: string, failOnWarn: boolean): Case {
  const name = `p95 ratio of ${e.endpoint} vs ${kind} baseline`;
  if (e.verdict === 'fail' || (e.verdict === 'warn' && failOnWarn))
    return { classname: 'baseline.endpoints', name, failure: `${e.verdict}: ${e.why}` };
  return { classname: 'baseline.endpoints', name, out: `${e.verdict === 'warn' ? 'WARN: ' : ''}${e.why}` };
}

function cases(r: CheckResult, failOnWarn: boolean): Case[] {
  const out = r.thresholds.map(thresholdCase);
  const b = r.baseline;
  if (b) {
    const name = `p95 ratio vs ${b.kind} baseline`;
    if (b.verdict === 'fail' || (b.verdict === 'warn' && failOnWarn))
      out.push({ classname: 'baseline', name, failure: `${b.verdict}: ${b.why}` });
    else out.push({ classname: 'baseline', name, out: `${b.verdict === 'warn' ? 'WARN: ' : ''}${b.why}` });
    for (const e of b.endpoints ?? []) out.push(endpointCase(e, b.kind, failOnWarn));
  }
  return out;
}

function caseXml(c: Case, seconds: string): string {
  const body = c.failure
    ? `\n      <failure message="${esc(c.failure)}" type="PerformanceRegression">${esc(c.failure)}</failure>\n    `
    : c.out
      ? `\n      <system-out>${esc(c.out)}</system-out>\n    `
      : '';
  return `    <testcase classname="perf-orch.${esc(c.classname)}" name="${esc(c.name)}" time="${seconds}">${body}</testcase>`;
}

export function checkJunitXml(r: CheckResult, opts: { failOnWarn?: boolean } = {}): string {
  const all = cases(r, Boolean(opts.failOnWarn));
  const failures = all.filter((c) => c.failure).length;
  const seconds = ((Date.parse(r.finishedAt) - Date.parse(r.startedAt)) / 1000).toFixed(3);
  const suite = esc(`perf-orch check ${r.target}`);
  const props = [
    ['verdict', r.verdict],
    ['throughput_rps', String(r.measured.throughputRps)],
    ['p95_ms', String(r.measured.latencyMs.p95)],
    ['p99_ms', String(r.measured.latencyMs.p99)],
    ['error_rate_pct', String(r.measured.errorRatePct)],
    ...r.lowConfidence.map((reason): [string, string] => ['low_confidence', reason]),
  ];
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${suite}" tests="${all.length}" failures="${failures}" time="${seconds}">`,
    `  <testsuite name="${suite}" tests="${all.length}" failures="${failures}" errors="0" skipped="0" timestamp="${esc(r.startedAt)}" time="${seconds}">`,
    '    <properties>',
    ...props.map(([k, v]) => `      <property name="${esc(k)}" value="${esc(v)}"/>`),
    '    </properties>',
    ...all.map((c) => caseXml(c, '0')),
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
