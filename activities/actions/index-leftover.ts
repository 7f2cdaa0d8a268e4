// One attempt to drop what a failed build or a failed rollback drop left of the run's index. It runs
// after the apply or rollback gave up, typically while an old transaction still holds the table:
// DROP INDEX CONCURRENTLY (SHARE UPDATE EXCLUSIVE on the table, never in the way of writers) under
// lock_timeout, then a catalog check that nothing of that name is left. An attempt that finds the
// index still there fails retryably: the activity's retry policy spaces the attempts out (up to a
// minute apart), so the cleanup outlasts the blocker.
import { ApplicationFailure } from '@temporalio/common';
import type { Pool } from 'pg';
import { leftoverVerdict, type IndexRef, type LeftoverCleanup, type LeftoverMode } from '../../common/index-leftover';
import { qualifiedName } from '../postgres/sql-ident';
import { checkIdentifier } from './bad-plan';
import { indexState, withBuildSession, type IndexTimeouts } from './create-index';

export async function dropIndexLeftover(
  pool: Pool,
  ref: IndexRef,
  mode: LeftoverMode,
  opts: IndexTimeouts,
  attempt: number,
): Promise<LeftoverCleanup> {
  const schema = checkIdentifier('schema', ref.schema);
  checkIdentifier('table', ref.table);
  const indexName = checkIdentifier('indexName', ref.indexName);
  return withBuildSession(pool, opts, `DROP INDEX CONCURRENTLY ${schema}.${indexName} (leftover) failed`, async (client) => {
    const before = leftoverVerdict(await indexState(client, schema, indexName), ref, mode);
    if (before.kind === 'gone') return { outcome: 'none_left', attempts: attempt, details: `nothing of the name ${schema}.${indexName}` };
    if (before.kind === 'keep') return { outcome: 'kept', attempts: attempt, details: before.why };
    await client.query(`DROP INDEX CONCURRENTLY IF EXISTS ${qualifiedName(schema, indexName)}`);
    const after = await indexState(client, schema, indexName);
    if (after.exists) {
      throw ApplicationFailure.retryable(
        `${schema}.${indexName} is still there after DROP INDEX CONCURRENTLY (${after.valid ? 'valid' : 'INVALID'})`,
        'LeftoverRemains',
      );
    }
    return { outcome: 'dropped', attempts: attempt, details: `dropped ${schema}.${indexName} concurrently` };
  });
}
