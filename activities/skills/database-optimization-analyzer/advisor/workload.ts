// The workload: which statements are analyzed together and which are streamed (the tail), which ones
// are planned, and a first pass over all of them for the tables to load, the rows they write and
// the statements that may have GIN-type predicates.
import { tryParse, type RelRef, type StatementFacts } from '../../../postgres/sql-parse';
import { GinScan, MAY_HAVE_GIN } from './gin-workload';
import type { AdvisorOptions } from './options';
import type { AdvisorRun } from './run';

export interface WorkloadSplit {
  /** The statements analyzed together (indices into the input). */
  detailed: Uint32Array;
  /** The statements streamed in batches (indices into the input), heaviest first. */
  tail: Uint32Array;
}

/** Statement indices: the `max` heaviest by window time (in input order) and the rest, heaviest first. */
export function splitByWeight(statements: { totalMs: number }[], max: number): WorkloadSplit {
  const n = statements.length;
  const all = Uint32Array.from({ length: n }, (_, i) => i);
  if (n <= max) return { detailed: all, tail: new Uint32Array(0) };
  all.sort((a, b) => statements[b].totalMs - statements[a].totalMs || a - b);
  return { detailed: all.slice(0, max).sort(), tail: all.slice(max) };
}

/** Writes (and SELECTs whose WITH queries write) are planned only with planWrites: EXPLAIN, never run. */
export function isPlannable(f: StatementFacts, opts: Pick<AdvisorOptions, 'planWrites'>): boolean {
  return (
    (f.kind === 'select' && !f.modifiesData) || (opts.planWrites && (f.kind === 'update' || f.kind === 'delete' || f.kind === 'select'))
  );
}

/** Rows written to a target relation (as the statements name it) and the columns UPDATEs set. */
export interface StatementWrites {
  writeTarget: RelRef;
  inserted: number;
  updated: number;
  deleted: number;
  updatedColumns: Set<string>;
}

export interface WorkloadScan {
  /** The relation names to load from the catalog. */
  names: Set<string>;
  /** By target relation as the statements name it. */
  writes: Map<string, StatementWrites>;
  /** What the GIN/GiST proposals need (gin-workload.ts). */
  gin: GinScan;
}

/**
 * The only parse pass over every statement: the relations to load from the catalog, the writes and the
 * GinScan. Of the parse trees only the facts of statements that may give a GIN/GiST candidate are kept:
 * memory stays flat in the number of statements.
 */
export function scanWorkload(run: AdvisorRun): WorkloadScan {
  const { input, opts, stats } = run;
  const parseErrorExamples: string[] = [];
  const writes = new Map<string, StatementWrites>();
  const names = new Set<string>();
  const gin = new GinScan(input.samples);
  for (const [idx, s] of input.statements.entries()) {
    const mayHaveGin = MAY_HAVE_GIN.test(s.query);
    const parsed = tryParse(s.query, { fingerprint: mayHaveGin });
    if ('error' in parsed) {
      stats.parseErrors++;
      if (parseErrorExamples.length < 3) parseErrorExamples.push(`${s.queryid}: ${parsed.error}`);
      continue;
    }
    const f = parsed.facts;
    if (mayHaveGin) gin.add(idx, s.queryid, f, f.statementCount === 1 && isPlannable(f, opts));
    if (f.statementCount !== 1) continue;
    if (f.writeTarget) {
      const k = `${f.writeTarget.schema ?? ''}\0${f.writeTarget.name}`;
      const w = writes.get(k) ?? {
        writeTarget: f.writeTarget,
        inserted: 0,
        updated: 0,
        deleted: 0,
        updatedColumns: new Set<string>(),
      };
      if (f.kind === 'insert') w.inserted += s.rows;
      else if (f.kind === 'update') {
        w.updated += s.rows;
        for (const c of f.updatedColumns) w.updatedColumns.add(c);
      } else if (f.kind === 'delete') w.deleted += s.rows;
      writes.set(k, w);
      names.add(f.writeTarget.name);
    }
    if (isPlannable(f, opts)) for (const sc of f.scopes) for (const r of sc.relations) names.add(r.name);
  }
  if (stats.parseErrors > 0)
    run.notes.push(`${stats.parseErrors} statements could not be parsed and were skipped (${parseErrorExamples.join('; ')})`);
  return { names, writes, gin };
}
