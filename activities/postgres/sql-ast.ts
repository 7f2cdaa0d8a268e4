// Reading libpg-query's JSON parse tree: every node is { NodeType: { ...fields } }.
import type { ColRef, RelRef } from './sql-facts';

export type Node = Record<string, unknown>;
type AnyNode = { [type: string]: Node };

export function typeOf(n: unknown): string | null {
  if (!n || typeof n !== 'object' || Array.isArray(n)) return null;
  const keys = Object.keys(n);
  return keys.length === 1 ? keys[0] : null;
}

export function inner(n: unknown): Node {
  return (n as AnyNode)[typeOf(n)!] ?? {};
}

export function sval(n: unknown): string | null {
  if (typeOf(n) !== 'String') return null;
  return String(inner(n).sval ?? '');
}

export function opName(nameList: unknown): string | null {
  if (!Array.isArray(nameList) || nameList.length === 0) return null;
  return sval(nameList[nameList.length - 1]);
}

/** A plain column reference: `col`, `t.col`, `s.t.col` (not `*`, not a cast or expression). */
export function columnRef(n: unknown): ColRef | null {
  if (typeOf(n) !== 'ColumnRef') return null;
  const fields = (inner(n).fields as unknown[]) ?? [];
  const names = fields.map(sval);
  if (names.length === 0 || names.some((x) => x === null)) return null;
  const parts = names as string[];
  if (parts.length === 1) return { qualifier: null, column: parts[0] };
  return { qualifier: parts[parts.length - 2], column: parts[parts.length - 1] };
}

export function rangeVar(n: Node): RelRef {
  const alias = (n.alias as Node | undefined)?.aliasname as string | undefined;
  const name = String(n.relname);
  return { schema: (n.schemaname as string | undefined) ?? null, name, alias: alias ?? name };
}

/** The $n of a parameter (maybe cast: `$1::int`) and where it is, else { param: null, location: -1 }. */
export function paramOf(n: unknown): { param: number | null; location: number } {
  let cur = n;
  while (typeOf(cur) === 'TypeCast') cur = inner(cur).arg;
  if (typeOf(cur) === 'ParamRef') return { param: Number(inner(cur).number), location: Number(inner(cur).location ?? -1) };
  return { param: null, location: -1 };
}
