// What of a failed index build or a failed rollback drop is the run's to drop, and how to say what
// became of it. Pure: the workflow decides ownership, the cleanup activity decides per attempt.
import type { ActionSpec, AppliedChange } from './types';

/** An index the cleanup is about: its name, and the table it must be on to be the run's. */
export interface IndexRef {
  schema: string;
  table: string;
  indexName: string;
}

/**
 * `invalid_only`: the leftover of a failed build (a valid index of that name is not a leftover);
 * `any`: the run's own applied index whose rollback failed (dropping it is the rollback).
 */
export type LeftoverMode = 'invalid_only' | 'any';

/** What the catalog says about the name (see indexState in activities/actions/create-index.ts). */
export interface LeftoverState {
  exists: boolean;
  isIndex: boolean;
  valid: boolean;
  tableSchema: string | null;
  tableName: string | null;
}

export type LeftoverVerdict = { kind: 'gone' } | { kind: 'drop' } | { kind: 'keep'; why: string };

/**
 * The index a failed apply of `action` built, or null: only a create_index whose attempts recorded
 * (in their heartbeat details, `building`) that they started building exactly this name.
 */
export function failedBuildOf(action: ActionSpec, recorded: unknown): IndexRef | null {
  if (action.type !== 'create_index') return null;
  if (!recorded || typeof recorded !== 'object') return null;
  if ((recorded as { building?: unknown }).building !== action.indexName) return null;
  return { schema: action.schema, table: action.table, indexName: action.indexName };
}

/**
 * What a failed rollback may have left of an index, or null. Undoing the run's own build (undo
 * drop_index of the create_index it applied, same name): the index, valid or not, since dropping it
 * is the rollback. Undoing the run's drop of an index (undo recreate_index): only an INVALID index of
 * that name on that table, the re-build's leftover (the run had dropped the valid one).
 */
export function rollbackLeftoverOf(change: AppliedChange): { index: IndexRef; mode: LeftoverMode } | null {
  const { undo, action } = change;
  if (undo.type === 'recreate_index')
    return { index: { schema: undo.schema, table: undo.table, indexName: undo.indexName }, mode: 'invalid_only' };
  if (undo.type !== 'drop_index' || action.type !== 'create_index') return null;
  if (undo.schema !== action.schema || undo.indexName !== action.indexName) return null;
  return { index: { schema: action.schema, table: action.table, indexName: action.indexName }, mode: 'any' };
}

/** Whether to drop what the catalog shows under the name: never another relation, nor an index on another table. */
export function leftoverVerdict(state: LeftoverState, ref: IndexRef, mode: LeftoverMode): LeftoverVerdict {
  const name = `${ref.schema}.${ref.indexName}`;
  if (!state.exists) return { kind: 'gone' };
  if (!state.isIndex) return { kind: 'keep', why: `${name} is not an index: the name is taken by another relation` };
  if (state.tableSchema !== ref.schema || state.tableName !== ref.table) {
    return { kind: 'keep', why: `index ${name} is on ${state.tableSchema}.${state.tableName}, not on ${ref.schema}.${ref.table}` };
  }
  if (state.valid && mode === 'invalid_only') return { kind: 'keep', why: `index ${name} is valid: not a leftover of a failed build` };
  return { kind: 'drop' };
}

const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;

/** The command that drops the index by hand, without blocking writers. */
export function manualDropCommand(ref: Pick<IndexRef, 'schema' | 'indexName'>): string {
  return `DROP INDEX CONCURRENTLY IF EXISTS ${quote(ref.schema)}.${quote(ref.indexName)};`;
}

/** What one cleanup attempt found and did. */
export interface LeftoverCleanup {
  outcome: 'dropped' | 'none_left' | 'kept';
  attempts: number;
  details: string;
}

/** The sentence the result and the report carry. */
export function describeCleanup(ref: IndexRef, mode: LeftoverMode, c: LeftoverCleanup): string {
  const what = `${mode === 'invalid_only' ? 'INVALID leftover' : 'index'} ${ref.schema}.${ref.indexName}`;
  const tries = `${c.attempts} attempt${c.attempts === 1 ? '' : 's'}`;
  if (c.outcome === 'dropped') return `${what} dropped after ${tries}, checked: nothing of that name is left`;
  if (c.outcome === 'none_left') return `no ${what} is left (checked after ${tries})`;
  return `${what} left in place (${c.details}); if it is this run's, drop it with: ${manualDropCommand(ref)}`;
}

/** The sentence when the cleanup gave up: the exact command to run once the blocker is gone. */
export function describeCleanupFailure(ref: IndexRef, mode: LeftoverMode, error: string): string {
  const what = `${mode === 'invalid_only' ? 'INVALID leftover' : 'index'} ${ref.schema}.${ref.indexName}`;
  return (
    `${what} could NOT be dropped (${error}); end the session that holds ${ref.schema}.${ref.table} ` +
    `(pg_stat_activity: an old transaction or one waiting on a lock), then run: ${manualDropCommand(ref)}`
  );
}
