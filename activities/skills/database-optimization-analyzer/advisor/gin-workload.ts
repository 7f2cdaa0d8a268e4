// The statements of the workload with GIN-type predicates (all of them, heavy and tail: a cheap text
// test skips the others; scanWorkload's parse notes the rest in a GinScan), grouped by fingerprint, and
// one GIN/GiST candidate per operand (table + column or expression) with every operator the workload
// applies to it.
import type { Catalog } from '../../../postgres/catalog';
import { candidateKey, type Candidate } from '../../../postgres/index-model';
import { tryParse, type StatementFacts } from '../../../postgres/sql-parse';
import { sampleSetsByFingerprint, type ValueSample } from '../../../postgres/value-samples';
import { ginCandidate, ginUsesOf, operandKey, type GinUse } from './gin-candidates';
import type { WorkloadStatement } from './types';

export interface GinStatement {
  queryids: string[];
  text: string;
  nParams: number;
  calls: number;
  totalMs: number;
  rows: number;
}

export interface GinGroup {
  key: string;
  cand: Candidate;
  /** Its operator class comes from pg_trgm. */
  trigram: boolean;
  /** The operators the workload applies to the operand. */
  operators: string[];
  /** Heaviest first. */
  stmts: GinStatement[];
}

/** Operators and keywords without which a statement has no GIN-type predicate. */
export const MAY_HAVE_GIN = /@>|<@|&&|\?|@@|%|like/i;

/** A statement whose text passed MAY_HAVE_GIN, as scanWorkload's parse saw it. */
interface GinSeen {
  /** Index into the input statements. */
  idx: number;
  /** Its fingerprint (q:queryid when it has none): the first statement of a fingerprint decides for the others. */
  fp: string;
  /** Kept only for the first of its fingerprint, when it is plannable and has GIN-type predicates or value samples. */
  facts: StatementFacts | null;
}

/**
 * What ginWorkload needs of the workload, noted during scanWorkload's parse so that no statement is
 * parsed twice; the facts of only the few statements that may give a candidate are kept.
 */
export class GinScan {
  readonly seen: GinSeen[] = [];
  private readonly fps = new Set<string>();
  private sets: Map<string, ValueSample[]> | undefined;

  constructor(private readonly samples: (string | ValueSample)[] = []) {}

  /** The value samples by fingerprint (parsed when first needed). */
  sampleSets(): Map<string, ValueSample[]> {
    return (this.sets ??= sampleSetsByFingerprint(this.samples));
  }

  /** Statement `idx`, whose text passed MAY_HAVE_GIN, parsed with its fingerprint; `plannable`: one statement, planned. */
  add(idx: number, queryid: string, f: StatementFacts, plannable: boolean): void {
    const fp = f.fingerprint ?? `q:${queryid}`;
    const first = !this.fps.has(fp);
    this.fps.add(fp);
    const gin = f.scopes.some((sc) => sc.predicates.some((p) => p.op === 'gin'));
    const keep = first && plannable && (gin || (f.fingerprint !== null && this.sampleSets().has(f.fingerprint)));
    this.seen.push({ idx, fp, facts: keep ? f : null });
  }
}

interface Operand {
  use: GinUse;
  ops: Set<string>;
  stmts: Set<GinStatement>;
}

/**
 * The GIN-type predicates a statement's sampled texts show when the statement itself has none that
 * tells (`UPPER(col) LIKE UPPER($1)` may be a prefix or an infix pattern): only when every sample has
 * them (each a leading wildcard), their union; else none.
 */
function sampledUses(samples: ValueSample[] | undefined, catalog: Catalog, minTableRows: number): GinUse[] {
  if (!samples || samples.length === 0) return [];
  const out = new Map<string, GinUse>();
  for (const t of samples) {
    const parsed = tryParse(t.text);
    if ('error' in parsed) return [];
    const uses = ginUsesOf(parsed.facts, (r) => catalog.resolve(r), minTableRows);
    if (uses.length === 0) return [];
    for (const u of uses) out.set(`${operandKey(u)}\0${u.operator}`, u);
  }
  return [...out.values()];
}

export function ginWorkload(
  statements: WorkloadStatement[],
  scan: GinScan,
  catalog: Catalog,
  minTableRows: number,
): { groups: GinGroup[]; unserved: string[] } {
  const byFingerprint = new Map<string, GinStatement | null>();
  const operands = new Map<string, Operand>();
  for (const { idx, fp, facts: f } of scan.seen) {
    const s = statements[idx];
    const seen = byFingerprint.get(fp);
    if (seen) {
      seen.calls += s.calls;
      seen.totalMs += s.totalMs;
      seen.rows += s.rows;
      if (seen.queryids.length < 10) seen.queryids.push(s.queryid);
      continue;
    }
    if (seen === null) continue;
    let uses = f ? ginUsesOf(f, (r) => catalog.resolve(r), minTableRows) : [];
    if (f && uses.length === 0 && f.fingerprint) uses = sampledUses(scan.sampleSets().get(f.fingerprint), catalog, minTableRows);
    if (!f || uses.length === 0) {
      byFingerprint.set(fp, null);
      continue;
    }
    const g: GinStatement = { queryids: [s.queryid], text: f.text, nParams: f.maxParam, calls: s.calls, totalMs: s.totalMs, rows: s.rows };
    byFingerprint.set(fp, g);
    for (const u of uses) {
      const k = operandKey(u);
      const o = operands.get(k) ?? { use: u, ops: new Set<string>(), stmts: new Set<GinStatement>() };
      o.ops.add(u.operator);
      o.stmts.add(g);
      operands.set(k, o);
    }
  }
  const groups: GinGroup[] = [];
  const unserved: string[] = [];
  for (const o of operands.values()) {
    const c = ginCandidate(o.use, o.ops);
    const what = `${o.use.table.schema}.${o.use.table.name}.${o.use.expression ?? o.use.column}`;
    if (!c) {
      unserved.push(`${what} (${[...o.ops].join(' ')})`);
      continue;
    }
    const stmts = [...o.stmts].sort((a, b) => b.totalMs - a.totalMs);
    groups.push({ key: candidateKey(c.cand), cand: c.cand, trigram: c.trigram, operators: [...o.ops].sort(), stmts });
  }
  const weight = (g: GinGroup) => g.stmts.reduce((sum, s) => sum + s.totalMs, 0);
  groups.sort((a, b) => weight(b) - weight(a) || a.key.localeCompare(b.key));
  return { groups, unserved };
}
