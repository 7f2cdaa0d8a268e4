// Runs a statement and its rewrite on the real data: EXPLAIN (ANALYZE, BUFFERS) of each (the second of
// two runs, so both read a warm cache), and the proof that they return the same result (row count and
// an order-insensitive hash of the rows, computed by the server: no row leaves it). Every run is in its
// own READ ONLY transaction with statement_timeout and lock_timeout, rolled back.
import type { PoolClient } from 'pg';
import { walkPlan, type PlanNode } from '../../../postgres/plan-walk';
import { round } from '../../../../common/round';

export interface RunFigures {
  executionMs: number;
  planningMs: number;
  sharedHit: number;
  sharedRead: number;
  /** The plan's nodes with their actual times, shortened. */
  plan: string;
}

export interface Proof {
  equal: boolean;
  rowsBefore: number;
  rowsAfter: number;
  method: string;
}

export interface Measurement {
  before: RunFigures;
  after: RunFigures;
  /** wide_columns: the bytes the rows take as text (what the wire carries) and the planner's row width, per call. */
  bytes?: { before: number; after: number };
  planWidth?: { before: number; after: number };
  /** null when it could not be computed (the reason is in `proofProblem`). */
  proof: Proof | null;
  proofProblem: string | null;
}

export interface Limits {
  statementTimeout: string;
  lockTimeout: string;
}

const DURATION = /^\d+(ms|s|min)?$/;

/** One READ ONLY transaction with the limits, always rolled back. */
export async function readOnly<T>(client: PoolClient, limits: Limits, run: () => Promise<T>): Promise<T> {
  if (!DURATION.test(limits.statementTimeout) || !DURATION.test(limits.lockTimeout))
    throw new Error(`bad statement or lock timeout (${limits.statementTimeout}, ${limits.lockTimeout})`);
  await client.query(
    `BEGIN READ ONLY; SET LOCAL statement_timeout = '${limits.statementTimeout}'; SET LOCAL lock_timeout = '${limits.lockTimeout}'`,
  );
  try {
    return await run();
  } finally {
    await client.query('ROLLBACK');
  }
}

function actualExcerpt(root: PlanNode, maxLength = 400): string {
  const parts: string[] = [];
  walkPlan(root, (n) => {
    const rel = n['Relation Name'] ? ` on ${n['Relation Name']}` : '';
    const idx = n['Index Name'] ? ` using ${n['Index Name']}` : '';
    parts.push(`${n['Node Type']}${idx}${rel} (actual ${round(Number(n['Actual Total Time'] ?? 0), 3)} ms, rows=${n['Actual Rows']})`);
  });
  const text = parts.join(' > ');
  return text.length <= maxLength ? text : `${text.slice(0, maxLength - 1)}…`;
}

export async function explainAnalyze(client: PoolClient, limits: Limits, sql: string, values: unknown[]): Promise<RunFigures> {
  let last: RunFigures | null = null;
  for (let i = 0; i < 2; i++) {
    last = await readOnly(client, limits, async () => {
      const { rows } = await client.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${sql}`, values);
      let v: unknown = rows[0]['QUERY PLAN'];
      if (typeof v === 'string') v = JSON.parse(v);
      const top = (Array.isArray(v) ? v[0] : v) as { Plan: PlanNode; 'Planning Time'?: number; 'Execution Time'?: number };
      return {
        executionMs: Number(top['Execution Time'] ?? 0),
        planningMs: Number(top['Planning Time'] ?? 0),
        sharedHit: Number(top.Plan['Shared Hit Blocks'] ?? 0),
        sharedRead: Number(top.Plan['Shared Read Blocks'] ?? 0),
        plan: actualExcerpt(top.Plan),
      };
    });
  }
  return last!;
}

const HASH = (sql: string) =>
  `SELECT count(*)::int8 AS n, md5(coalesce(string_agg(h, ',' ORDER BY h), '')) AS h FROM (SELECT md5(t::text) AS h FROM (${sql}) t) x`;

/** Row count and hash of a statement, as `hash` (a statement over `sql` returning n and h) computes them on the server. */
export async function fingerprintRows(
  client: PoolClient,
  limits: Limits,
  sql: string,
  values: unknown[],
  hash: (sql: string) => string = HASH,
): Promise<{ n: number; h: string }> {
  return readOnly(client, limits, async () => {
    const { rows } = await client.query(hash(sql), values);
    return { n: Number(rows[0].n), h: String(rows[0].h) };
  });
}

/** Before and after, then the proof; a proof that times out or fails is reported as such, the timings stay. */
export async function measureRewrite(
  client: PoolClient,
  limits: Limits,
  before: { sql: string; values: unknown[] },
  after: { sql: string; values: unknown[] },
): Promise<Measurement> {
  const b = await explainAnalyze(client, limits, before.sql, before.values);
  const a = await explainAnalyze(client, limits, after.sql, after.values);
  try {
    const hb = await fingerprintRows(client, limits, before.sql, before.values);
    const ha = await fingerprintRows(client, limits, after.sql, after.values);
    return {
      before: b,
      after: a,
      proof: {
        equal: hb.n === ha.n && hb.h === ha.h,
        rowsBefore: hb.n,
        rowsAfter: ha.n,
        method: `row count and an order-insensitive md5 of the rows, computed by the server (READ ONLY, statement_timeout ${limits.statementTimeout})`,
      },
      proofProblem: null,
    };
  } catch (err) {
    return { before: b, after: a, proof: null, proofProblem: `the comparison failed: ${(err as Error).message}` };
  }
}
