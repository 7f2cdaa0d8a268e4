// A recommendation and its evidence: the statements it serves, their plans before and after.
import type { Catalog } from '../../../postgres/catalog';
import type { Candidate } from '../../../postgres/index-model';
import type { PlanShapes } from './custom-plans';
import { keyNotes } from './expression-keys';
import type { Stmt } from './statement';
import type { IndexRecommendation, ServedStatement, TableWrites } from './types';

/** A statement's line in a recommendation's evidence. */
export function servedStatement(
  s: Pick<Stmt, 'queryids' | 'text' | 'calls' | 'totalMs' | 'rows' | 'costBefore'> & { shownText?: string | null },
  costAfter: number,
  planBefore: string,
  planAfter: string,
  shapes?: PlanShapes,
): ServedStatement {
  return {
    ...(shapes ? { planShapes: shapesEvidence(shapes) } : {}),
    queryids: s.queryids,
    query: s.shownText ?? s.text,
    calls: s.calls,
    totalMs: s.totalMs,
    rows: s.rows,
    costBefore: s.costBefore,
    costAfter,
    planBefore,
    planAfter,
  };
}

const pct = (ratio: number) => Math.round(1000 * (1 - ratio)) / 10;

export function shapesEvidence(shapes: PlanShapes): NonNullable<ServedStatement['planShapes']> {
  const c = shapes.custom;
  return {
    generic: { savingPct: pct(shapes.generic.ratio), used: shapes.generic.used },
    custom: c ? { savingPct: pct(c.ratio), used: c.used, samples: c.samples, sources: c.sources } : null,
  };
}

export function recommendation(
  c: Candidate,
  catalog: Catalog,
  w: TableWrites | undefined,
  savedMs: number,
  writeCost: number,
  statements: ServedStatement[],
  verified: boolean,
  /** Notes on what the key removes (tie-break.ts), after the column order notes. */
  orderNotes: string[] = [],
): IndexRecommendation {
  const tbl = catalog.get(c.schema, c.table)!;
  const columnNotes: string[] = [];
  const eq = c.keys.slice(0, c.eqCount);
  if (eq.length > 0) {
    const desc = eq.map((k) => {
      const nd = tbl.columns.get(k.name)?.nDistinct;
      return `${k.name} (${nd ? `~${Math.round(nd)} distinct values` : 'no statistics'})`;
    });
    columnNotes.push(`equality columns, most selective first (pg_stats): ${desc.join(', ')}`);
  }
  const tail = c.keys.slice(c.eqCount);
  if (tail.length > 0)
    columnNotes.push(`then ${tail.map((k) => `${k.name}${k.desc ? ' DESC' : ''}`).join(', ')} (ORDER BY or range after the equalities)`);
  columnNotes.push(...keyNotes(c.keys, tbl));
  columnNotes.push(...orderNotes);
  if (c.include.length > 0) columnNotes.push(`INCLUDE (${c.include.join(', ')}) lets the statements read only the index (index-only scan)`);
  return {
    schema: c.schema,
    table: c.table,
    reltuples: tbl.reltuples,
    ...(c.method && c.method !== 'btree' ? { method: c.method } : {}),
    keys: c.keys,
    eqCount: c.eqCount,
    include: c.include,
    verified,
    verifiedBy: verified ? 'hypopg' : null,
    savedMs,
    writeCostMs: writeCost,
    writes: w ? { inserted: w.inserted, updated: w.updated, hotUpdated: w.hotUpdated, deleted: w.deleted } : null,
    statements: statements.sort((a, b) => b.totalMs - a.totalMs),
    statementCount: statements.length,
    columnNotes,
  };
}
