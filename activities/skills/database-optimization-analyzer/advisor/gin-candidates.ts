// GIN/GiST candidates: which index serves the GIN-type predicates of the workload (sql-gin-predicate.ts),
// chosen by the column's type and every operator the workload applies to it. Pure.
//   jsonb:        @> (and @@ @? jsonpath) only -> gin jsonb_path_ops (smaller); ? ?| ?& too -> gin (jsonb_ops)
//   arrays:       && @> <@ -> gin (array_ops)
//   tsvector, to_tsvector('cfg', col): @@ -> gin
//   text:         % and LIKE/ILIKE '%x%' -> gin gin_trgm_ops (pg_trgm must be created in the database)
//   range types, geometric types: && @> <@ -> gist
import type { CatalogTable } from '../../../postgres/catalog';
import type { Candidate, IndexColumn } from '../../../postgres/index-model';
import type { StatementFacts } from '../../../postgres/sql-parse';
import type { IndexMethod } from '../../../../common/index-keys';
import { resolveColumn } from './statement';

export interface GinChoice {
  method: Exclude<IndexMethod, 'btree'>;
  /** Absent: the type's default operator class. */
  opclass?: string;
  /** The operator class comes from pg_trgm. */
  trigram: boolean;
}

const subset = (ops: Set<string>, allowed: string[]) => ops.size > 0 && [...ops].every((o) => allowed.includes(o));
const RANGE_TYPE = /^(int4|int8|num|ts|tstz|date)(multi)?range$/;
const GEOMETRIC = new Set(['box', 'polygon', 'circle', 'point']);
const TEXT_TYPE = /^(text|character varying|varchar|character|citext)(\(\d+\))?$/;

/** The index that serves all of `ops` on an operand of `type` (format_type's text), or null when none does. */
export function ginIndexFor(type: string, ops: Set<string>): GinChoice | null {
  if (type === 'jsonb') {
    if (subset(ops, ['@>', '@@', '@?'])) return { method: 'gin', opclass: 'jsonb_path_ops', trigram: false };
    return subset(ops, ['@>', '?', '?|', '?&', '@@', '@?']) ? { method: 'gin', trigram: false } : null;
  }
  if (type.endsWith('[]')) return subset(ops, ['&&', '@>', '<@']) ? { method: 'gin', trigram: false } : null;
  if (type === 'tsvector') return subset(ops, ['@@']) ? { method: 'gin', trigram: false } : null;
  if (TEXT_TYPE.test(type)) return subset(ops, ['%', '~~', '~~*']) ? { method: 'gin', opclass: 'gin_trgm_ops', trigram: true } : null;
  if (RANGE_TYPE.test(type) || GEOMETRIC.has(type)) return subset(ops, ['&&', '@>', '<@']) ? { method: 'gist', trigram: false } : null;
  return null;
}

/** One GIN-type predicate of a statement, resolved against the catalog. */
export interface GinUse {
  table: CatalogTable;
  column: string;
  /** The indexed expression's text (to_tsvector('english'::regconfig, body)), null for the column itself. */
  expression: string | null;
  /** The expression's type (absent: tsvector, to_tsvector's). */
  expressionType?: string;
  operator: string;
}

/** The GIN-type predicates of a statement on tables of at least minTableRows rows. */
export function ginUsesOf(
  facts: StatementFacts,
  resolve: (rel: { schema: string | null; name: string }) => CatalogTable | null,
  minTableRows: number,
): GinUse[] {
  const out: GinUse[] = [];
  for (const scope of facts.scopes) {
    const tables = new Map(scope.relations.map((r) => [r, resolve(r)]));
    for (const p of scope.predicates) {
      if (p.op !== 'gin' || !p.gin) continue;
      const rel = resolveColumn(scope, p.col, tables);
      const t = rel ? tables.get(rel) : null;
      if (!t || t.reltuples < minTableRows || !t.columns.has(p.col.column)) continue;
      const { expression, expressionType, operator } = p.gin;
      out.push({ table: t, column: p.col.column, expression, ...(expressionType ? { expressionType } : {}), operator });
    }
  }
  return out;
}

/** Uses of one operand (table + column or expression): the unit a candidate is made for. */
export const operandKey = (u: Pick<GinUse, 'table' | 'column' | 'expression'>) =>
  `${u.table.schema}.${u.table.name}\0${u.expression ?? u.column}`;

/** The candidate for one operand and all the operators the workload applies to it, or null when no index serves them all. */
export function ginCandidate(
  u: Pick<GinUse, 'table' | 'column' | 'expression' | 'expressionType'>,
  ops: Set<string>,
): { cand: Candidate; trigram: boolean } | null {
  const type = u.expression ? (u.expressionType ?? 'tsvector') : (u.table.columns.get(u.column)?.type ?? '');
  const choice = ginIndexFor(type, ops);
  if (!choice) return null;
  const opclass = choice.opclass ? { opclass: choice.opclass } : {};
  const key: IndexColumn = u.expression ? { name: u.expression, expression: true, ...opclass } : { name: u.column, ...opclass };
  return {
    cand: { schema: u.table.schema, table: u.table.name, method: choice.method, keys: [key], eqCount: 0, include: [] },
    trigram: choice.trigram,
  };
}
