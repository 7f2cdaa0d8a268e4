// Candidate indexes: derived from a statement's table accesses.
import { Catalog } from '../../../postgres/catalog';
import type { Candidate, IndexColumn } from '../../../postgres/index-model';
import type { AdvisorOptions } from './options';
import type { Access } from './statement';

export function candidatesFor(
  a: Access,
  opts: Pick<AdvisorOptions, 'maxKeyColumns' | 'maxIncludeColumns' | 'maxIncludeWidth'>,
): Candidate[] {
  const t = a.table;
  const base = { schema: t.schema, table: t.name, include: [] as string[] };
  const eq = [...a.eq]
    .map((name, i) => ({ name, i, sel: Catalog.eqSelectivity(t, name) }))
    .sort((x, y) => x.sel - y.sel || x.i - y.i)
    .map((x) => x.name)
    .slice(0, opts.maxKeyColumns);
  const eqCols: IndexColumn[] = eq.map((name) => ({ name }));
  const out: Candidate[] = [];
  const push = (keys: IndexColumn[], eqCount: number, into: Candidate[] = out) => {
    if (keys.length === 0 || keys.length > opts.maxKeyColumns) return;
    if (new Set(keys.map((k) => k.name)).size !== keys.length) return;
    into.push({ ...base, keys, eqCount });
  };
  if (a.sort) {
    const tail = a.sort.filter((s) => !eq.includes(s.name));
    if (tail.length > 0 && (eq.length > 0 || a.limit)) push([...eqCols, ...tail], eqCols.length);
  }
  for (const r of a.range.slice(0, 2)) push([...eqCols, { name: r }], eqCols.length);
  if (eqCols.length > 0) push(eqCols, eqCols.length);
  // Covering variants: the block's other columns of this table as INCLUDE, for index-only scans.
  if (a.used) {
    for (const c of [...out]) {
      const keys = new Set(c.keys.map((k) => k.name));
      const rest = [...a.used].filter((n) => !keys.has(n)).sort();
      if (rest.length === 0 || rest.length > opts.maxIncludeColumns) continue;
      const width = rest.reduce((sum, n) => sum + (t.columns.get(n)?.avgWidth ?? 1000), 0);
      if (width > opts.maxIncludeWidth) continue;
      out.push({ ...c, include: rest });
    }
  }
  // Join keys: the inner side of a nested loop probes by the join column (and the equalities).
  for (const j of a.join.slice(0, 2))
    push([{ name: j }, ...eqCols].slice(0, opts.maxKeyColumns), Math.min(opts.maxKeyColumns, 1 + eqCols.length));
  return out;
}
