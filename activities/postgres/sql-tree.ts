// The raw parse tree of one SELECT (libpg-query's JSON), for code that transforms statements (query
// rewrites) rather than reading facts from them; plus small walks over it. Pure once the parser is loaded.
import * as pgQuery from 'libpg-query';
import { columnRef, inner, sval, typeOf, type Node } from './sql-ast';
import type { ColRef } from './sql-facts';
import { assertParserReady } from './sql-parser';

/** The tree of a statement that is exactly one plain SELECT, else null (syntax error, several statements, not a SELECT). */
export function parseSelectTree(sql: string): Node | null {
  assertParserReady();
  try {
    const stmts = pgQuery.parseSync(sql).stmts ?? [];
    if (stmts.length !== 1 || typeOf(stmts[0].stmt) !== 'SelectStmt') return null;
    return stmts[0].stmt as unknown as Node;
  } catch {
    return null;
  }
}

/** Every node below `n` (n included), depth first. */
export function* nodesOf(n: unknown): Generator<unknown> {
  if (Array.isArray(n)) {
    for (const x of n) yield* nodesOf(x);
    return;
  }
  if (!n || typeof n !== 'object') return;
  if (typeOf(n)) yield n;
  for (const v of Object.values(n as Node)) if (v && typeof v === 'object') yield* nodesOf(v);
}

/** The column references below `n` (subqueries included); `star` when some `*` or `x.*` is there. */
export function columnsOf(n: unknown): { columns: ColRef[]; stars: (string | null)[] } {
  const columns: ColRef[] = [];
  const stars: (string | null)[] = [];
  for (const x of nodesOf(n)) {
    if (typeOf(x) !== 'ColumnRef') continue;
    const fields = (inner(x).fields as unknown[]) ?? [];
    if (fields.length && typeOf(fields[fields.length - 1]) === 'A_Star') {
      stars.push(fields.length > 1 ? sval(fields[fields.length - 2]) : null);
      continue;
    }
    const c = columnRef(x);
    if (c) columns.push(c);
  }
  return { columns, stars };
}

/** The highest $n parameter below `n`, 0 when none. */
export function maxParamOf(n: unknown): number {
  let max = 0;
  for (const x of nodesOf(n)) if (typeOf(x) === 'ParamRef') max = Math.max(max, Number(inner(x).number ?? 0));
  return max;
}

/** A deep copy (trees are plain JSON). */
export function cloneTree<T>(n: T): T {
  return structuredClone(n);
}
