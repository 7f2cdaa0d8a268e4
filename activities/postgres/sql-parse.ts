// SQL facts from PostgreSQL's own parser (libpg-query: the server's grammar compiled to wasm, so it
// accepts exactly what PostgreSQL accepts): statement kind, fingerprint, relations, predicates
// (=, IN/ANY, ranges, IS NULL), join keys, ORDER BY/LIMIT, referenced columns. Columns are kept as
// written (qualifier + name); resolving them to tables needs the catalog and happens in the advisor.
// Everything here is pure once the wasm module is loaded (ensureParser()).
//
// This is the module the rest of the code imports; the work is done in:
//   sql-parser.ts            loading the wasm parser, fingerprints
//   sql-facts.ts             the facts' types
//   sql-ast.ts               reading the parse tree's nodes
//   sql-walk.ts              a statement's query blocks (Scopes)
//   sql-scope.ts             a block's predicates and join keys
//   sql-evidence.ts          statement texts without their literals, for reports
//   sql-index-definition.ts  CREATE INDEX texts
import * as pgQuery from 'libpg-query';
import { inner, rangeVar, typeOf, type Node } from './sql-ast';
import type { RelRef, StatementFacts, StatementKind } from './sql-facts';
import { assertParserReady, fingerprintOf, SqlParseError } from './sql-parser';
import type { Ctx } from './sql-scope';
import { visitStatement } from './sql-walk';

export { ensureParser, parserProblem, parserReady, SqlParseError } from './sql-parser';
export type { ColRef, JoinKey, OrGroup, Predicate, PredicateOp, RelRef, Scope, SortKey, StatementFacts, StatementKind } from './sql-facts';
export { columnRef } from './sql-ast';
export { normalizeForEvidence } from './sql-evidence';
export { indexExpressionProblem, parseIndexDefinition, type IndexDefinition } from './sql-index-definition';

const KIND: Record<string, StatementKind> = { SelectStmt: 'select', InsertStmt: 'insert', UpdateStmt: 'update', DeleteStmt: 'delete' };

/** Parses one statement. Throws SqlParseError on a syntax error or when the parser is not loaded. */
export function parseStatement(sql: string, opts: { fingerprint?: boolean } = {}): StatementFacts {
  assertParserReady();
  let tree: { stmts?: { stmt?: unknown; stmt_location?: number; stmt_len?: number }[] };
  try {
    tree = pgQuery.parseSync(sql);
  } catch (err) {
    throw new SqlParseError(`syntax error: ${(err as Error).message}`);
  }
  const stmts = tree.stmts ?? [];
  if (stmts.length === 0) throw new SqlParseError('no statement');
  const first = stmts[0];
  const start = first.stmt_location ?? 0;
  const text = (first.stmt_len ? sql.slice(start, start + first.stmt_len) : sql.slice(start)).trim().replace(/;\s*$/, '');
  const t = typeOf(first.stmt) ?? 'unknown';
  const ctx: Ctx = { scopes: [], ctes: new Set(), maxParam: 0, modifiesData: false, depth: 0, cteScopes: new Map(), paramUses: {} };
  visitStatement(first.stmt, [], ctx);
  let writeTarget: RelRef | null = null;
  if (t === 'InsertStmt' || t === 'UpdateStmt' || t === 'DeleteStmt') writeTarget = rangeVar(inner(first.stmt).relation as Node);
  const updatedColumns =
    t === 'UpdateStmt'
      ? (((inner(first.stmt).targetList as unknown[]) ?? []).map((rt) => inner(rt).name).filter((x) => typeof x === 'string') as string[])
      : [];
  const fingerprint = opts.fingerprint !== false ? fingerprintOf(sql) : null;
  // SELECT ... INTO creates a table: not a query to plan.
  const selectInto = t === 'SelectStmt' && inner(first.stmt).intoClause !== undefined;
  return {
    kind: selectInto ? 'other' : (KIND[t] ?? 'other'),
    fingerprint,
    text,
    statementCount: stmts.length,
    scopes: ctx.scopes,
    writeTarget,
    updatedColumns,
    locking: t === 'SelectStmt' && Array.isArray(inner(first.stmt).lockingClause),
    maxParam: ctx.maxParam,
    cteNames: [...ctx.ctes],
    modifiesData: ctx.modifiesData,
    paramUses: ctx.paramUses,
  };
}

/** parseStatement, or null with the reason. */
export function tryParse(sql: string, opts: { fingerprint?: boolean } = {}): { facts: StatementFacts } | { error: string } {
  try {
    return { facts: parseStatement(sql, opts) };
  } catch (err) {
    return { error: (err as Error).message };
  }
}
