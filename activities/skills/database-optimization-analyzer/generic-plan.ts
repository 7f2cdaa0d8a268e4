// Generic plans of normalized statements ($1..$n, as pg_stat_statements shows them): PREPARE the
// text and EXPLAIN EXECUTE it with NULLs under plan_cache_mode = force_generic_plan, inside a
// READ ONLY transaction that is always rolled back. Nothing is executed, only planned.
import type { Pool, PoolClient, QueryConfig } from 'pg';
import { planRoot, type PlanNode } from './plan-walk';

const STATEMENT_NAME = 'perf_orch_generic_plan';
const MAX_QUERY_LENGTH = 100_000;

/** Highest $k in the text (0 when there are no parameters). Quoted sections are ignored. */
export function highestParam(query: string): number {
  let max = 0;
  for (const m of stripQuotedAndComments(query).matchAll(/\$(\d+)/g)) max = Math.max(max, Number(m[1]));
  return max;
}

/** Blanks string literals, quoted identifiers, dollar-quoted bodies and comments (keeps positions). */
export function stripQuotedAndComments(q: string): string {
  let out = '';
  let i = 0;
  while (i < q.length) {
    const ch = q[i];
    const rest = q.slice(i);
    const dollar = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(rest);
    if (ch === "'" || ch === '"') {
      let j = i + 1;
      while (j < q.length) {
        if (q[j] === ch) {
          if (q[j + 1] === ch) j += 2;
          else break;
        } else j++;
      }
      out += ch + ' '.repeat(Math.max(0, Math.min(j, q.length) - i - 1)) + (j < q.length ? ch : '');
      i = j + 1;
    } else if (rest.startsWith('--')) {
      const nl = q.indexOf('\n', i);
      const end = nl < 0 ? q.length : nl;
      out += ' '.repeat(end - i);
      i = end;
    } else if (rest.startsWith('/*')) {
      const close = q.indexOf('*/', i + 2);
      const end = close < 0 ? q.length : close + 2;
      out += ' '.repeat(end - i);
      i = end;
    } else if (dollar && !/^\$\d/.test(rest)) {
      const tag = dollar[0];
      const close = q.indexOf(tag, i + tag.length);
      const end = close < 0 ? q.length : close + tag.length;
      out += ' '.repeat(end - i);
      i = end;
    } else {
      out += ch;
      i++;
    }
  }
  return out;
}

/** Why a statement cannot be planned here (null when it can): only single plain SELECTs are. */
export function whyNotPlannable(query: string): string | null {
  if (query.length > MAX_QUERY_LENGTH) return 'statement text is too long';
  const bare = stripQuotedAndComments(query).trim().replace(/;\s*$/, '');
  if (bare.includes(';')) return 'more than one statement';
  if (!/^(SELECT|WITH)\b/i.test(bare) && !/^\(\s*SELECT\b/i.test(bare)) return 'not a SELECT (writes are not analyzed)';
  if (/\b(INSERT|UPDATE|DELETE|MERGE)\b/i.test(bare.replace(/\bFOR\s+(NO\s+KEY\s+)?UPDATE\b/gi, ''))) {
    return 'data-modifying statement (writes are not analyzed)';
  }
  if (/\bINTO\b/i.test(bare)) return 'SELECT INTO creates a table';
  return null;
}

export interface PlanSession {
  client: PoolClient;
  /** The generic plan of a normalized statement. */
  explain(query: string): Promise<PlanNode>;
  /** SQL run after the final ROLLBACK, for session state that is not transactional (hypopg). */
  cleanupAfterRollback: Set<string>;
}

export interface PlanSessionOptions {
  statementTimeout: string; // e.g. '5s'
}

const extended = (text: string): QueryConfig => ({ text, queryMode: 'extended' }) as QueryConfig;

/**
 * Runs `fn` in one client inside BEGIN READ ONLY ... ROLLBACK with statement_timeout and
 * force_generic_plan set locally. The client goes back to the pool without leftovers (prepared
 * statement deallocated, transaction rolled back); a client whose state is unknown is discarded.
 */
export async function withPlanSession<T>(
  pool: Pool,
  fn: (session: PlanSession) => Promise<T>,
  opts: PlanSessionOptions = { statementTimeout: '5s' },
): Promise<T> {
  if (!/^\d+(ms|s|min)?$/.test(opts.statementTimeout)) throw new Error(`bad statement timeout ${opts.statementTimeout}`);
  const client = await pool.connect();
  let prepared = false;
  let broken: Error | undefined;
  const session: PlanSession = {
    client,
    cleanupAfterRollback: new Set<string>(),
    async explain(query: string): Promise<PlanNode> {
      const why = whyNotPlannable(query);
      if (why) throw new Error(`cannot plan: ${why}`);
      const text = query.trim().replace(/;\s*$/, '');
      const n = highestParam(text);
      // Extended protocol: the server refuses more than one command in the text.
      await client.query(extended(`PREPARE ${STATEMENT_NAME} AS ${text}`));
      prepared = true;
      const args = n > 0 ? `(${Array.from({ length: n }, () => 'NULL').join(', ')})` : '';
      const res = await client.query(extended(`EXPLAIN (FORMAT JSON, VERBOSE) EXECUTE ${STATEMENT_NAME}${args}`));
      await client.query(`DEALLOCATE ${STATEMENT_NAME}`);
      prepared = false;
      return planRoot(res.rows[0]['QUERY PLAN']);
    },
  };
  try {
    await client.query('BEGIN READ ONLY');
    await client.query(`SET LOCAL statement_timeout = '${opts.statementTimeout}'`);
    await client.query('SET LOCAL plan_cache_mode = force_generic_plan');
    return await fn(session);
  } finally {
    try {
      await client.query('ROLLBACK');
      // PREPARE is not transactional: a statement prepared before an error outlives the rollback.
      if (prepared) await client.query(`DEALLOCATE ${STATEMENT_NAME}`);
      for (const sql of session.cleanupAfterRollback) await client.query(sql);
    } catch (err) {
      broken = err as Error;
    }
    client.release(broken);
  }
}
