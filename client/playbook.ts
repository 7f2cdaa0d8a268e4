// The playbook: what was changed, how to undo each change by hand, and the manual steps left.
import type { OutputContract } from '../common/output-contract';

export function renderPlaybook(r: OutputContract): string {
  const id = r.target_system.workflow_id;
  const items = r.optimizations_implemented;
  const applied = items.filter((o) => o.status === 'applied');
  const manual = items.filter((o) => o.status === 'manual');
  const lines = [
    `# Playbook: ${r.target_system.name} (${r.orchestration_timestamp})`,
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
    '## Manual steps',
    '',
    ...(manual.length
      ? manual.flatMap((o) => [
          `- **${o.title}** (${o.layer}, est. ${o.estimated_gain_pct}% of mean latency)`,
          `  - ${o.action}`,
          ...o.evidence.map((e) => `  - evidence: ${e}`),
        ])
      : ['None.']),
    '',
    '## Regression prevention',
    '',
    ...r.regression_prevention.checks.map((c) => `- ${c}`),
    '',
    '## Alerts to set',
    '',
    ...r.monitoring_configured.map((m) => `- ${m.metric}: ${m.threshold} (${m.source})`),
    '',
    '## Next steps',
    '',
    ...r.next_steps.map((n) => `- ${n}`),
    '',
  ];
  return lines.join('\n');
}
