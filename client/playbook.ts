// The playbook: what was changed, how to undo each change by hand, and the manual steps left.
import type { LaterRollback } from '../common/later-rollback';
import type { OutputContract } from '../common/output-contract';

/** What a rollback after the run did to each change, skipped ones with the reason. */
function laterRollbackSection(later: LaterRollback | null): string[] {
  if (!later?.changes.length) return [];
  return [
    '## Rolled back after the run',
    '',
    `\`perf-orch rollback\` (workflow ${later.workflowId}${later.closedAt ? `, ended ${later.closedAt}` : ''}):`,
    '',
    ...later.changes.map(
      (c) => `- **${c.itemId}**: ${!c.ok ? `FAILED: ${c.details}` : c.skipped ? `skipped: ${c.skipped}` : `rolled back: ${c.details}`}`,
    ),
    '',
  ];
}

export function renderPlaybook(r: OutputContract, later: LaterRollback | null = null): string {
  const id = r.target_system_details.workflow_id;
  const items = r.optimizations_implemented;
  const applied = items.filter((o) => o.state === 'applied');
  const manual = items.filter((o) => o.state === 'manual');
  const lines = [
    `# Playbook: ${r.target_system} (${r.orchestration_timestamp})`,
    '',
    `Outcome: ${r.validation_results.improvement_summary.outcome.replace(/_/g, ' ')}; targets met: ${r.validation_results.targets_met ? 'yes' : 'no'}.`,
    '',
    '## Changes in place',
    '',
    ...(applied.length
      ? applied.flatMap((o) => [`- **${o.id}** (${o.layer}): ${o.action}`, `  - undo: ${o.rollback}`])
      : ['None: nothing the tool applied is still in place.']),
    '',
    `Undo all of them at once: \`perf-orch rollback ${id}\`.`,
    '',
    ...laterRollbackSection(later),
    '## Manual steps',
    '',
    ...(manual.length
      ? manual.flatMap((o) => [
          `- **${o.description}** (${o.layer}, ${o.type}, est. ${o.estimated_impact}, ${o.effort_days} day(s))`,
          `  - ${o.action}`,
          ...o.evidence.map((e) => `  - evidence: ${e}`),
        ])
      : ['None.']),
    '',
    '## Regression prevention',
    '',
    ...r.regression_prevention_plan.checks.map((c) => `- ${c}`),
    '',
    '## Alerts to set',
    '',
    ...r.monitoring_recommendations.map((m) => `- ${m.metric}: ${m.threshold} (${m.source})`),
    '',
    '## Next steps',
    '',
    ...r.next_steps.map((n) => `- ${n}`),
    '',
  ];
  return lines.join('\n');
}
