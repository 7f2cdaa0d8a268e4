// What returning wide columns costs, on the real data: EXPLAIN ANALYZE alone neither detoasts nor
// prints the rows it does not send (PostgreSQL 17's SERIALIZE option does), so each statement is timed
// with its rows turned to text on the server, as the wire protocol does, and only their total length
// leaves it. The proof: the statement's rows projected onto the kept columns equal the rewrite's rows,
// in order when it has an ORDER BY. Every run is READ ONLY with the limits (measure.ts).
import type { PoolClient } from 'pg';
import { explainAnalyze, fingerprintRows, readOnly, type Limits, type Measurement } from './measure';
import type { WideColumns } from './types';

const AS_TEXT = (sql: string) => `SELECT sum(octet_length(rw_row::text))::int8 AS bytes FROM (${sql}) AS rw_row`;

/** Hash of the columns at `positions` of a statement with `count` output columns; in output order when `ordered`. */
const projectedHash = (count: number, positions: number[], ordered: boolean) => (sql: string) => {
  const names = Array.from({ length: count }, (_, i) => `c${i + 1}`);
  const row = positions.map((p) => `rw_t.${names[p]}`).join(', ');
  return (
    `SELECT count(*)::int8 AS n, md5(coalesce(string_agg(h, ',' ORDER BY ${ordered ? 'rw_n' : 'h'}), '')) AS h FROM ` +
    `(SELECT row_number() OVER () AS rw_n, md5(ROW(${row})::text) AS h FROM (${sql}) AS rw_t(${names.join(', ')})) x`
  );
};

async function bytesAndWidth(client: PoolClient, limits: Limits, sql: string, values: unknown[]) {
  return readOnly(client, limits, async () => {
    const bytes = Number((await client.query(AS_TEXT(sql), values)).rows[0].bytes ?? 0);
    let plan: unknown = (await client.query(`EXPLAIN (FORMAT JSON) ${sql}`, values)).rows[0]['QUERY PLAN'];
    if (typeof plan === 'string') plan = JSON.parse(plan);
    return { bytes, width: Number((plan as { Plan: Record<string, unknown> }[])[0].Plan['Plan Width'] ?? 0) };
  });
}

export async function measureWide(
  client: PoolClient,
  limits: Limits,
  before: { sql: string; values: unknown[] },
  after: { sql: string; values: unknown[] },
  wide: WideColumns,
): Promise<Measurement> {
  const b = await explainAnalyze(client, limits, AS_TEXT(before.sql), before.values);
  const a = await explainAnalyze(client, limits, AS_TEXT(after.sql), after.values);
  const sb = await bytesAndWidth(client, limits, before.sql, before.values);
  const sa = await bytesAndWidth(client, limits, after.sql, after.values);
  const figures = { before: b, after: a, bytes: { before: sb.bytes, after: sa.bytes }, planWidth: { before: sb.width, after: sa.width } };
  const all = wide.kept.map((_, i) => i);
  try {
    const hb = await fingerprintRows(client, limits, before.sql, before.values, projectedHash(wide.outputCount, wide.kept, wide.ordered));
    const ha = await fingerprintRows(client, limits, after.sql, after.values, projectedHash(wide.kept.length, all, wide.ordered));
    const method =
      `row count and an md5 of the kept columns of each row${wide.ordered ? ', in order' : ' (order-insensitive: no ORDER BY)'}, ` +
      `computed by the server (READ ONLY, statement_timeout ${limits.statementTimeout})`;
    return { ...figures, proof: { equal: hb.n === ha.n && hb.h === ha.h, rowsBefore: hb.n, rowsAfter: ha.n, method }, proofProblem: null };
  } catch (err) {
    return { ...figures, proof: null, proofProblem: `the comparison failed: ${(err as Error).message}` };
  }
}
