// The rollback of createIndex, after a look at the index: gone already, it is "already dropped"; an
// index of that name that is not the one the run built (another table, columns, order, INCLUDE list,
// a unique, partial or expression index, another access method) or a relation that is not an index is
// left as it is; only the run's own index is dropped, CONCURRENTLY, under the build lock and timeouts.
import type { Pool, PoolClient } from 'pg';
import { checkIdentifier } from './bad-plan';
import { indexState, withBuildSession, type CreateIndexAction, type IndexTimeouts } from './create-index';
import type { UndoResult } from './feature-toggle';
import { qualifiedName } from '../postgres/sql-ident';

/** An index as the catalog describes it. */
export interface IndexShape {
  tableSchema: string;
  tableName: string;
  unique: boolean;
  partial: boolean;
  expressions: boolean;
  method: string;
  keyCount: number;
  columns: (string | null)[]; // key columns then INCLUDE columns; null for an expression
  descending: boolean[]; // per key column
  /** Per key column: its non-default operator class, else null (absent: not read). */
  opclasses?: (string | null)[];
}

const list = (cols: (string | null)[], desc: boolean[] = []) =>
  `(${cols.map((c, i) => `${c ?? '<expression>'}${desc[i] ? ' DESC' : ''}`).join(', ')})`;

/** How `shape` differs from the index `action` builds, or null when it is that index. */
export function indexDifference(shape: IndexShape, action: CreateIndexAction): string | null {
  if (shape.tableSchema !== action.schema || shape.tableName !== action.table) {
    return `it is on ${shape.tableSchema}.${shape.tableName}, the run built it on ${action.schema}.${action.table}`;
  }
  if (shape.unique) return 'it is a unique index, the run built a plain one';
  if (shape.partial) return 'it is a partial index, the run built a full one';
  const wantExpressions = action.columns.some((c) => c.expression);
  if (shape.expressions && !wantExpressions) return 'it indexes expressions, the run built it on columns';
  const method = action.method ?? 'btree';
  if (shape.method !== method) return `it is a ${shape.method} index, the run built a ${method}`;
  const keys = shape.columns.slice(0, shape.keyCount);
  const include = shape.columns.slice(shape.keyCount);
  // An expression key is compared by position only (the catalog prints it in its own words).
  const wantKeys = action.columns.map((c) => (c.expression ? null : c.name));
  const wantDesc = action.columns.map((c) => Boolean(c.desc));
  const wantInclude = action.include ?? [];
  const same = (a: unknown[], b: unknown[]) => a.length === b.length && a.every((x, i) => x === b[i]);
  if (!same(keys, wantKeys) || (method === 'btree' && !same(shape.descending, wantDesc))) {
    return `its key is ${list(keys, shape.descending)}, the run built ${list(wantKeys, wantDesc)}`;
  }
  const wantOpclasses = action.columns.map((c) => c.opclass ?? null);
  if (shape.opclasses && !same(shape.opclasses, wantOpclasses)) {
    const show = (x: (string | null)[]) => x.map((o) => o ?? 'default').join(', ');
    return `its operator classes are (${show(shape.opclasses)}), the run built (${show(wantOpclasses)})`;
  }
  if (!same(include, wantInclude)) return `it includes ${list(include)}, the run built INCLUDE ${list(wantInclude)}`;
  return null;
}

async function indexShape(client: PoolClient, schema: string, name: string): Promise<IndexShape | null> {
  const { rows } = await client.query(
    `SELECT tn.nspname AS table_schema, t.relname AS table_name, i.indisunique AS unique,
            i.indpred IS NOT NULL AS partial, i.indexprs IS NOT NULL AS expressions, am.amname AS method,
            i.indnkeyatts AS key_count,
            ARRAY(SELECT a.attname::text FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, n)
                    LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum ORDER BY k.n) AS columns,
            ARRAY(SELECT (o.opt & 1) = 1 FROM unnest(i.indoption::int2[]) WITH ORDINALITY AS o(opt, n) ORDER BY o.n) AS descending,
            ARRAY(SELECT CASE WHEN oc.opcdefault THEN NULL ELSE oc.opcname::text END
                    FROM unnest(i.indclass::oid[]) WITH ORDINALITY AS u(opc, n) JOIN pg_opclass oc ON oc.oid = u.opc ORDER BY u.n) AS opclasses
       FROM pg_index i
       JOIN pg_class c ON c.oid = i.indexrelid
       JOIN pg_am am ON am.oid = c.relam
       JOIN pg_class t ON t.oid = i.indrelid
       JOIN pg_namespace tn ON tn.oid = t.relnamespace
      WHERE i.indexrelid = $1::regclass`,
    [qualifiedName(schema, name)],
  );
  const r = rows[0];
  if (!r) return null;
  return {
    tableSchema: r.table_schema,
    tableName: r.table_name,
    unique: r.unique,
    partial: r.partial,
    expressions: r.expressions,
    method: r.method,
    keyCount: r.key_count,
    columns: r.columns,
    descending: r.descending,
    opclasses: r.opclasses,
  };
}

/**
 * Drops the index a create_index change built, when it is still that index. `action` is the change's
 * action; without one (not a create_index) the index is dropped when it exists, as before.
 */
export async function dropOwnIndex(
  pool: Pool,
  undo: { schema: string; indexName: string },
  action: CreateIndexAction | null,
  opts: IndexTimeouts,
): Promise<UndoResult> {
  const schema = checkIdentifier('schema', undo.schema);
  const indexName = checkIdentifier('indexName', undo.indexName);
  const name = `${schema}.${indexName}`;
  return withBuildSession(pool, opts, `DROP INDEX CONCURRENTLY ${name} failed`, async (client) => {
    const st = await indexState(client, schema, indexName);
    if (!st.exists) {
      const skipped = `already dropped: index ${name} does not exist`;
      return { details: `${skipped}; nothing to do`, skipped };
    }
    const shape = st.isIndex ? await indexShape(client, schema, indexName) : null;
    const notOurs = !shape ? 'the name is taken by a relation that is not an index' : action ? indexDifference(shape, action) : null;
    if (notOurs) {
      const skipped = `left as it is: ${name} is not the run's index: ${notOurs}${st.definition ? ` (now: ${st.definition})` : ''}`;
      return { details: skipped, skipped };
    }
    await client.query(`DROP INDEX CONCURRENTLY IF EXISTS ${qualifiedName(schema, indexName)}`);
    return { details: `dropped index ${name} concurrently` };
  });
}
