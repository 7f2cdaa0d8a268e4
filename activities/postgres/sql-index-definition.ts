// CREATE INDEX texts (e.g. pg_get_indexdef's) read back through PostgreSQL's parser.
import * as pgQuery from 'libpg-query';
import { inner, typeOf } from './sql-ast';
import { assertParserReady } from './sql-parser';

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
