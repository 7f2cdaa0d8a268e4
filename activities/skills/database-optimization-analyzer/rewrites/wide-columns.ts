// A list statement (many rows per call) that returns wide columns (pg_stats.avg_width, or the stored
// size of TOASTed values, over a threshold) -> the same statement without them; pure. The tool cannot
// know what the application reads, so the finding says "if the caller does not use `body`, select ...":
// the rewrite returns the same rows, in the same order, for the columns it keeps (a projection; it
// is compared on the real data all the same: another plan may break ties of ORDER BY ... LIMIT
// differently). `*` is expanded from the catalog's columns, in their order.
import { columnRef, inner, rangeVar, sval, typeOf, type Node } from '../../../postgres/sql-ast';
import { cloneTree, nodesOf } from '../../../postgres/sql-tree';
import { tableOfColumn } from './indexed-column';
import { list, plainSelect, tableName } from './joins';
import type { KeysOf, Rewrite, TableKeys } from './types';

export interface WideOptions {
  /** A column is wide from this many bytes per value on average. */
  wideMinWidth: number;
  /** Only statements returning at least this many rows per call (list statements). */
  wideMinRowsPerCall: number;
}

interface Item {
  /** The select-list entry (a ResTarget) as it will be printed. */
  target: Node;
  table: TableKeys | null;
  column: string | null;
  /** The entry's explicit alias (AS name), when it has one. */
  alias: string | null;
}

/** The FROM's tables by alias, in FROM order; null when something there has no known column list. */
function fromTables(n: unknown, keysOf: KeysOf, out: [string, TableKeys][]): boolean {
  if (typeOf(n) === 'RangeVar') {
    const rel = rangeVar(inner(n));
    const t = keysOf(rel);
    if (!t) return false;
    out.push([rel.alias, t]);
    return true;
  }
  const j = inner(n);
  if (typeOf(n) !== 'JoinExpr' || j.isNatural || list(j.usingClause).length || j.alias) return false;
  return fromTables(j.larg, keysOf, out) && fromTables(j.rarg, keysOf, out);
}

const ref = (alias: string, column: string): Node => ({
  ColumnRef: { fields: [{ String: { sval: alias } }, { String: { sval: column } }] },
});

/** The select list with every `*` and `alias.*` expanded into the tables' columns. */
function expand(targets: unknown[], tables: [string, TableKeys][]): Item[] | null {
  const byAlias = new Map(tables);
  const items: Item[] = [];
  for (const t of targets) {
    const r = inner(t);
    const fields = list(inner(r.val).fields);
    if (typeOf(r.val) === 'ColumnRef' && typeOf(fields[fields.length - 1]) === 'A_Star') {
      const q = fields.length > 1 ? sval(fields[fields.length - 2]) : null;
      const expanded = q === null ? tables : byAlias.has(q) ? ([[q, byAlias.get(q)!]] as [string, TableKeys][]) : null;
      if (!expanded) return null;
      for (const [alias, tk] of expanded)
        for (const c of tk.columns) items.push({ target: { ResTarget: { val: ref(alias, c) } }, table: tk, column: c, alias: null });
      continue;
    }
    const col = columnRef(r.val);
    const tk = col ? tableOfColumn(col, byAlias) : null;
    items.push({ target: t as Node, table: tk, column: tk ? col!.column : null, alias: (r.name as string | undefined) ?? null });
  }
  return items;
}

/** ORDER BY / GROUP BY by position, or by the alias of a dropped entry: dropping it would change them. */
function refersToOutput(s: Node, dropped: Item[]): boolean {
  const aliases = new Set(dropped.map((d) => d.alias).filter((a): a is string => a !== null));
  const clauses = [...list(s.sortClause).map((x) => inner(x).node), ...list(s.groupClause)];
  for (const c of clauses) {
    if (typeOf(c) === 'A_Const') return true;
    const col = columnRef(c);
    if (col && col.qualifier === null && aliases.has(col.column)) return true;
  }
  return false;
}

export function wideColumns(tree: Node, keysOf: KeysOf, opts: WideOptions, rowsPerCall: number | null): Rewrite | null {
  if (rowsPerCall === null || rowsPerCall < opts.wideMinRowsPerCall) return null;
  const rewritten = cloneTree(tree);
  const s = inner(rewritten);
  const tables: [string, TableKeys][] = [];
  if (!plainSelect(s) || s.havingClause || list(s.fromClause).some((f) => !fromTables(f, keysOf, tables))) return null;
  if ([...nodesOf(s.targetList)].some((n) => typeOf(n) === 'SubLink')) return null;
  const items = expand(list(s.targetList), tables);
  if (!items) return null;
  const width = (i: Item) => (i.table && i.column ? (i.table.widths?.[i.column] ?? 0) : 0);
  const isWide = (i: Item) => width(i) >= opts.wideMinWidth;
  const dropped = items.filter(isWide);
  const kept = items.filter((i) => !isWide(i));
  if (dropped.length === 0 || kept.length === 0 || refersToOutput(s, dropped)) return null;
  s.targetList = kept.map((i) => i.target);
  const columns = dropped.map((i) => ({ table: tableName(i.table!), column: i.column!, avgWidth: Math.round(width(i)) }));
  const names = columns.map((c) => c.column).join(', ');
  return {
    kind: 'wide_columns',
    tree: rewritten,
    table: columns[0].table,
    dropped: [],
    wide: { columns, outputCount: items.length, kept: items.flatMap((i, n) => (isWide(i) ? [] : [n])), ordered: !!s.sortClause },
    condition:
      `it is the same statement with fewer output columns: the same rows${s.sortClause ? ' in the same order' : ''} for the columns it ` +
      `keeps; it is the same result only if the caller does not read ${names}`,
  };
}
