// Action: create (and roll back) one index (btree, gin or gist; columns or expressions), without blocking writes.
// CREATE INDEX CONCURRENTLY under lock_timeout/statement_timeout; one build at a time (advisory
// lock); a failed build leaves an INVALID index, which is dropped here before the error is rethrown.
import { ApplicationFailure } from '@temporalio/common';
import type { Pool, PoolClient } from 'pg';
import type { ActionSpec } from '../../common/types';
import { indexBody, qualifiedName, quoteIdent } from '../postgres/sql-ident';
import { GenericPlanner } from '../postgres/planner';
import { planUsesIndex } from '../postgres/plan-walk';
import { ensureParser, parserProblem, tryParse } from '../postgres/sql-parse';
import { badPlan, checkIdentifier } from './bad-plan';
import { checkKey } from './index-key-check';

import { INDEX_METHODS, describeIndexKeys, type IndexMethod } from '../../common/index-keys';

export type CreateIndexAction = Extract<ActionSpec, { type: 'create_index' }>;

export interface IndexTimeouts {
  lockTimeoutMs: number;
  statementTimeoutMs: number;
}

/** Advisory lock key held while an index is built or dropped: two runs never build at once. */
export const INDEX_BUILD_LOCK_KEY = 7262002;

interface PgError extends Error {
  code?: string;
}

function millis(what: string, v: number): number {
  if (!Number.isFinite(v) || v < 1) throw badPlan(`${what} must be a positive number of milliseconds, got ${v}`);
  return Math.floor(v);
}

/** A PostgreSQL error as an ApplicationFailure: timeouts and lost connections retry, the rest does not. */
export function asFailure(prefix: string, err: unknown, opts: IndexTimeouts): ApplicationFailure {
  if (err instanceof ApplicationFailure) return err;
  const e = err as PgError;
  const msg = `${prefix}: ${e?.message ?? String(err)}`;
  if (e?.code === '55P03') {
    return ApplicationFailure.create({
      message: `${msg} (lock_timeout ${opts.lockTimeoutMs} ms: another session holds a conflicting lock or an old transaction is open; it will be retried)`,
      type: 'LockTimeout',
      nonRetryable: false,
      cause: e,
    });
  }
  if (e?.code === '57014') {
    return ApplicationFailure.create({
      message: `${msg} (statement_timeout ${opts.statementTimeoutMs} ms; raise actions.statementTimeoutMs in the target profile for large tables)`,
      type: 'IndexBuildTimeout',
      nonRetryable: true,
      cause: e,
    });
  }
  const transient = !e?.code || e.code.startsWith('08') || e.code.startsWith('57P') || e.code === '40001' || e.code === '40P01';
  return ApplicationFailure.create({
    message: msg,
    type: transient ? 'DatabaseUnavailable' : 'IndexBuildFailed',
    nonRetryable: !transient,
    cause: e,
  });
}

interface IndexState {
  exists: boolean;
  isIndex: boolean;
  valid: boolean;
  tableSchema: string | null;
  tableName: string | null;
  definition: string | null;
}

export async function indexState(client: PoolClient, schema: string, name: string): Promise<IndexState> {
  const { rows } = await client.query(
    `SELECT c.relkind, i.indisvalid, tn.nspname AS table_schema, t.relname AS table_name,
            CASE WHEN c.relkind = 'i' THEN pg_get_indexdef(c.oid) END AS definition
       FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_index i ON i.indexrelid = c.oid
       LEFT JOIN pg_class t ON t.oid = i.indrelid
       LEFT JOIN pg_namespace tn ON tn.oid = t.relnamespace
      WHERE n.nspname = $1 AND c.relname = $2`,
    [schema, name],
  );
  if (rows.length === 0) return { exists: false, isIndex: false, valid: false, tableSchema: null, tableName: null, definition: null };
  const r = rows[0];
  return {
    exists: true,
    isIndex: r.relkind === 'i',
    valid: r.indisvalid === true,
    tableSchema: r.table_schema ?? null,
    tableName: r.table_name ?? null,
    definition: r.definition ?? null,
  };
}

/**
 * A dedicated client with session timeouts and the build lock; everything is undone before release.
 * A PostgreSQL error on the way (a lock or statement timeout included) becomes an ApplicationFailure
 * named after `what`.
 */
export async function withBuildSession<T>(
  pool: Pool,
  opts: IndexTimeouts,
  what: string,
  fn: (client: PoolClient) => Promise<T>,
): Promise<T> {
  const lockMs = millis('lockTimeoutMs', opts.lockTimeoutMs);
  const stmtMs = millis('statementTimeoutMs', opts.statementTimeoutMs);
  const client = await pool.connect();
  let locked = false;
  let broken: Error | undefined;
  try {
    // statement_timeout first: it also bounds the wait for another run's build.
    await client.query(`SET statement_timeout = ${stmtMs}`);
    // PostgreSQL 14+: a build whose worker died is cancelled within a second instead of running on
    // unowned (its INVALID leftover is then dropped by the retry).
    await client.query(`SET client_connection_check_interval = 1000`).catch(() => undefined);
    await client.query('SELECT pg_advisory_lock($1)', [INDEX_BUILD_LOCK_KEY]);
    locked = true;
    await client.query(`SET lock_timeout = ${lockMs}`);
    return await fn(client);
  } catch (err) {
    throw asFailure(what, err, opts);
  } finally {
    try {
      if (locked) await client.query('SELECT pg_advisory_unlock($1)', [INDEX_BUILD_LOCK_KEY]);
      await client.query('RESET lock_timeout');
      await client.query('RESET statement_timeout');
      await client.query('RESET client_connection_check_interval').catch(() => undefined);
    } catch (err) {
      broken = err as Error; // the connection is in an unknown state: discard it
    }
    client.release(broken);
  }
}

async function dropConcurrently(client: PoolClient, schema: string, name: string): Promise<void> {
  await client.query(`DROP INDEX CONCURRENTLY IF EXISTS ${qualifiedName(schema, name)}`);
}

/** Drops the leftover of a failed build, retrying a few times when a lock is still held. */
export async function dropLeftover(client: PoolClient, schema: string, name: string): Promise<{ dropped: boolean; error?: string }> {
  let last = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const st = await indexState(client, schema, name);
      if (!st.exists) return { dropped: attempt > 0 };
      await dropConcurrently(client, schema, name);
      return { dropped: true };
    } catch (err) {
      last = (err as Error).message;
      await new Promise((r) => setTimeout(r, 250 * (attempt + 1)));
    }
  }
  return { dropped: false, error: last };
}

/**
 * CREATE INDEX CONCURRENTLY IF NOT EXISTS "name" ON "schema"."table" ("c1", "c2" DESC), then ANALYZE.
 * An index of that name that already exists and is valid is left alone: `preExisting: true` (its
 * rollback must not drop it). An INVALID one (a failed earlier build) is dropped and rebuilt.
 */
/** What an earlier attempt of the same apply left (see action-heartbeat.ts), and how to tell the next one. */
export interface BuildOwnership {
  /** An earlier attempt of this action started building this index: whatever of it exists is the run's. */
  earlierAttemptBuilt: boolean;
  /** Called just before the build starts, so a retry can tell. */
  onBuildStart(): void;
}

const NO_OWNERSHIP: BuildOwnership = { earlierAttemptBuilt: false, onBuildStart: () => undefined };

export async function createIndex(
  pool: Pool,
  action: CreateIndexAction,
  opts: IndexTimeouts,
  ownership: BuildOwnership = NO_OWNERSHIP,
): Promise<{ details: string; preExisting?: boolean }> {
  if (Array.isArray(action.columns) && action.columns.some((c) => c?.expression) && !(await ensureParser()))
    throw badPlan(`cannot check the index's expressions: the SQL parser could not be loaded (${parserProblem() ?? 'unknown error'})`);
  const idx = checkedIndexAction(action);
  const { schema, table, indexName, include } = idx;
  const target = `${schema}.${table}`;
  const columnText =
    (idx.method !== 'btree' ? `USING ${idx.method} ` : '') +
    describeIndexKeys(action.columns) +
    (include.length ? ` INCLUDE ${include.join(', ')}` : '');

  return withBuildSession(pool, opts, `CREATE INDEX CONCURRENTLY ${indexName} ON ${target} failed`, async (client) => {
    await checkTableColumns(client, idx);
    const notes: string[] = [];
    const before = await indexState(client, schema, indexName);
    if (before.exists) {
      const kept = await keepOrDropExisting(client, idx, before, opts, ownership.earlierAttemptBuilt);
      if (kept) return kept;
      notes.push(`dropped an INVALID leftover index of the same name first`);
    }
    ownership.onBuildStart();
    const buildMs = await buildOrCleanUp(client, idx, opts, `CREATE INDEX CONCURRENTLY ${indexName} ON ${target} (${columnText}) failed`);
    try {
      await client.query(`ANALYZE ${qualifiedName(schema, table)}`);
      notes.push(`analyzed ${target}`);
    } catch (err) {
      notes.push(`ANALYZE ${target} failed (${(err as Error).message}); autovacuum will analyze it later`);
    }
    const used = await verifyUsed(pool, indexName, action.verifyQueries ?? []);
    if (used) notes.push(used);
    return {
      details: `created index ${schema}.${indexName} on ${target} (${columnText}) concurrently in ${buildMs} ms; ${notes.join('; ')}`,
    };
  });
}

/** The index an action asks for, its identifiers checked. */
interface IndexToBuild {
  schema: string;
  table: string;
  indexName: string;
  method: IndexMethod;
  columns: CreateIndexAction['columns'];
  include: string[];
}

/** The action's identifiers, checked (non-empty, not too long), its keys and method too: a BadPlan failure otherwise. */
function checkedIndexAction(action: CreateIndexAction): IndexToBuild {
  const schema = checkIdentifier('schema', action.schema);
  const table = checkIdentifier('table', action.table);
  const indexName = checkIdentifier('indexName', action.indexName);
  const method = action.method ?? 'btree';
  if (!INDEX_METHODS.includes(method))
    throw badPlan(`index ${indexName}: method must be one of ${INDEX_METHODS.join(', ')}, got ${String(method)}`);
  if (!Array.isArray(action.columns) || action.columns.length === 0) throw badPlan(`index ${indexName}: no columns given`);
  action.columns.forEach((c, i) => checkKey(indexName, method, c, i));
  const include = action.include ?? [];
  if (!Array.isArray(include)) throw badPlan(`index ${indexName}: include must be a list of column names`);
  if (include.length > 0 && method === 'gin') throw badPlan(`index ${indexName}: a gin index has no INCLUDE columns (remove include)`);
  include.forEach((c, i) => checkIdentifier(`include[${i}]`, c));
  return { schema, table, indexName, method, columns: action.columns, include };
}

/** The table and every key and INCLUDE column exist: a BadPlan failure naming what is missing otherwise. */
async function checkTableColumns(client: PoolClient, idx: IndexToBuild): Promise<void> {
  const { schema, table, indexName, columns, include } = idx;
  const target = `${schema}.${table}`;
  const tbl = await client.query(`SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = $2`, [schema, table]);
  if (!tbl.rowCount) throw badPlan(`cannot create index ${indexName}: table ${target} does not exist (or is not visible to this user)`);
  const { rows: colRows } = await client.query(
    `SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2`,
    [schema, table],
  );
  const existing = new Set(colRows.map((r) => String(r.column_name)));
  const missing = [...columns.filter((c) => !c.expression).map((c) => c.name), ...include].filter((n) => !existing.has(n));
  if (missing.length) {
    throw badPlan(
      `cannot create index ${indexName} on ${target}: column(s) ${missing.join(', ')} do not exist; ` +
        `the table has: ${[...existing].sort().join(', ')}`,
    );
  }
}

/**
 * A relation of the index's name exists: a valid index of it on this table is kept (the result to
 * return), an INVALID one is dropped (null: build it); anything else is a BadPlan failure.
 */
async function keepOrDropExisting(
  client: PoolClient,
  idx: IndexToBuild,
  before: IndexState,
  opts: IndexTimeouts,
  ours: boolean,
): Promise<{ details: string; preExisting: boolean } | null> {
  const { schema, table, indexName } = idx;
  if (!before.isIndex) throw badPlan(`cannot create index ${schema}.${indexName}: that name is taken by another relation`);
  if (before.tableSchema !== schema || before.tableName !== table) {
    throw badPlan(
      `cannot create index ${schema}.${indexName}: an index of that name already exists on ${before.tableSchema}.${before.tableName}`,
    );
  }
  if (before.valid && ours) {
    return {
      details:
        `index ${schema}.${indexName} was built by an earlier attempt of this change (its worker stopped); ` +
        `it is this run's change (${before.definition})`,
      preExisting: false,
    };
  }
  if (before.valid) {
    return {
      details: `index ${schema}.${indexName} already existed and is valid; left as it is (${before.definition})`,
      preExisting: true,
    };
  }
  try {
    await dropConcurrently(client, schema, indexName);
  } catch (err) {
    throw asFailure(`cannot drop the INVALID leftover index ${schema}.${indexName} before rebuilding it`, err, opts);
  }
  return null;
}

/**
 * CREATE INDEX CONCURRENTLY; returns the build time (ms). On failure the INVALID leftover is dropped
 * and the failure says so.
 */
async function buildOrCleanUp(client: PoolClient, idx: IndexToBuild, opts: IndexTimeouts, failedPrefix: string): Promise<number> {
  const { schema, table, indexName, method, columns, include } = idx;
  const ddl = `CREATE INDEX CONCURRENTLY IF NOT EXISTS ${quoteIdent(indexName)} ON ${qualifiedName(schema, table)} ${indexBody(method, columns, include)}`;
  const started = Date.now();
  try {
    await client.query(ddl);
    const after = await indexState(client, schema, indexName);
    if (!after.exists || !after.valid)
      throw new Error(`index ${schema}.${indexName} is ${after.exists ? 'INVALID' : 'missing'} after the build`);
  } catch (err) {
    const leftover = await dropLeftover(client, schema, indexName);
    const cleanup = leftover.error
      ? `; the INVALID leftover could NOT be dropped (${leftover.error}): run DROP INDEX CONCURRENTLY IF EXISTS ${qualifiedName(schema, indexName)}`
      : leftover.dropped
        ? '; the INVALID leftover index was dropped, no index was left behind'
        : '; no index was left behind';
    const failure = asFailure(failedPrefix, err, opts);
    failure.message += cleanup;
    throw failure;
  }
  return Date.now() - started;
}

/**
 * After the build: do the generic plans of the statements the index was proposed for use it? Planned
 * in a READ ONLY transaction with a statement timeout; each text must parse as exactly one
 * SELECT/UPDATE/DELETE. The answer goes into the details (a plan that does not use it is reported, not
 * an error: validation will measure the effect).
 */
async function verifyUsed(pool: Pool, indexName: string, queries: string[]): Promise<string | null> {
  if (!Array.isArray(queries) || queries.length === 0) return null;
  if (!(await ensureParser())) return 'not verified that plans use it (the SQL parser could not be loaded)';
  let planner: GenericPlanner | null = null;
  const uses: boolean[] = [];
  const problems: string[] = [];
  try {
    planner = await GenericPlanner.open(pool, null, { statementTimeout: '5s' });
    for (const q of queries.slice(0, 5)) {
      const parsed = typeof q === 'string' ? tryParse(q, { fingerprint: false }) : { error: 'not a string' };
      if ('error' in parsed || parsed.facts.statementCount !== 1 || !['select', 'update', 'delete'].includes(parsed.facts.kind)) {
        problems.push('a verification statement is not a single SELECT/UPDATE/DELETE: skipped');
        continue;
      }
      try {
        const plan = await planner.explain(parsed.facts.text, parsed.facts.maxParam);
        uses.push(planUsesIndex(plan, indexName));
      } catch (err) {
        problems.push(`a verification statement could not be planned (${(err as Error).message})`);
      }
    }
  } catch (err) {
    problems.push(`plans not verified (${(err as Error).message})`);
  } finally {
    await planner?.close();
  }
  const used = uses.filter(Boolean).length;
  const head =
    uses.length === 0
      ? 'not verified that plans use it'
      : used === uses.length
        ? `the generic plan of ${used === 1 ? 'the statement' : `all ${used} statements`} it was proposed for uses it`
        : `WARNING: only ${used} of ${uses.length} statements it was proposed for use it in their generic plan`;
  return [head, ...problems].join('; ');
}

/** DROP INDEX CONCURRENTLY IF EXISTS "schema"."indexName" (the rollback of createIndex). */
export async function dropIndex(pool: Pool, schema: string, indexName: string, opts: IndexTimeouts): Promise<{ details: string }> {
  checkIdentifier('schema', schema);
  checkIdentifier('indexName', indexName);
  return withBuildSession(pool, opts, `DROP INDEX CONCURRENTLY ${schema}.${indexName} failed`, async (client) => {
    const st = await indexState(client, schema, indexName);
    if (st.exists && !st.isIndex) throw badPlan(`cannot drop ${schema}.${indexName}: it is not an index`);
    await dropConcurrently(client, schema, indexName);
    return {
      details: st.exists
        ? `dropped index ${schema}.${indexName} concurrently`
        : `index ${schema}.${indexName} did not exist; nothing to drop`,
    };
  });
}
