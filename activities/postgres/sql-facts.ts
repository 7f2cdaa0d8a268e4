// The facts parseStatement() reads from a statement: its query blocks (Scope) with their relations,
// predicates, join keys and sort keys. Columns are kept as written (qualifier + name).
export type StatementKind = 'select' | 'insert' | 'update' | 'delete' | 'other';
export type PredicateOp = 'eq' | 'in' | 'range' | 'isnull' | 'like' | 'gin';

export interface RelRef {
  schema: string | null;
  name: string;
  /** How columns refer to it: the alias, or the relation name. */
  alias: string;
}

export interface ColRef {
  qualifier: string | null;
  column: string;
}

export interface Predicate {
  col: ColRef;
  op: PredicateOp;
  /** $k when the compared value is exactly a parameter (maybe cast), else null. */
  param: number | null;
  /** Position of that parameter in the statement text (for rewriting), -1 when none. */
  paramLocation: number;
  /** op 'gin': the operator and the indexed operand (sql-gin-predicate.ts). */
  gin?: GinOperand;
}

/** A predicate a GIN/GiST index serves: `col @> v`, `col && v`, `to_tsvector('english', col) @@ q`, `col ILIKE '%x%'`. */
export interface GinOperand {
  /** As applied with the column on the left: @> <@ && ? ?| ?& @@ @? % ~~ ~~*. */
  operator: string;
  /** The indexed operand when it is an expression over `col` (its SQL text, e.g. to_tsvector('english', body)); null: the column. */
  expression: string | null;
  /** The expression's type when it is not to_tsvector's tsvector (upper(col) / lower(col): text). */
  expressionType?: string;
}

/**
 * An OR over different columns (`a = $1 OR b = $2`, `(a = $1 AND c = $2) OR b IN (...)`): each branch's
 * predicates (its AND-ed conditions). PostgreSQL serves it with an index per branch (BitmapOr).
 */
export interface OrGroup {
  branches: Predicate[][];
}

/**
 * A predicate an expression index or an operator-class key could serve (sql-expression-predicate.ts):
 * `lower(email) = $1`, `(payload ->> 'kind') IN (...)`, a range on `date_trunc('day', t)`, and prefix
 * patterns (`LIKE 'abc%'`, `~ '^abc'`) on a column or an expression.
 */
export interface ExpressionPredicate {
  /** The expression's SQL text (columns unqualified, quoted only when needed); null for a plain column. */
  expression: string | null;
  /** The columns it reads (for a plain column, that column). */
  columns: ColRef[];
  op: 'eq' | 'in' | 'range' | 'prefix';
  /** prefix: the literal prefix the pattern fixes ('' for a leading wildcard), null when the pattern is a parameter. */
  prefix: string | null;
  param: number | null;
  /** The expression is a bare cast of its column (`description::text`): the type cast to (pg_type name, no typmod). */
  castTo?: string;
}

export interface JoinKey {
  left: ColRef;
  right: ColRef;
}

export interface SortKey {
  col: ColRef;
  desc: boolean;
  nulls: 'default' | 'first' | 'last';
}

/** One query block: a SELECT (each side of a UNION is its own), or the WHERE of an UPDATE/DELETE. */
export interface Scope {
  relations: RelRef[];
  /** Relations of enclosing blocks, for correlated references. */
  outer: RelRef[];
  predicates: Predicate[];
  /** ORs over different columns, top-level conjuncts of WHERE/ON (an OR on one column is an `in` predicate). */
  orGroups: OrGroup[];
  /** Predicates on expressions and prefix patterns (not in `predicates`). */
  exprPredicates: ExpressionPredicate[];
  /** The block has a WHERE clause (whether or not the predicates above come from it). */
  hasWhere: boolean;
  joins: JoinKey[];
  /** ORDER BY as plain columns; null when there is no ORDER BY or some key is an expression. */
  sort: SortKey[] | null;
  hasOrderBy: boolean;
  hasLimit: boolean;
  hasOffset: boolean;
  /** Every plain column reference of the block (select list, WHERE, ON, GROUP BY, ORDER BY, ...). */
  columns: ColRef[];
  /** `*` in the select list: qualifiers of `t.*`, null for a bare `*`. */
  stars: (string | null)[];
  groupBy: boolean;
  having: boolean;
  aggregates: boolean;
  distinct: boolean;
  windowFunctions: boolean;
  /** Location of the first select-list entry (-1 when none). */
  targetStart: number;
  /** Plain column names in the select list (for N+1 rewriting). */
  selectColumns: ColRef[];
  /** The block's output columns by name (alias, else column name) when they are plain columns. */
  outputs: { name: string; col: ColRef }[];
  /** Subqueries and CTE references in FROM, by alias: their own blocks (null when not a plain SELECT). */
  derived: { alias: string; scope: Scope | null }[];
  /** ORDER BY ... LIMIT of an enclosing block whose sort keys are this block's columns (through aliases). */
  sortFromOuter: boolean;
  /** Inside another statement block (subquery, CTE, set operation branch), not the statement's top. */
  nested: boolean;
  /** LIMIT $k: the parameter and its position in the statement text; null for other LIMITs. */
  limitParam: { param: number; location: number } | null;
}

export interface StatementFacts {
  kind: StatementKind;
  /** pg_query fingerprint (constants and parameters ignored), null when it could not be computed. */
  fingerprint: string | null;
  /** The exact text of the (single) statement, without a trailing semicolon. */
  text: string;
  statementCount: number;
  scopes: Scope[];
  /** INSERT/UPDATE/DELETE target. */
  writeTarget: RelRef | null;
  /** Columns an UPDATE sets (an index on one of them makes its updates non-HOT). */
  updatedColumns: string[];
  /** SELECT ... FOR UPDATE/SHARE. */
  locking: boolean;
  /** Highest $k. */
  maxParam: number;
  /** Relation names of CTEs (they shadow tables). */
  cteNames: string[];
  /** A WITH query that inserts, updates or deletes (planned only as a write). */
  modifiesData: boolean;
  /** How often each $k occurs in the text. */
  paramUses: Record<number, number>;
}
