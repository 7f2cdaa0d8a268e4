// The runbook's steps, each built from the output contract of the last run. Pure: lines of markdown.
import type { OutputContract } from '../common/output-contract';

type Item = OutputContract['optimizations_implemented'][number];
const PRIORITY = { high: 0, medium: 1, low: 2 } as const;
const LEFT_STATES = new Set<Item['state']>(['not_approved', 'skipped', 'manual', 'rejected', 'failed', 'rolled_back']);
const STATE_WORDS: Record<Item['state'], string> = {
  applied: 'applied',
  rolled_back: 'applied, then rolled back',
  failed: 'failed to apply',
  skipped: 'skipped',
  not_approved: 'not approved',
  manual: 'manual',
  rejected: 'rejected with the plan',
};

/** The items a next run should consider, high priority first, then by impact score. */
export function itemsLeft(r: OutputContract): Item[] {
  return r.optimizations_implemented
    .filter((o) => LEFT_STATES.has(o.state))
    .sort((a, b) => PRIORITY[a.priority] - PRIORITY[b.priority] || b.impact_score - a.impact_score);
}

const targetsText = (r: OutputContract) => {
  const t = r.performance_targets;
  return `p95 <= ${t.latency_p95_ms} ms, p99 <= ${t.latency_p99_ms} ms, >= ${t.throughput_rps} req/s, errors <= ${t.error_rate_percent}%`;
};

/** Step: measure the current state first and compare it with what the last run left. */
export function measureStep(r: OutputContract): string[] {
  const id = r.target_system_details.workflow_id;
  const after = (m: string) => r.validation_results.improvement_summary.comparison.find((c) => c.metric === m)?.after;
  const p95 = after('p95Ms') ?? r.baseline_metrics.latency_p95_ms;
  const rps = after('throughputRps') ?? r.baseline_metrics.throughput_rps;
  const threshold = r.regression_prevention_plan.regression_threshold_pct;
  return [
    `Check the profile, then measure the current state before changing anything (the run stops at the plan, waiting for approval):`,
    '',
    '```bash',
    `bin/perf-orch check <profile of ${r.target_system}>.yaml`,
    `bin/perf-orch run --target <profile of ${r.target_system}>.yaml --scope ${r.optimization_scope.join(',')} --tier auto`,
    `bin/perf-orch status ${id}`,
    '```',
    '',
    `Profile: \`${r.target_system}\` against ${r.target_system_details.base_url}, targets ${targetsText(r)}; ` +
      `the last run chose tier ${r.baseline_metrics.tier}.`,
    `Compare the new baseline with what the last run left: p95 ${p95} ms, ${rps} req/s. ` +
      `Worse by more than ${threshold}%: something changed since; find it before optimizing.`,
  ];
}

/** Step: what the last run found (the leading bottlenecks). */
export function foundStep(r: OutputContract, top = 5): string[] {
  const b = [...r.bottlenecks_identified].sort((x, y) => y.impact_score - x.impact_score).slice(0, top);
  if (b.length === 0) return ['The last run identified no bottleneck.'];
  return [
    `The last run's leading bottlenecks (impact: share of the request time, 0-100); check whether they still lead in the new status:`,
    '',
    ...b.map((x) => `- ${x.layer}: ${x.component}: ${x.current_value} (impact ${x.impact_score})`),
  ];
}

/** Step: what the last run changed, how to undo each change, and what it undid. */
export function changedStep(r: OutputContract): string[] {
  const id = r.target_system_details.workflow_id;
  const applied = r.optimizations_implemented.filter((o) => o.state === 'applied');
  const undone = r.optimizations_implemented.filter((o) => o.state === 'rolled_back' || o.state === 'failed');
  return [
    `Changes the last run left in place (outcome: ${r.validation_results.improvement_summary.outcome.replace(/_/g, ' ')}):`,
    '',
    ...(applied.length
      ? applied.flatMap((o) => [
          `- **${o.id}** (${o.layer}, ${o.type}): ${o.action}`,
          ...(o.measured ? [`  - measured: ${o.measured.verdict} (${o.measured.method})`] : []),
          `  - undo: ${o.rollback}`,
        ])
      : ['None: nothing the tool applied is still in place.']),
    ...undone.map((o) => `- ${o.id}: ${STATE_WORDS[o.state]}, not in place`),
    '',
    'Roll back every change of that run at once:',
    '',
    '```bash',
    `bin/perf-orch rollback ${id}`,
    '```',
  ];
}

/** Step: the items left, in priority order, with how to apply each. */
export function leftStep(r: OutputContract): string[] {
  const id = r.target_system_details.workflow_id;
  const left = itemsLeft(r);
  if (left.length === 0) return ['No item is left from the last run.'];
  return [
    'Items left, in priority order (ids as in the last plan; approve the ones the new plan still lists):',
    '',
    ...left.flatMap((o, i) => [
      `${i + 1}. **${o.description}** (${o.priority}, ${STATE_WORDS[o.state]}; ${o.layer}, ${o.type}, est. ${o.estimated_impact}, ${o.effort_days} day(s))`,
      `   - do: ${o.state === 'manual' ? o.action : `\`bin/perf-orch approve ${id} --items ${o.id}\``}`,
      `   - undo: ${o.rollback}`,
      ...o.evidence.slice(0, 2).map((e) => `   - evidence: ${e}`),
    ]),
  ];
}

/** Steps: the checks before applying and after. */
export function checksStep(r: OutputContract): { before: string[]; after: string[] } {
  const id = r.target_system_details.workflow_id;
  return {
    before: [
      'Before approving: the baseline of step 1 is stable (the status says so; a drifting one is measured again), a rollback',
      'path exists for each item (its undo above), and the change window allows it. Keep these checks:',
      '',
      ...r.regression_prevention_plan.checks.map((c) => `- ${c}`),
    ],
    after: [
      'After the run: read the report and compare each scenario with the targets.',
      '',
      '```bash',
      `bin/perf-orch report ${id} --out reports/`,
      '```',
      '',
      `- every target met (${targetsText(r)}); no metric worse by more than ${r.regression_prevention_plan.regression_threshold_pct}%`,
      '- stress: the breaking point at or above the throughput target; soak: no leak or drift flag',
      ...r.monitoring_recommendations.map((m) => `- alert: ${m.metric} ${m.threshold} (${m.source}, ${m.status})`),
    ],
  };
}

/** Step: when to stop and escalate, from the rules and what the last run saw. */
export function escalateStep(r: OutputContract): string[] {
  const s = r.validation_results.improvement_summary;
  const seen: string[] = [];
  if (s.escalation_workflow_id)
    seen.push(`an architecture review is open: \`bin/perf-orch escalation status ${s.escalation_workflow_id}\``);
  const bp = s.stress_breaking_point;
  if (bp && bp.throughput_rps < r.performance_targets.throughput_rps)
    seen.push(`the stress breaking point (${bp.throughput_rps} req/s) is below the throughput target: capacity, not tuning`);
  if (s.soak?.leak_suspected || s.soak?.flags?.length) seen.push(`the soak flagged: ${(s.soak.flags ?? ['a leak']).join('; ')}`);
  for (const m of s.target_attainment?.missed ?? []) seen.push(`${m.metric} reached ${m.achieved_pct}% of the improvement it needed`);
  return [
    'Escalate (architecture review, tier T4) instead of tuning further when:',
    '',
    '- a missed target reached less than 80% of the improvement it needed after the changes;',
    '- a change regressed a metric: it is rolled back; re-analyze the root cause with the regression as evidence;',
    '- the fix is architectural (sharding, read replicas, a service split, a third-party dependency) or the cost exceeds the business value.',
    '',
    ...(seen.length ? ['The last run saw:', '', ...seen.map((x) => `- ${x}`)] : ['The last run saw none of these.']),
  ];
}
