// Action: drop an unused or duplicate index (applied only when its plan item is approved by id), and
// its rollback, re-creating it. DROP INDEX CONCURRENTLY under lock_timeout/statement_timeout and the
// build lock. Refused: an index that is unique, primary or backs a constraint (dropping it changes what
// the table accepts), one on another table than the plan says, or one whose definition changed since
// the analysis. The definition read just before the drop (pg_get_indexdef) is the rollback, run as
// CREATE INDEX CONCURRENTLY after the SQL parser checked it is exactly that index on that table; a
// failed re-build drops its INVALID leftover.
import type { Pool } from 'pg';
import { concurrentDefinition } from '../../common/index-definition';
import { sameIndexDefinition, type DropRecord } from '../../common/index-restore';
import type { ActionSpec, AppliedChange } from '../../common/types';
import { ensureParser, parseIndexDefinition } from '../postgres/sql-parse';
import { badPlan, checkIdentifier } from './bad-plan';
import { asFailure, dropLeftover, indexState, withBuildSession, type IndexTimeouts } from './create-index';
import { qualifiedName } from '../postgres/sql-ident';
import type { UndoResult } from './feature-toggle';

export type DropIndexAction = Extract<ActionSpec, { type: 'drop_index' }>;
export type RecreateIndexUndo = Extract<AppliedChange['undo'], { type: 'recreate_index' }>;

export async function dropIndexForPlan(
  pool: Pool,
  action: DropIndexAction,
  opts: IndexTimeouts,
  /** Called just before the DROP starts, with what a restore needs should it fail midway. */
  onDropStart: (record: DropRecord) => void = () => undefined,
): Promise<{ details: string; definition: string | null }> {
  const schema = checkIdentifier('schema', action.schema);
  const table = checkIdentifier('table', action.table);
  const indexName = checkIdentifier('indexName', action.indexName);
  return withBuildSession(pool, opts, `DROP INDEX CONCURRENTLY ${schema}.${indexName} failed`, async (client) => {
    const st = await indexState(client, schema, indexName);
    if (!st.exists) return { details: `index ${schema}.${indexName} no longer exists; nothing to drop`, definition: null };
    if (!st.isIndex) throw badPlan(`cannot drop ${schema}.${indexName}: it is not an index`);
    if (st.tableSchema !== schema || st.tableName !== table) {
      throw badPlan(
        `cannot drop ${schema}.${indexName}: it is on ${st.tableSchema}.${st.tableName}, not on ${schema}.${table} as the plan says`,
      );
    }
    const { rows } = await client.query(
      `SELECT i.indisunique AS unique, i.indisprimary AS primary,
              (SELECT c.conname FROM pg_constraint c WHERE c.conindid = i.indexrelid LIMIT 1) AS constraint
         FROM pg_index i WHERE i.indexrelid = $1::regclass`,
      [qualifiedName(schema, indexName)],
    );
    const r = rows[0];
    if (r.primary || r.constraint || r.unique) {
      const what = r.primary ? 'the primary key' : r.constraint ? `constraint ${r.constraint}` : 'uniqueness';
      throw badPlan(
        `${schema}.${indexName} enforces ${what}; dropping it would change what the table accepts, so the tool does not drop it`,
      );
    }
    if (action.definition && st.definition && !sameIndexDefinition(action.definition, st.definition)) {
      throw badPlan(
        `${schema}.${indexName} changed since the analysis (now: ${st.definition}; then: ${action.definition}); run the analysis again`,
      );
    }
    if (st.definition) onDropStart({ indexName, definition: st.definition });
    await client.query(`DROP INDEX CONCURRENTLY IF EXISTS ${qualifiedName(schema, indexName)}`);
    return {
      details: `dropped index ${schema}.${indexName} concurrently (its definition, kept for the rollback: ${st.definition})`,
      definition: st.definition,
    };
  });
}

/**
 * The saved definition as a concurrent build, after the SQL parser checked it is exactly CREATE INDEX
 * <indexName> ON <schema>.<table>: a BadPlan failure otherwise.
 */
export async function checkedRebuild(
  saved: Pick<RecreateIndexUndo, 'schema' | 'table' | 'indexName' | 'definition'>,
): Promise<{ schema: string; table: string; indexName: string; ddl: string }> {
  const schema = checkIdentifier('schema', saved.schema);
  const table = checkIdentifier('table', saved.table);
  const indexName = checkIdentifier('indexName', saved.indexName);
  if (!(await ensureParser())) throw badPlan('the SQL parser could not be loaded: the saved index definition cannot be checked');
  const def = parseIndexDefinition(saved.definition);
  if (!def || def.concurrent || def.indexName !== indexName || def.table !== table || (def.schema ?? schema) !== schema) {
    throw badPlan(
      `the saved definition of ${schema}.${indexName} is not CREATE INDEX ${indexName} ON ${schema}.${table}: ${saved.definition}; re-create the index by hand`,
    );
  }
  const ddl = concurrentDefinition(saved.definition, { ifNotExists: true });
  const check = parseIndexDefinition(ddl);
  if (!check?.concurrent || check.indexName !== indexName) throw badPlan(`could not make a concurrent build of: ${saved.definition}`);
  return { schema, table, indexName, ddl };
}

/** The rollback of dropIndexForPlan: the saved definition, built CONCURRENTLY. */
export async function recreateIndex(pool: Pool, undo: RecreateIndexUndo, opts: IndexTimeouts): Promise<UndoResult> {
  const { schema, indexName, ddl } = await checkedRebuild(undo);
  return withBuildSession(pool, opts, `re-creating ${schema}.${indexName} failed`, async (client) => {
    const st = await indexState(client, schema, indexName);
    if (st.exists && st.isIndex && st.valid) {
      const skipped =
        st.definition && !sameIndexDefinition(st.definition, undo.definition)
          ? `left as it is: an index ${schema}.${indexName} with another definition exists now (${st.definition}; the run dropped: ${undo.definition})`
          : `already re-created: index ${schema}.${indexName} exists again`;
      return { details: skipped, skipped };
    }
    if (st.exists && !st.isIndex) throw badPlan(`cannot re-create ${schema}.${indexName}: the name is taken by another relation`);
    if (st.exists) await dropLeftover(client, schema, indexName);
    const started = Date.now();
    try {
      await client.query(ddl);
      const after = await indexState(client, schema, indexName);
      if (!after.valid) throw new Error(`index ${schema}.${indexName} is ${after.exists ? 'INVALID' : 'missing'} after the build`);
    } catch (err) {
      const leftover = await dropLeftover(client, schema, indexName);
      const failure = asFailure(`re-creating ${schema}.${indexName} (${ddl}) failed`, err, opts);
      failure.message += leftover.error ? `; its INVALID leftover could NOT be dropped (${leftover.error})` : '; nothing was left behind';
      throw failure;
    }
    return { details: `re-created index ${schema}.${indexName} concurrently in ${Date.now() - started} ms (${ddl})` };
  });
}
