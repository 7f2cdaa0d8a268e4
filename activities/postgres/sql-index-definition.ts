// CREATE INDEX texts (e.g. pg_get_indexdef's) read back through PostgreSQL's parser.
import * as pgQuery from 'libpg-query';
import { inner, typeOf, type Node } from './sql-ast';
import { assertParserReady } from './sql-parser';
import { nodesOf } from './sql-tree';

export interface IndexDefinition {
  schema: string | null;
  table: string;
  indexName: string | null;
  unique: boolean;
  concurrent: boolean;
}

/** The facts of a CREATE INDEX statement (e.g. pg_get_indexdef's), or null when the text is not exactly one. */
export function parseIndexDefinition(sql: string): IndexDefinition | null {
  assertParserReady();
  let tree: { stmts?: { stmt?: unknown }[] };
  try {
    tree = pgQuery.parseSync(sql);
  } catch {
    return null;
  }
  const stmts = tree.stmts ?? [];
  if (stmts.length !== 1 || typeOf(stmts[0].stmt) !== 'IndexStmt') return null;
  const v = inner(stmts[0].stmt);
  const rel = (v.relation ?? {}) as Record<string, unknown>; // a RangeVar, not wrapped in a node type
  if (typeof rel.relname !== 'string') return null;
  return {
    schema: typeof rel.schemaname === 'string' ? rel.schemaname : null,
    table: rel.relname,
    indexName: typeof v.idxname === 'string' ? v.idxname : null,
    unique: v.unique === true,
    concurrent: v.concurrent === true,
  };
}

/** Node types an index expression may hold: no subqueries, no statements, nothing but an expression over the row. */
const EXPRESSION_NODES_REFUSED = new Set(['SubLink', 'SelectStmt', 'ParamRef', 'A_Star']);

/** The first node below `n` (depth first) an index expression cannot hold: its type, else null. */
export function refusedNode(n: unknown): string | null {
  for (const x of nodesOf(n)) {
    const t = typeOf(x)!;
    if (EXPRESSION_NODES_REFUSED.has(t)) return t;
  }
  return null;
}

/** The key of `CREATE INDEX x ON t ((expr))` as parsed (the IndexElem's fields), or why `expr` is not exactly one expression key. */
export function parseIndexKey(expr: string): { key: Node } | { problem: string } {
  let tree: { stmts?: { stmt?: unknown }[] };
  try {
    tree = pgQuery.parseSync(`CREATE INDEX x ON t ((${expr}))`);
  } catch (err) {
    return { problem: `it does not parse as an expression (${(err as Error).message})` };
  }
  const stmts = tree.stmts ?? [];
  if (stmts.length !== 1 || typeOf(stmts[0].stmt) !== 'IndexStmt') return { problem: 'it is not one expression' };
  const params = (inner(stmts[0].stmt).indexParams as unknown[]) ?? [];
  const key = params.length === 1 ? inner(params[0]) : null;
  return key?.expr ? { key } : { problem: 'it is not one expression' };
}

/**
 * Why `expr` cannot be an index key expression, or null when it can: it must parse, inside
 * CREATE INDEX ... ((expr)), as exactly one expression key, with no subquery, parameter or `*`.
 * (Whether it is immutable is PostgreSQL's to say when the index is built.)
 */
export function indexExpressionProblem(expr: string): string | null {
  assertParserReady();
  if (typeof expr !== 'string' || expr.trim() === '') return 'it is empty';
  if (expr.length > 1_000) return 'it is longer than 1,000 characters';
  const parsed = parseIndexKey(expr);
  if ('problem' in parsed) return parsed.problem;
  const { key } = parsed;
  if (key.collation || key.opclass || (key.ordering && key.ordering !== 'SORTBY_DEFAULT'))
    return 'it holds more than the expression (a collation, an operator class or a direction)';
  const refused = refusedNode(key.expr);
  return refused ? `it holds a ${refused} (subqueries, parameters and * are not index expressions)` : null;
}
