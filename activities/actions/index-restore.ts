// One attempt to make valid again an index that existed before the run and that an approved drop,
// failing midway, left INVALID (or dropped, when the attempt failed after the DROP went through). It
// runs after the apply gave up, typically while an old transaction still holds the table: the INVALID
// remnant is dropped and the definition read before the drop is built again, both CONCURRENTLY (SHARE
// UPDATE EXCLUSIVE on the table, never in the way of writers) under lock_timeout, then the catalog
// must show the index valid with that definition. An attempt that does not get there fails retryably:
// the activity's retry policy spaces the attempts out, so the restore outlasts the blocker.
import { ApplicationFailure } from '@temporalio/common';
import type { Pool } from 'pg';
import { restoreVerdict, sameIndexDefinition, type FailedDrop, type IndexRestore } from '../../common/index-restore';
import { qualifiedName } from '../postgres/sql-ident';
import { indexState, withBuildSession, type IndexTimeouts } from './create-index';
import { checkedRebuild } from './drop-index';

export async function restoreDroppedIndex(pool: Pool, drop: FailedDrop, opts: IndexTimeouts, attempt: number): Promise<IndexRestore> {
  const { schema, indexName, ddl } = await checkedRebuild({ ...drop.index, definition: drop.definition });
  const name = `${schema}.${indexName}`;
  return withBuildSession(pool, opts, `restoring index ${name} failed`, async (client) => {
    const verdict = restoreVerdict(await indexState(client, schema, indexName), drop);
    if (verdict.kind === 'valid') return { outcome: 'valid', attempts: attempt, details: `index ${name} is valid` };
    if (verdict.kind === 'keep') return { outcome: 'kept', attempts: attempt, details: verdict.why };
    const started = Date.now();
    if (verdict.dropFirst) await client.query(`DROP INDEX CONCURRENTLY IF EXISTS ${qualifiedName(schema, indexName)}`);
    await client.query(ddl);
    const after = await indexState(client, schema, indexName);
    if (!after.valid || !after.definition || !sameIndexDefinition(after.definition, drop.definition)) {
      throw ApplicationFailure.retryable(
        `${name} is ${after.exists ? (after.valid ? `valid but is now ${after.definition}` : 'INVALID') : 'missing'} after ${ddl}`,
        'IndexNotRestored',
      );
    }
    const how = verdict.dropFirst ? 'its INVALID remnant dropped and re-built' : 're-built';
    return { outcome: 'restored', attempts: attempt, details: `${how} concurrently in ${Date.now() - started} ms: ${ddl}` };
  });
}
