// Plan actions and their undo, in words (the plan, the report and the optimization step's details).
import type { ActionSpec, AppliedChange } from './types';
import { concurrentDefinition } from './index-definition';
import { indexBodyText } from './index-keys';

export function describeAction(a: ActionSpec): string {
  switch (a.type) {
    case 'create_index': {
      return `CREATE INDEX CONCURRENTLY "${a.indexName}" ON "${a.schema}"."${a.table}" ${indexBodyText(a.method, a.columns, a.include)}`;
    }
    case 'drop_index':
      return `DROP INDEX CONCURRENTLY "${a.schema}"."${a.indexName}" (on ${a.table}; approve it by id; rollback: ${concurrentDefinition(a.definition)})`;
    case 'feature_toggle':
      return `set feature toggle ${a.toggle} = ${JSON.stringify(a.value)}`;
    case 'install_alert_rules':
      return `install ${a.rules} Prometheus rules (SLOs ${a.slos.join(', ')}) as ${a.fileName} in observability.rulesDir, reload, check them healthy`;
    case 'manual':
      return `manual: ${a.steps.join(' ')}`;
  }
}

/** What undoing an applied change does, in words. */
export function describeUndo(change: AppliedChange): string {
  const u = change.undo;
  if (u.type === 'drop_index') return `DROP INDEX CONCURRENTLY ${u.schema}.${u.indexName}`;
  if (u.type === 'recreate_index') return `re-create ${u.schema}.${u.indexName} concurrently`;
  if (u.type === 'set_toggle') return `set toggle ${u.toggle} back to ${JSON.stringify(u.value)}`;
  if (u.type === 'remove_alert_rules') return `${u.previous === null ? 'remove' : 'restore the earlier'} ${u.path} and reload Prometheus`;
  return `nothing to undo (${u.why})`;
}
