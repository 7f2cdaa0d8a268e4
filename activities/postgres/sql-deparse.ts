// SQL text from libpg-query's parse tree, for the subset the query rewrites produce: one SELECT with
// its target list, FROM (tables, joins, subqueries), WHERE, GROUP BY, HAVING, ORDER BY, LIMIT/OFFSET,
// over plain expressions. libpg-query 18 has no deparser; anything outside the subset throws
// UnsupportedSql so that a rewrite is never printed from a tree it cannot render faithfully.
// Identifiers are always double-quoted, so case and reserved words survive.
import { inner, sval, typeOf, type Node } from './sql-ast';

export class UnsupportedSql extends Error {}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;
const literal = (s: string) => `'${s.replace(/'/g, "''")}'`;

function list(nodes: unknown): unknown[] {
  return Array.isArray(nodes) ? nodes : [];
}

function names(nodes: unknown): string[] {
  return list(nodes).map((n) => {
    const s = sval(n);
    if (s === null) throw new UnsupportedSql(`a name of type ${typeOf(n)}`);
    return s;
  });
}

function constant(c: Node): string {
  if (c.isnull) return 'NULL';
  if (c.ival !== undefined) return String((c.ival as Node).ival ?? 0);
  if (c.fval !== undefined) return String((c.fval as Node).fval);
  if (c.sval !== undefined) return literal(String((c.sval as Node).sval ?? ''));
  if (c.boolval !== undefined) return (c.boolval as Node).boolval ? 'true' : 'false';
  throw new UnsupportedSql('a constant of an unknown kind');
}

function columnRef(c: Node): string {
  return list(c.fields)
    .map((f) => (typeOf(f) === 'A_Star' ? '*' : quote(sval(f) ?? '')))
    .join('.');
}

function operator(e: Node): string {
  const op = names(e.name);
  if (op.length !== 1) throw new UnsupportedSql('a schema-qualified operator');
  const l = e.lexpr === undefined ? '' : `${expr(e.lexpr)} `;
  switch (e.kind) {
    case 'AEXPR_OP':
      return `(${l}${op[0]} ${expr(e.rexpr)})`;
    case 'AEXPR_OP_ANY':
      return `(${l}${op[0]} ANY (${expr(e.rexpr)}))`;
    case 'AEXPR_OP_ALL':
      return `(${l}${op[0]} ALL (${expr(e.rexpr)}))`;
    case 'AEXPR_IN':
      return `(${l}${op[0] === '=' ? 'IN' : 'NOT IN'} (${list(inner(e.rexpr).items).map(expr).join(', ')}))`;
    default:
      throw new UnsupportedSql(`an operator expression of kind ${String(e.kind)}`);
  }
}

function funcCall(f: Node): string {
  if (f.over || f.agg_order || f.agg_filter || f.agg_within_group || f.func_variadic)
    throw new UnsupportedSql('a window or ordered aggregate');
  const fname = names(f.funcname)
    .filter((n, i, all) => !(n === 'pg_catalog' && i === 0 && all.length > 1))
    .map((n) => (/^[a-z_][a-z0-9_]*$/.test(n) ? n : quote(n)))
    .join('.');
  if (f.agg_star) return `${fname}(*)`;
  // extract(field FROM x) has no function-call spelling (the parser reads `extract(` as the keyword).
  if (fname === 'extract' && f.funcformat === 'COERCE_SQL_SYNTAX' && list(f.args).length === 2) {
    const field = typeOf(list(f.args)[0]) === 'A_Const' ? inner(list(f.args)[0]).sval : undefined;
    if (!field) throw new UnsupportedSql('extract() of a computed field');
    return `EXTRACT(${literal(String((field as Node).sval))} FROM ${expr(list(f.args)[1])})`;
  }
  return `${fname}(${f.agg_distinct ? 'DISTINCT ' : ''}${list(f.args).map(expr).join(', ')})`;
}

/** Built-in type names printed bare, as `x::pg_catalog.date` is (so that a printed cast parses and prints the same). */
const BUILTIN_TYPES = new Set([
  'date',
  'timestamp',
  'timestamptz',
  'interval',
  'text',
  'numeric',
  'int2',
  'int4',
  'int8',
  'float8',
  'bool',
  'jsonb',
  'uuid',
]);

function typeName(t: Node): string {
  if (list(t.typmods).length || list(t.arrayBounds).length) throw new UnsupportedSql('a type with modifiers or array bounds');
  const n = names(t.names);
  if (n.length === 2 && n[0] === 'pg_catalog') return n[1];
  return n.length === 1 && BUILTIN_TYPES.has(n[0]) ? n[0] : n.map(quote).join('.');
}

function subLink(s: Node): string {
  const sub = select(s.subselect);
  switch (s.subLinkType) {
    case 'EXISTS_SUBLINK':
      return `EXISTS (${sub})`;
    case 'EXPR_SUBLINK':
      return `(${sub})`;
    case 'ANY_SUBLINK':
      if (list(s.operName).length) throw new UnsupportedSql('op ANY (subquery)');
      return `(${expr(s.testexpr)} IN (${sub}))`;
    default:
      throw new UnsupportedSql(`a subquery of type ${String(s.subLinkType)}`);
  }
}

/** One expression; throws UnsupportedSql outside the subset. */
export function expr(n: unknown): string {
  const t = typeOf(n);
  const x = inner(n);
  switch (t) {
    case 'ColumnRef':
      return columnRef(x);
    case 'A_Const':
      return constant(x);
    case 'ParamRef':
      return `$${Number(x.number)}`;
    case 'A_Expr':
      return operator(x);
    case 'BoolExpr': {
      const args = list(x.args).map(expr);
      if (x.boolop === 'NOT_EXPR') return `(NOT ${args[0]})`;
      return `(${args.join(x.boolop === 'AND_EXPR' ? ' AND ' : ' OR ')})`;
    }
    case 'FuncCall':
      return funcCall(x);
    case 'TypeCast':
      return `${expr(x.arg)}::${typeName(x.typeName as Node)}`;
    case 'NullTest':
      return `(${expr(x.arg)} ${x.nulltesttype === 'IS_NULL' ? 'IS NULL' : 'IS NOT NULL'})`;
    case 'CoalesceExpr':
      return `coalesce(${list(x.args).map(expr).join(', ')})`;
    case 'RowExpr':
      return `ROW(${list(x.args).map(expr).join(', ')})`;
    case 'SubLink':
      return subLink(x);
    default:
      throw new UnsupportedSql(`an expression of type ${t}`);
  }
}

function alias(a: unknown): string {
  if (!a) return '';
  const al = a as Node;
  if (list(al.colnames).length) throw new UnsupportedSql('an alias with column names');
  return ` AS ${quote(String(al.aliasname))}`;
}

const JOIN: Record<string, string> = { JOIN_INNER: 'JOIN', JOIN_LEFT: 'LEFT JOIN', JOIN_RIGHT: 'RIGHT JOIN', JOIN_FULL: 'FULL JOIN' };

function fromItem(n: unknown): string {
  const t = typeOf(n);
  const x = inner(n);
  if (t === 'RangeVar') {
    if (x.inh === false) throw new UnsupportedSql('FROM ONLY');
    const name = x.schemaname ? `${quote(String(x.schemaname))}.${quote(String(x.relname))}` : quote(String(x.relname));
    return `${name}${alias(x.alias)}`;
  }
  if (t === 'RangeSubselect') return `${x.lateral ? 'LATERAL ' : ''}(${select(x.subquery)})${alias(x.alias)}`;
  if (t === 'JoinExpr') {
    const kind = JOIN[String(x.jointype)];
    if (!kind || x.isNatural || list(x.usingClause).length || x.alias) throw new UnsupportedSql('a NATURAL, USING or aliased join');
    const right = typeOf(x.rarg) === 'JoinExpr' ? `(${fromItem(x.rarg)})` : fromItem(x.rarg);
    if (!x.quals) return kind === 'JOIN' ? `${fromItem(x.larg)} CROSS JOIN ${right}` : `${fromItem(x.larg)} ${kind} ${right} ON true`;
    return `${fromItem(x.larg)} ${kind} ${right} ON ${expr(x.quals)}`;
  }
  throw new UnsupportedSql(`a FROM item of type ${t}`);
}

function target(n: unknown): string {
  const r = inner(n);
  return `${expr(r.val)}${r.name ? ` AS ${quote(String(r.name))}` : ''}`;
}

function sortBy(n: unknown): string {
  const s = inner(n);
  if (s.useOp) throw new UnsupportedSql('ORDER BY ... USING');
  const dir = s.sortby_dir === 'SORTBY_DESC' ? ' DESC' : s.sortby_dir === 'SORTBY_ASC' ? ' ASC' : '';
  const nulls = s.sortby_nulls === 'SORTBY_NULLS_FIRST' ? ' NULLS FIRST' : s.sortby_nulls === 'SORTBY_NULLS_LAST' ? ' NULLS LAST' : '';
  return `${expr(s.node)}${dir}${nulls}`;
}

/** One SELECT (a `{SelectStmt: ...}` node); throws UnsupportedSql outside the subset. */
export function select(n: unknown): string {
  if (typeOf(n) !== 'SelectStmt') throw new UnsupportedSql(`a statement of type ${typeOf(n)}`);
  const s = inner(n);
  if ((s.op && s.op !== 'SETOP_NONE') || s.withClause || s.lockingClause || s.intoClause || s.valuesLists || s.windowClause)
    throw new UnsupportedSql('a set operation, WITH, VALUES, a window clause or a locking clause');
  if (s.limitOption && s.limitOption !== 'LIMIT_OPTION_COUNT' && s.limitOption !== 'LIMIT_OPTION_DEFAULT')
    throw new UnsupportedSql('FETCH ... WITH TIES');
  const distinct = s.distinctClause
    ? list(s.distinctClause).some((d) => typeOf(d) !== null)
      ? `DISTINCT ON (${list(s.distinctClause).map(expr).join(', ')}) `
      : 'DISTINCT '
    : '';
  const parts = [`SELECT ${distinct}${list(s.targetList).map(target).join(', ')}`];
  if (list(s.fromClause).length) parts.push(`FROM ${list(s.fromClause).map(fromItem).join(', ')}`);
  if (s.whereClause) parts.push(`WHERE ${expr(s.whereClause)}`);
  if (list(s.groupClause).length) parts.push(`GROUP BY ${list(s.groupClause).map(expr).join(', ')}`);
  if (s.havingClause) parts.push(`HAVING ${expr(s.havingClause)}`);
  if (list(s.sortClause).length) parts.push(`ORDER BY ${list(s.sortClause).map(sortBy).join(', ')}`);
  if (s.limitCount) parts.push(`LIMIT ${expr(s.limitCount)}`);
  if (s.limitOffset) parts.push(`OFFSET ${expr(s.limitOffset)}`);
  return parts.join(' ');
}
