// An approved drop_index whose apply failed: DROP INDEX CONCURRENTLY that times out midway has already
// marked the index (one that existed before the run) INVALID, and the failed item is not in `applied`.
// Which index is to be made valid again, what one restore attempt does with what the catalog shows,
// and the sentences the run records. Pure: the workflow and the restore activity decide with it.
import { concurrentDefinition } from './index-definition';
import type { IndexRef, LeftoverState } from './index-leftover';
import type { ActionSpec } from './types';

/** What the apply's attempts record (heartbeat details, then the failure's details) just before the drop starts. */
export interface DropRecord {
  indexName: string;
  /** pg_get_indexdef of the index, read just before the drop: what the restore re-creates. */
  definition: string;
}

export interface FailedDrop {
  index: IndexRef;
  definition: string;
}

export const sameIndexDefinition = (a: string, b: string) => a.replace(/\s+/g, ' ').trim() === b.replace(/\s+/g, ' ').trim();

/**
 * The index a failed apply of `action` may have left INVALID, with its definition before the drop, or
 * null: only a drop_index whose attempts recorded (`dropping`) that they started dropping exactly this name.
 */
export function failedDropOf(action: ActionSpec, recorded: unknown): FailedDrop | null {
  if (action.type !== 'drop_index' || !recorded || typeof recorded !== 'object') return null;
  const d = (recorded as { dropping?: unknown }).dropping;
  if (!d || typeof d !== 'object') return null;
  const { indexName, definition } = d as Partial<Record<keyof DropRecord, unknown>>;
  if (indexName !== action.indexName || typeof definition !== 'string' || definition.trim() === '') return null;
  return { index: { schema: action.schema, table: action.table, indexName: action.indexName }, definition };
}

export type RestoreVerdict = { kind: 'valid' } | { kind: 'rebuild'; dropFirst: boolean } | { kind: 'keep'; why: string };

/**
 * One attempt's decision: a valid index of that name and definition on that table is restored already;
 * an INVALID one of that definition is dropped and built again; none at all (the drop got through, the
 * attempt failed after) is built. Another relation, table or definition is not the run's: kept.
 */
export function restoreVerdict(state: LeftoverState & { definition: string | null }, drop: FailedDrop): RestoreVerdict {
  const { schema, table, indexName } = drop.index;
  const name = `${schema}.${indexName}`;
  if (!state.exists) return { kind: 'rebuild', dropFirst: false };
  if (!state.isIndex) return { kind: 'keep', why: `${name} is not an index: the name is taken by another relation` };
  if (state.tableSchema !== schema || state.tableName !== table) {
    return { kind: 'keep', why: `index ${name} is on ${state.tableSchema}.${state.tableName}, not on ${schema}.${table}` };
  }
  if (state.definition !== null && !sameIndexDefinition(state.definition, drop.definition)) {
    return { kind: 'keep', why: `index ${name} has another definition now (${state.definition}; before the drop: ${drop.definition})` };
  }
  return state.valid ? { kind: 'valid' } : { kind: 'rebuild', dropFirst: true };
}

/** What one restore attempt found and did. */
export interface IndexRestore {
  outcome: 'restored' | 'valid' | 'kept';
  attempts: number;
  details: string;
}

const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;

/** The commands that make the index valid again by hand, without blocking writers. */
export function manualRestoreCommand(drop: FailedDrop): string {
  const { schema, indexName } = drop.index;
  return `DROP INDEX CONCURRENTLY IF EXISTS ${quote(schema)}.${quote(indexName)}; ${concurrentDefinition(drop.definition, { ifNotExists: true })};`;
}

/** The sentence the result and the report carry. */
export function describeRestore(drop: FailedDrop, r: IndexRestore): string {
  const name = `index ${drop.index.schema}.${drop.index.indexName}`;
  const tries = `${r.attempts} attempt${r.attempts === 1 ? '' : 's'}`;
  if (r.outcome === 'restored') return `${name} restored after ${tries} (${r.details}), checked: valid again, as before the run`;
  if (r.outcome === 'valid')
    return `${name} is valid, as before the run (checked after ${tries}): the failed drop had not marked it INVALID`;
  return `${name} left as it is (${r.details}); if the failed drop left it INVALID, restore it with: ${manualRestoreCommand(drop)}`;
}

/** The sentence when the restore gave up: the exact commands to run once the blocker is gone. */
export function describeRestoreFailure(drop: FailedDrop, error: string): string {
  const { schema, table, indexName } = drop.index;
  return (
    `index ${schema}.${indexName} could NOT be restored (${error}): the failed drop may have left it INVALID (unused by the ` +
    `planner, still maintained on every write); end the session that holds ${schema}.${table} (pg_stat_activity: an old ` +
    `transaction or one waiting on a lock), then run: ${manualRestoreCommand(drop)}`
  );
}

/** The sentence when the failed apply never started its DROP. */
export function dropNeverStarted(action: Extract<ActionSpec, { type: 'drop_index' }>): string {
  return `the drop of ${action.schema}.${action.indexName} never started: nothing to restore (the index is as it was before the run)`;
}
