// The playbook: a runbook for the next optimization of the same target, numbered steps built from the
// last run's output contract (what to measure, what was found and changed with its undo, the items
// left in priority order, the checks before and after, when to escalate).
import type { LaterRollback } from '../common/later-rollback';
import type { OutputContract } from '../common/output-contract';
import { changedStep, checksStep, escalateStep, foundStep, leftStep, measureStep } from './playbook-steps';

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
  const checks = checksStep(r);
  const steps: [string, string[]][] = [
    ['Measure first', measureStep(r)],
    ['What the last run found', foundStep(r)],
    ['What the last run changed, and how to undo it', changedStep(r)],
    ['Checks before applying', checks.before],
    ['Items left, in priority order', leftStep(r)],
    ['Checks after', checks.after],
    ['When to escalate', escalateStep(r)],
  ];
  return [
    `# Runbook: the next optimization of ${r.target_system}`,
    '',
    `From the run of ${r.orchestration_timestamp} (${r.target_system_details.workflow_id} / ${r.target_system_details.run_id}): ` +
      `${r.validation_results.improvement_summary.outcome.replace(/_/g, ' ')}; targets met: ${r.validation_results.targets_met ? 'yes' : 'no'}.`,
    '',
    ...steps.flatMap(([title, body], i) => [`## Step ${i + 1}. ${title}`, '', ...body, '']),
    ...laterRollbackSection(later),
    '## Next steps the run recorded',
    '',
    ...r.next_steps.map((n) => `- ${n}`),
    '',
  ].join('\n');
}
