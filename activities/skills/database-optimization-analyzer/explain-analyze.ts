// EXPLAIN (ANALYZE, BUFFERS) on request (`database.advisor.explainAnalyze`): the top statements of the
// window that are a single SELECT without parameters ($n) and modify nothing (the SQL parser tells),
// or whose sample query (`database.advisor.sampleQueries`, real values) is such a SELECT, are run once each,
// in a READ ONLY transaction with statement_timeout and lock_timeout, rolled back.
// Writes are never run: they are not SELECTs, and a READ ONLY transaction refuses them anyway
// (including SELECT ... FOR UPDATE and nextval()).
import { round } from '../../../common/round';
import type { Pool } from 'pg';
import type { SamplesByQueryid } from './sample-queries';
import { tryParse } from '../../postgres/sql-parse';

export interface ActualFigures {
  queryid: string;
  query: string;
  executionMs: number;
  planningMs: number;
  actualRows: number;
  sharedHit: number;
  sharedRead: number;
  /** The profile's sample query that was run in place of the statement, by its number. */
  sample: number | null;
}

export interface ExplainAnalyzeResult {
  /** By queryid. */
  figures: Map<string, ActualFigures>;
  notes: string[];
}

const DURATION = /^\d+(ms|s|min)?$/;

/** Whether a statement is one SELECT with no data-modifying part (parameters allowed or not). */
function readOnlySelect(query: string, allowParams: boolean): { text: string } | null {
  const parsed = tryParse(query, { fingerprint: false });
  if ('error' in parsed) return null;
  const f = parsed.facts;
  if (f.statementCount !== 1 || f.kind !== 'select' || f.modifiesData || f.writeTarget || (f.maxParam > 0 && !allowParams)) return null;
  return { text: f.text };
}

/** Whether a statement may be run with EXPLAIN ANALYZE: one SELECT, no parameters, no data-modifying part. */
export function analyzable(query: string): { text: string } | null {
  return readOnlySelect(query, false);
}

export async function explainAnalyzeTop(
  pool: Pool,
  statements: { queryid: string; query: string; totalMs: number }[],
  opts: { max: number; statementTimeout: string; lockTimeout?: string },
  samples: SamplesByQueryid = new Map(),
): Promise<ExplainAnalyzeResult> {
  const figures = new Map<string, ActualFigures>();
  const notes: string[] = [];
  if (!DURATION.test(opts.statementTimeout)) throw new Error(`bad statement timeout ${opts.statementTimeout}`);
  const lockTimeout = opts.lockTimeout ?? '1s';
  if (!DURATION.test(lockTimeout)) throw new Error(`bad lock timeout ${lockTimeout}`);
  const picked: { queryid: string; query: string; text: string; sample: number | null }[] = [];
  for (const s of [...statements].sort((a, b) => b.totalMs - a.totalMs)) {
    if (picked.length >= opts.max) break;
    const sample = samples.get(s.queryid);
    // A sample stands for its statement only when the statement itself is a SELECT that modifies nothing.
    const a = analyzable(s.query) ?? (sample && readOnlySelect(s.query, true) ? analyzable(sample.text) : null);
    if (a) picked.push({ queryid: s.queryid, query: s.query, text: a.text, sample: a.text === sample?.text ? sample.n : null });
  }
  if (picked.length === 0) {
    notes.push('EXPLAIN ANALYZE: no statement of the window is a SELECT without parameters or with a sample query; nothing was run');
    return { figures, notes };
  }
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    for (const p of picked) {
      try {
        await client.query(
          `BEGIN READ ONLY; SET LOCAL statement_timeout = '${opts.statementTimeout}'; SET LOCAL lock_timeout = '${lockTimeout}'`,
        );
        const { rows } = await client.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${p.text}`);
        let v: unknown = rows[0]['QUERY PLAN'];
        if (typeof v === 'string') v = JSON.parse(v);
        const top = (Array.isArray(v) ? v[0] : v) as { Plan: Record<string, number>; 'Planning Time'?: number; 'Execution Time'?: number };
        figures.set(p.queryid, {
          queryid: p.queryid,
          query: p.text,
          executionMs: Number(top['Execution Time'] ?? top.Plan['Actual Total Time'] ?? 0),
          planningMs: Number(top['Planning Time'] ?? 0),
          actualRows: Number(top.Plan['Actual Rows'] ?? 0),
          sharedHit: Number(top.Plan['Shared Hit Blocks'] ?? 0),
          sharedRead: Number(top.Plan['Shared Read Blocks'] ?? 0),
          sample: p.sample,
        });
      } catch (err) {
        notes.push(`EXPLAIN ANALYZE of ${p.queryid} failed: ${(err as Error).message}`);
      } finally {
        try {
          await client.query('ROLLBACK');
        } catch (err) {
          broken = err as Error;
        }
      }
      if (broken) break;
    }
  } finally {
    client.release(broken);
  }
  const withSamples = picked.filter((p) => p.sample !== null).length;
  notes.push(
    `EXPLAIN (ANALYZE, BUFFERS) ran ${figures.size} of ${picked.length} SELECTs ` +
      `(${picked.length - withSamples} without parameters, ${withSamples} with sample values; ` +
      `READ ONLY, statement_timeout ${opts.statementTimeout})`,
  );
  return { figures, notes };
}

export function actualEvidence(a: ActualFigures): string {
  return (
    `EXPLAIN (ANALYZE, BUFFERS), run once READ ONLY${a.sample !== null ? ` with the values of profile sample ${a.sample}` : ''}: ` +
    `actual ${round(a.executionMs, 3)} ms execution (+${round(a.planningMs, 3)} ms planning), ` +
    `${a.actualRows} rows, buffers: shared hit ${a.sharedHit}, read ${a.sharedRead}`
  );
}
