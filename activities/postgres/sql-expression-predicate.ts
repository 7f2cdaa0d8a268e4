// Predicates an expression index or an operator-class key could serve: a comparison, IN or BETWEEN
// whose indexed side is an expression over the block's columns (`lower(email) = $1`, `(code::int) = $1`,
// `(payload ->> 'kind') IN (...)`), and prefix patterns (`LIKE 'abc%'`, `~ '^abc'`) on a column or an
// expression. The expression is kept as SQL text for CREATE INDEX: columns unqualified, deparsed.
import { columnRef, inner, opName, paramOf, typeOf, type Node } from './sql-ast';
import { expr, UnsupportedSql } from './sql-deparse';
import type { ColRef, ExpressionPredicate, Scope } from './sql-facts';
import { refusedNode } from './sql-index-definition';
import { nodesOf } from './sql-tree';

/** Whether `n` is a value the index can be probed with: sql-scope.ts's test for the block (passed in: that module calls this one). */
export type IsValue = (n: unknown) => boolean;

const COMPARISONS = new Set(['=', '<', '>', '<=', '>=']);

/** Adds the expression and prefix-pattern predicates of one operator expression (A_Expr) to the block. */
export function expressionConjunct(scope: Scope, v: Node, isValue: IsValue): void {
  const kind = v.kind as string;
  const op = opName(v.name);
  const add = (side: unknown, p: Omit<ExpressionPredicate, 'expression' | 'columns'>) => {
    const key = keyExpression(scope, side, p.op === 'prefix');
    if (key) scope.exprPredicates.push({ ...key, ...p });
  };
  if (kind === 'AEXPR_OP' && op && COMPARISONS.has(op)) {
    const eqOrRange = op === '=' ? 'eq' : 'range';
    if (isValue(v.rexpr)) add(v.lexpr, { op: eqOrRange, prefix: null, param: paramOf(v.rexpr).param });
    else if (isValue(v.lexpr)) add(v.rexpr, { op: eqOrRange, prefix: null, param: paramOf(v.lexpr).param });
  } else if ((kind === 'AEXPR_OP_ANY' || kind === 'AEXPR_IN') && op === '=' && isValue(v.rexpr)) {
    add(v.lexpr, { op: 'in', prefix: null, param: null });
  } else if ((kind === 'AEXPR_BETWEEN' || kind === 'AEXPR_BETWEEN_SYM') && isValue(v.rexpr)) {
    add(v.lexpr, { op: 'range', prefix: null, param: null });
  } else if (((kind === 'AEXPR_LIKE' && op === '~~') || (kind === 'AEXPR_OP' && op === '~')) && isValue(v.rexpr)) {
    const { pattern, param } = patternValue(v.rexpr);
    if (pattern === null && param === null) return;
    const prefix = pattern === null ? null : op === '~' ? regexPrefix(pattern) : likePrefix(pattern);
    add(v.lexpr, { op: 'prefix', prefix, param });
  }
}

/** The literal prefix of a LIKE pattern: up to the first unescaped % or _ ('' when it starts with one). */
export function likePrefix(pattern: string): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '%' || c === '_') return out;
    if (c === '\\' && i + 1 < pattern.length) out += pattern[++i];
    else out += c;
  }
  return out;
}

/** The literal prefix of a regular expression: '' unless it is anchored with ^, then up to the first special character. */
export function regexPrefix(pattern: string): string {
  if (!pattern.startsWith('^')) return '';
  const m = /^[^.[\]()*+?{}|\\^$]*/.exec(pattern.slice(1));
  let prefix = m ? m[0] : '';
  // `^ab?`: the last literal is optional when a quantifier follows it.
  if (/^[*?{]/.test(pattern.slice(1 + prefix.length))) prefix = prefix.slice(0, -1);
  return prefix;
}

/**
 * The indexable side as a key: an expression over this block's columns (no outer column, subquery or
 * parameter) as deparsed SQL text; for a prefix pattern also a plain column (expression null).
 * Null for a plain column of a comparison (sql-scope.ts's predicates have those) and anything else.
 */
function keyExpression(
  scope: Scope,
  n: unknown,
  plainColumnToo: boolean,
): Pick<ExpressionPredicate, 'expression' | 'columns' | 'castTo'> | null {
  const t = typeOf(n);
  if (t === 'ColumnRef') {
    const c = columnRef(n);
    return plainColumnToo && c && !isOuter(scope, c) ? { expression: null, columns: [c] } : null;
  }
  if (t !== 'FuncCall' && t !== 'TypeCast' && t !== 'A_Expr' && t !== 'CoalesceExpr') return null;
  const columns = expressionColumns(n);
  if (!columns || columns.length === 0 || columns.some((c) => isOuter(scope, c))) return null;
  const expression = expressionText(n);
  if (expression === null) return null;
  const castTo = bareCastType(n);
  return castTo ? { expression, columns, castTo } : { expression, columns };
}

/** `col::text`: the type's name when the cast is of a plain column and has no typmod (`::varchar(20)` has one), else null. */
function bareCastType(n: unknown): string | null {
  if (typeOf(n) !== 'TypeCast' || typeOf(inner(n).arg) !== 'ColumnRef') return null;
  const t = inner(n).typeName as Node | undefined;
  if (!t || t.typmods || t.arrayBounds) return null;
  return opName(t.names);
}

/** An expression of columns as index-expression SQL text (`upper(title::text)`), null when it cannot be deparsed. */
export function expressionText(n: unknown): string | null {
  try {
    return unquoteSimple(expr(unqualified(n)));
  } catch (err) {
    if (err instanceof UnsupportedSql) return null;
    throw err;
  }
}

function isOuter(scope: Scope, c: ColRef): boolean {
  const own = (q: string) => scope.relations.some((r) => r.alias === q || r.name === q);
  return c.qualifier !== null && !own(c.qualifier);
}

/** The column references of the tree, or null when it holds something an index expression cannot. */
function expressionColumns(n: unknown): ColRef[] | null {
  if (refusedNode(n)) return null;
  const out: ColRef[] = [];
  for (const x of nodesOf(n)) {
    const t = typeOf(x);
    if (t === 'FuncCall' && (inner(x).over || inner(x).agg_star)) return null;
    if (t !== 'ColumnRef') continue;
    const c = columnRef(x);
    if (!c) return null;
    out.push(c);
  }
  return out;
}

/** A copy of the tree whose column references are bare column names (an index expression has no qualifiers). */
function unqualified(n: unknown): unknown {
  if (Array.isArray(n)) return n.map(unqualified);
  if (!n || typeof n !== 'object') return n;
  const out: Node = {};
  for (const [k, v] of Object.entries(n as Node)) {
    if (k === 'ColumnRef') {
      const fields = ((v as Node).fields as unknown[]) ?? [];
      out[k] = { ...(v as Node), fields: fields.slice(-1) };
    } else out[k] = unqualified(v);
  }
  return out;
}

// Words that stay quoted as identifiers (reserved in PostgreSQL, or type-like names a parser reads apart).
const KEEP_QUOTED = new Set(
  (
    'all analyse analyze and any array as asc asymmetric both case cast check collate column constraint create current_catalog ' +
    'current_date current_role current_time current_timestamp current_user default deferrable desc distinct do else end except ' +
    'false fetch for foreign from grant group having in initially intersect into lateral leading limit localtime localtimestamp ' +
    'not null offset on only or order placing primary references returning select session_user some symmetric table then to ' +
    'trailing true union unique user using variadic when where window with authorization binary collation concurrently cross ' +
    'current_schema freeze full ilike inner is isnull join left like natural notnull outer overlaps right similar tablesample verbose'
  ).split(' '),
);

/** `lower("email")` -> `lower(email)`: double quotes dropped where the identifier reads the same bare (outside literals). */
export function unquoteSimple(sql: string): string {
  let out = '';
  for (let i = 0; i < sql.length;) {
    const c = sql[i];
    if (c === "'") {
      const end = sql.indexOf("'", i + 1);
      let j = end < 0 ? sql.length : end + 1;
      while (sql[j] === "'") j = (sql.indexOf("'", j + 1) < 0 ? sql.length : sql.indexOf("'", j + 1)) + 1;
      out += sql.slice(i, j);
      i = j;
    } else if (c === '"') {
      const m = /^"([a-z_][a-z0-9_$]*)"/.exec(sql.slice(i));
      const bare = m && !KEEP_QUOTED.has(m[1]);
      out += bare ? m[1] : '"';
      i += bare ? m[0].length : 1;
      if (!bare) {
        const end = sql.indexOf('"', i);
        out += sql.slice(i, end < 0 ? sql.length : end + 1);
        i = end < 0 ? sql.length : end + 1;
      }
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** The case-folding functions (Django's case-insensitive lookups), by name. */
export const CASE_FOLD: Record<string, (s: string) => string> = { upper: (s) => s.toUpperCase(), lower: (s) => s.toLowerCase() };

/**
 * The pattern of a LIKE / ~: a literal or $n (maybe cast), or upper()/lower() of one, as Django writes its
 * case-insensitive lookups (`UPPER(col::text) LIKE UPPER($1)`): the planner folds the function of a constant
 * (or of a custom plan's parameter value) into a constant pattern, so it serves a prefix like the bare value.
 */
export function patternValue(n: unknown): { pattern: string | null; param: number | null } {
  let cur = n;
  while (typeOf(cur) === 'TypeCast') cur = inner(cur).arg;
  if (typeOf(cur) === 'FuncCall') {
    const v = inner(cur);
    const fold = CASE_FOLD[opName(v.funcname) ?? ''];
    const args = (v.args as unknown[]) ?? [];
    if (!fold || args.length !== 1 || v.over || v.agg_star) return { pattern: null, param: null };
    const pattern = stringConstant(args[0]);
    return { pattern: pattern === null ? null : fold(pattern), param: paramOf(args[0]).param };
  }
  return { pattern: stringConstant(cur), param: paramOf(cur).param };
}

/** The text of a string constant (maybe cast; '' for the empty string), else null. */
export function stringConstant(n: unknown): string | null {
  let cur = n;
  while (typeOf(cur) === 'TypeCast') cur = inner(cur).arg;
  if (typeOf(cur) !== 'A_Const') return null;
  const s = inner(cur).sval as Node | undefined;
  return s && typeof s.sval === 'string' ? s.sval : s ? '' : null;
}
