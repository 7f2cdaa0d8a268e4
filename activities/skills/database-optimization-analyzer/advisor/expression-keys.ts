// Keys beyond plain columns for a table access: expression keys (`lower(email)`), and the key a prefix
// pattern (`LIKE 'abc%'`, `~ '^abc'`) needs: a plain btree when the column's collation is C/POSIX,
// else the pattern operator class of its type. Their notes for a recommendation's evidence.
import type { CatalogTable, ColumnInfo } from '../../../postgres/catalog';
import type { IndexColumn } from '../../../postgres/index-model';
import type { ExpressionPredicate } from '../../../postgres/sql-facts';

/** Selectivity of `expression = value` before an index exists (pg_stats has none): PostgreSQL's own default, DEFAULT_EQ_SEL. */
export const EXPRESSION_EQ_SELECTIVITY = 0.005;

/** Operator classes whose operators compare byte-wise (LIKE 'prefix%' and ~ '^prefix' on any collation), by type. */
const PATTERN_OPS: Record<string, string> = { text: 'text_pattern_ops', varchar: 'varchar_pattern_ops', bpchar: 'bpchar_pattern_ops' };

/**
 * An expression of columns with few distinct values has at most as many (f(status) has <= 3 when status
 * has 3): at least 1/(their product) of the rows per value. The planner, blind to the expression until its
 * index is analyzed, assumes EXPRESSION_EQ_SELECTIVITY; above this bound the index would not pay.
 */
export const EXPRESSION_MAX_SELECTIVITY = 0.1;

/** The least selectivity `expression = value` can have given its columns' distinct counts (0 when one is unknown). */
export function expressionSelectivityBound(columns: (ColumnInfo | undefined)[]): number {
  let distinct = 1;
  for (const c of columns) {
    if (!c || c.nDistinct === null || c.nDistinct <= 0) return 0;
    distinct *= c.nDistinct;
  }
  return 1 / distinct;
}

export interface AccessKeys {
  eq: IndexColumn[];
  range: IndexColumn[];
  /** Expressions left out as unselective (their columns have too few distinct values), with why. */
  unselective: string[];
  /** A prefix pattern compared with a parameter: only custom plans with real values can show the index used. */
  prefixParam: boolean;
}

/**
 * The key that serves a prefix pattern on `name` (a column, or an expression over `column`): the plain
 * key when the collation is C/POSIX; else the type's pattern operator class; null when the type has none.
 * An expression's type is taken as text (lower(), upper(), ->> give text); PostgreSQL refuses a wrong guess.
 */
export function patternKey(name: string, expression: boolean, column: ColumnInfo | undefined): IndexColumn | null {
  const base: IndexColumn = expression ? { name, expression: true } : { name };
  if (!column) return null;
  if (column.collationIsC) return base;
  const opclass = PATTERN_OPS[expression ? 'text' : (column.typeName ?? '')];
  return opclass ? { ...base, opclass } : null;
}

/**
 * A cast of a column to its own type (`description::text` on a text column, as Django writes it): PostgreSQL
 * drops it, and stores an index on it as one on the plain column (`varchar::text` is not one: it stays an expression).
 */
export function noOpCast(p: Pick<ExpressionPredicate, 'castTo'>, column: ColumnInfo | undefined): boolean {
  return !!p.castTo && !!column && column.typeName === p.castTo && !column.type.includes('(');
}

/** The expression and pattern keys of one relation's predicates (`mine`: all the predicate's columns are of this relation). */
export function accessKeys(preds: ExpressionPredicate[], t: CatalogTable, mine: (p: ExpressionPredicate) => boolean): AccessKeys {
  const out: AccessKeys = { eq: [], range: [], unselective: [], prefixParam: false };
  const add = (list: IndexColumn[], k: IndexColumn) => {
    if (!list.some((x) => x.name === k.name && x.opclass === k.opclass)) list.push(k);
  };
  for (const given of preds) {
    if (!mine(given) || given.columns.some((c) => !t.columns.has(c.column))) continue;
    const plain = given.op === 'prefix' && given.expression !== null && noOpCast(given, t.columns.get(given.columns[0].column));
    const p = plain ? { ...given, expression: null } : given;
    if (p.op === 'prefix') {
      if (p.prefix === '') continue; // a leading wildcard: no btree serves it
      const k = patternKey(p.expression ?? p.columns[0].column, p.expression !== null, t.columns.get(p.columns[0].column));
      if (!k) continue;
      add(out.range, k);
      if (p.prefix === null) out.prefixParam = true;
    } else if (p.expression === null) continue;
    else if (p.op !== 'range') {
      const cols = [...new Set(p.columns.map((c) => c.column))];
      const bound = expressionSelectivityBound(cols.map((c) => t.columns.get(c)));
      if (bound > EXPRESSION_MAX_SELECTIVITY) {
        const distinct = Math.round(1 / bound);
        out.unselective.push(
          `${p.expression} on ${t.schema}.${t.name} (its columns ${cols.join(', ')} have ~${distinct} distinct values in all)`,
        );
      } else add(out.eq, { name: p.expression, expression: true });
    } else add(out.range, { name: p.expression, expression: true });
  }
  return out;
}

/** Why the keys that are not plain columns are what they are, for a recommendation's column notes. */
export function keyNotes(keys: IndexColumn[], t: CatalogTable): string[] {
  const notes: string[] = [];
  for (const k of keys) {
    if (k.expression)
      notes.push(
        `${k.name}: an expression key (PostgreSQL accepted it as immutable when hypopg modelled it; the plans were costed with it, ` +
          'its selectivity being unknown to pg_stats until the index exists and is analyzed)',
      );
    if (k.opclass?.endsWith('_pattern_ops')) {
      const col = k.expression ? undefined : t.columns.get(k.name);
      const coll = col?.collation ?? 'of the expression';
      notes.push(`${k.opclass}: the collation ${coll} is not C, so a default btree cannot serve LIKE 'prefix%' or ~ '^prefix'`);
    }
  }
  return notes;
}
