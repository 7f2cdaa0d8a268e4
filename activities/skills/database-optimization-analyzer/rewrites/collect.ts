// The query rewrites' I/O (opt-in: database.advisor.rewrites): the heaviest SELECTs of the window are
// parsed, the catalog gives their tables' unique keys, the detectors propose a rewrite, and each
// proposal with runnable values (none needed, or a profile sample query's) is measured and proven on
// the real data (measure.ts: READ ONLY, statement_timeout). The application is never changed.
import type { Pool } from 'pg';
import { loadCatalog, type Catalog } from '../../../postgres/catalog';
import { inner, typeOf, type Node } from '../../../postgres/sql-ast';
import { select as deparse } from '../../../postgres/sql-deparse';
import { maxParamOf, nodesOf, parseSelectTree } from '../../../postgres/sql-tree';
import type { SamplesByQueryid } from '../sample-queries';
import { detectRewrite } from './detect';
import { previousKeyTree } from './keyset';
import { measureRewrite, readOnly, type Limits } from './measure';
import { storedWidths, type StoredWidths } from './stored-widths';
import { measureWide } from './wide-measure';
import type { KeysOf, Rewrite, RewriteEvidence, RewriteOptions, TableKeys } from './types';

export interface RewriteCollectOptions extends Limits, RewriteOptions {
  /** At most this many statements (by window time) are examined. */
  max: number;
  schemas: string[];
}

interface Statement {
  queryid: string;
  query: string;
  calls: number;
  totalMs: number;
  /** Rows returned in the window (pg_stat_statements); wide_columns needs rows per call. */
  rows?: number;
}

/** The catalog's facts the detectors need: NOT NULL columns, unique keys over plain columns, indexes, widths. */
export function keysFromCatalog(catalog: Catalog, stored: StoredWidths = new Map()): KeysOf {
  return (rel) => {
    const t = catalog.resolve(rel);
    if (!t) return null;
    const cols = [...t.columns.values()].sort((a, b) => a.attnum - b.attnum);
    const sampled = stored.get(t.oid) ?? {};
    const keys: TableKeys = {
      schema: t.schema,
      name: t.name,
      columns: cols.map((c) => c.name),
      notNull: cols.filter((c) => c.notNull).map((c) => c.name),
      uniqueKeys: t.indexes
        .filter((i) => i.unique && i.valid && !i.partial && i.columns.every((c) => c !== null))
        .map((i) => i.columns.map((c) => c!.name)),
      types: Object.fromEntries(cols.map((c) => [c.name, c.type])),
      indexLeading: t.indexes.filter((i) => i.valid && !i.partial && i.columns[0]).map((i) => i.columns[0]!.name),
      widths: Object.fromEntries(cols.map((c) => [c.name, Math.max(c.avgWidth ?? 0, sampled[c.name] ?? 0)])),
    };
    return keys;
  };
}

function relationNames(tree: Node): string[] {
  const out: string[] = [];
  for (const n of nodesOf(tree)) if (typeOf(n) === 'RangeVar') out.push(String(inner(n).relname));
  return out;
}

/** What is run for the proposal: the statement itself (no parameters) or its sample; null with the reason otherwise. */
function runnable(
  s: Statement,
  tree: Node,
  samples: SamplesByQueryid,
): { tree: Node; sql: string; sample: number | null } | { problem: string } {
  if (maxParamOf(tree) === 0) return { tree, sql: s.query, sample: null };
  const sample = samples.get(s.queryid);
  if (!sample)
    return {
      problem:
        'not measured nor proven: the statement has parameters and no sample query gives their values ' +
        '(add one with the values the application sends to database.advisor.sampleQueries)',
    };
  const t = parseSelectTree(sample.text);
  return t ? { tree: t, sql: sample.text, sample: sample.n } : { problem: `sample query ${sample.n} is not a single SELECT` };
}

async function measure(pool: Pool, run: { sql: string; tree: Node }, rewrite: Rewrite, opts: RewriteCollectOptions) {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    let values: unknown[] = [];
    if (rewrite.keyset) {
      const prev = previousKeyTree(run.tree, rewrite.keyset.offset ?? 0);
      if (!prev) return { problem: 'the page is the first one: nothing to compare' };
      const rows = await readOnly(client, opts, async () => (await client.query(deparse(prev))).rows);
      if (rows.length === 0) return { problem: `the sample's OFFSET ${rewrite.keyset.offset} is past the last row: nothing to compare` };
      values = [rows[0].last_key];
    }
    const [before, after] = [
      { sql: run.sql, values: [] },
      { sql: deparse(rewrite.tree), values },
    ];
    if (rewrite.wide) return { measured: await measureWide(client, opts, before, after, rewrite.wide) };
    return { measured: await measureRewrite(client, opts, before, after) };
  } catch (err) {
    broken = /terminat|connection/i.test((err as Error).message) ? (err as Error) : undefined;
    return { problem: `not measured: ${(err as Error).message}` };
  } finally {
    client.release(broken);
  }
}

/**
 * One statement: its rewrite (generic form), measured with runnable values; null when no rewrite applies.
 * What pg_stat_statements made a parameter (extract's field, date_trunc's unit) can hide a rewrite that
 * the sample's values show: then the proposal is printed with them.
 */
async function examine(pool: Pool, s: Statement, keysOf: KeysOf, samples: SamplesByQueryid, opts: RewriteCollectOptions, notes: string[]) {
  const tree = parseSelectTree(s.query);
  if (!tree) return null;
  const rowsPerCall = s.rows === undefined ? null : s.rows / Math.max(1, s.calls);
  const run = runnable(s, tree, samples);
  const fromSample = 'problem' in run || run.tree === tree ? null : detectRewrite(run.tree, keysOf, opts, rowsPerCall);
  const generic = detectRewrite(tree, keysOf, opts, rowsPerCall) ?? (fromSample?.kind === 'function_on_indexed_column' ? fromSample : null);
  if (!generic) return null;
  const proposal = {
    ...{ queryid: s.queryid, query: s.query, calls: s.calls, totalMs: s.totalMs },
    kind: generic.kind,
    rewritten: deparse(generic.tree),
    condition: generic.condition,
    table: generic.table,
    dropped: generic.dropped,
    keyset: generic.keyset ?? null,
    ...(generic.perRow ? { perRow: generic.perRow } : {}),
    ...(generic.wide ? { wide: generic.wide } : {}),
  };
  if ('problem' in run) {
    // A generic OFFSET may be shallow: without values there is nothing to say.
    if (generic.keyset && generic.keyset.offset === null) {
      notes.push(`${s.queryid} pages with a parameter OFFSET: give a sample query with a real page to check a keyset rewrite`);
      return null;
    }
    return { ...proposal, sample: null, measured: null, problem: run.problem };
  }
  const concrete = run.tree === tree ? generic : fromSample;
  if (!concrete || concrete.kind !== generic.kind) return null; // e.g. the sample's OFFSET is under the threshold
  const m = await measure(pool, run, concrete, opts);
  return { ...proposal, sample: run.sample, measured: m.measured ?? null, problem: m.problem ?? m.measured?.proofProblem ?? null };
}

export async function collectRewrites(
  pool: Pool,
  statements: Statement[],
  samples: SamplesByQueryid,
  opts: RewriteCollectOptions,
  notes: string[],
): Promise<RewriteEvidence[]> {
  const heavy = [...statements].sort((a, b) => b.totalMs - a.totalMs).slice(0, opts.max);
  const trees = heavy.map((s) => parseSelectTree(s.query)).filter((t): t is Node => t !== null);
  const catalog = await loadCatalog(pool, opts.schemas, trees.flatMap(relationNames));
  const stored = await storedWidths(pool, catalog, opts).catch((err: Error) => {
    notes.push(`the stored sizes of TOASTed columns could not be read (${err.message}): wide columns go by pg_stats.avg_width alone`);
    return undefined;
  });
  const keysOf = keysFromCatalog(catalog, stored);
  const out: RewriteEvidence[] = [];
  for (const s of heavy) {
    try {
      const r = await examine(pool, s, keysOf, samples, opts, notes);
      if (r) out.push(r);
    } catch (err) {
      notes.push(`query rewrites of ${s.queryid} failed: ${(err as Error).message}`);
    }
  }
  return out;
}
