// A check's result as text (the terminal) and as Markdown (a CI job's summary). Pure.
import type { CheckResult } from '../../common/gate/types';
import { figureText } from '../../common/gate/check-verdict';
import { table } from '../text-table';

const fmt = figureText;
const WORD = { pass: 'PASS', warn: 'WARN', fail: 'FAIL' } as const;

function figureRows(r: CheckResult): string[][] {
  const m = r.measured;
  return [
    ['metric', 'measured'],
    ['throughput (req/s)', fmt(m.throughputRps)],
    ['p50 (ms)', fmt(m.latencyMs.p50)],
    ['p95 (ms)', fmt(m.latencyMs.p95)],
    ['p99 (ms)', fmt(m.latencyMs.p99)],
    ['error rate (%)', fmt(m.errorRatePct)],
    ['requests', String(m.requests)],
  ];
}

function thresholdRows(r: CheckResult): string[][] {
  return [['threshold', 'measured', 'result'], ...r.thresholds.map((t) => [t.threshold.text, fmt(t.actual), t.passed ? 'ok' : 'BROKEN'])];
}

/** "baseline (pinned 12): warn: ..." and, for interleaved blocks, each pair's p95s. */
function baselineLines(r: CheckResult): string[] {
  const b = r.baseline;
  if (!b) return [];
  const ids = b.baselineIds.length ? ` ${b.baselineIds.join(', ')}` : '';
  const lines = [`baseline (${b.kind}${ids}): ${b.verdict}: ${b.why}`];
  if (b.pairs?.length) {
    lines.push(
      `pairs, p95 ms baseline -> candidate: ${b.pairs.map((p) => `${fmt(p.baselineP95Ms)} -> ${fmt(p.candidateP95Ms)}`).join(', ')}`,
    );
  }
  return lines;
}

/** The ratio endpoint by endpoint (pairs: of blocks, or of seconds when taking turns); null when none was compared. */
function endpointRows(r: CheckResult): string[][] | null {
  const eps = r.baseline?.endpoints ?? [];
  if (!eps.length) return null;
  const pct = `${Math.round(eps[0].level * 1000) / 10}%`;
  return [
    ['endpoint', 'pairs', 'p95 ratio', `${pct} CI`, 'result'],
    ...eps.map((e) => [
      e.endpoint,
      String(e.pairs),
      e.p95Ratio.toFixed(3),
      `${e.p95RatioLow.toFixed(3)} to ${e.p95RatioHigh.toFixed(3)}`,
      e.verdict,
    ]),
  ];
}

const ENDPOINTS_NOTE = 'endpoint by endpoint (each interval at 1 - 0.05 / endpoints, so that together they hold at 95%):';

/** The reasons that are not already on the baseline line or in the endpoint table (the thresholds'). */
const otherReasons = (r: CheckResult): string[] => r.reasons.filter((x) => !x.startsWith('baseline: ') && !x.startsWith('endpoint '));

export function checkText(r: CheckResult): string {
  const b = r.baseline;
  const which =
    b?.kind !== 'interleaved'
      ? ''
      : b.sliceMs !== undefined
        ? ` (measured: the candidate in its turns, taking turns with the baseline every ${b.sliceMs} ms)`
        : ` (measured: the candidate block with the median p95 of ${b.pairs?.length ?? 0})`;
  const parts = [`${WORD[r.verdict]}: perf-orch check of ${r.target}${which}`, table(figureRows(r))];
  if (r.thresholds.length) parts.push(table(thresholdRows(r)));
  parts.push(...baselineLines(r));
  const eps = endpointRows(r);
  if (eps) parts.push(`${ENDPOINTS_NOTE}\n${table(eps)}`);
  else if (r.baseline?.endpointsNote) parts.push(r.baseline.endpointsNote);
  for (const reason of otherReasons(r)) parts.push(`- ${reason}`);
  if (r.lowConfidence.length) parts.push(`LOW CONFIDENCE: ${r.lowConfidence.join('; ')}`);
  if (r.escalationWorkflowId) parts.push(`escalation opened: ${r.escalationWorkflowId}`);
  return parts.join('\n\n');
}

const mdRow = (cells: string[]): string => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;

function mdTable(rows: string[][]): string {
  return [mdRow(rows[0]), mdRow(rows[0].map(() => '---')), ...rows.slice(1).map(mdRow)].join('\n');
}

export function checkMarkdown(r: CheckResult): string {
  const icon = { pass: '✅', warn: '⚠️', fail: '❌' }[r.verdict];
  const parts = [`## ${icon} perf-orch check: ${WORD[r.verdict]} (${r.target})`, mdTable(figureRows(r))];
  if (r.thresholds.length) parts.push(mdTable(thresholdRows(r)));
  if (r.baseline) {
    const b = r.baseline;
    parts.push(`**Baseline** (${b.kind}${b.baselineIds.length ? `: ${b.baselineIds.join(', ')}` : ''}): **${b.verdict}**: ${b.why}`);
    if (b.pairs?.length)
      parts.push(
        `Pairs, p95 ms baseline → candidate: ${b.pairs.map((p) => `${fmt(p.baselineP95Ms)} → ${fmt(p.candidateP95Ms)}`).join(', ')}`,
      );
    const eps = endpointRows(r);
    if (eps) parts.push(`${ENDPOINTS_NOTE[0].toUpperCase()}${ENDPOINTS_NOTE.slice(1)}\n\n${mdTable(eps)}`);
    else if (b.endpointsNote) parts.push(`_${b.endpointsNote}_`);
  }
  if (otherReasons(r).length)
    parts.push(
      otherReasons(r)
        .map((x) => `- ${x}`)
        .join('\n'),
    );
  if (r.lowConfidence.length) parts.push(`> **Low confidence:** ${r.lowConfidence.join('; ')}`);
  parts.push(`<sub>measured ${r.startedAt} to ${r.finishedAt}</sub>`);
  return `${parts.join('\n\n')}\n`;
}
