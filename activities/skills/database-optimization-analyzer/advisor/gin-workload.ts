// The statements of the workload with GIN-type predicates (all of them, heavy and tail: a cheap text
// test skips the others before they are parsed), grouped by fingerprint, and one GIN/GiST candidate
// per operand (table + column or expression) with every operator the workload applies to it.
import type { Catalog } from '../../../postgres/catalog';
import { candidateKey, type Candidate } from '../../../postgres/index-model';
import { tryParse } from '../../../postgres/sql-parse';
import { sampleSetsByFingerprint, type ValueSample } from '../../../postgres/value-samples';
import { ginCandidate, ginUsesOf, operandKey, type GinUse } from './gin-candidates';
import type { AdvisorOptions } from './options';
import type { WorkloadStatement } from './types';
import { isPlannable } from './workload';

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
const MAY_HAVE_GIN = /@>|<@|&&|\?|@@|%|like/i;

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
  catalog: Catalog,
  opts: Pick<AdvisorOptions, 'minTableRows' | 'planWrites'>,
  samples: (string | ValueSample)[] = [],
): { groups: GinGroup[]; unserved: string[] } {
  const sampleSets = sampleSetsByFingerprint(samples);
  const byFingerprint = new Map<string, GinStatement | null>();
  const operands = new Map<string, Operand>();
  for (const s of statements) {
    if (!MAY_HAVE_GIN.test(s.query)) continue;
    const parsed = tryParse(s.query);
    if ('error' in parsed) continue;
    const f = parsed.facts;
    const fp = f.fingerprint ?? `q:${s.queryid}`;
    const seen = byFingerprint.get(fp);
    if (seen) {
      seen.calls += s.calls;
      seen.totalMs += s.totalMs;
      seen.rows += s.rows;
      if (seen.queryids.length < 10) seen.queryids.push(s.queryid);
      continue;
    }
    if (seen === null) continue;
    const plannable = f.statementCount === 1 && isPlannable(f, opts);
    let uses = plannable ? ginUsesOf(f, (r) => catalog.resolve(r), opts.minTableRows) : [];
    if (plannable && uses.length === 0 && f.fingerprint) uses = sampledUses(sampleSets.get(f.fingerprint), catalog, opts.minTableRows);
    if (uses.length === 0) {
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
