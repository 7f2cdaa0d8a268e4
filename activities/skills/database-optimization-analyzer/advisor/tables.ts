// The workload's tables: their catalog entries, the rows written to them in the window, and what
// writing costs an index.
import { loadCatalog, type Catalog } from '../../../postgres/catalog';
import type { Candidate } from '../../../postgres/index-model';
import type { AdvisorRun } from './run';
import { tableKey } from './statement';
import type { TableWrites } from './types';
import type { StatementWrites, WorkloadScan } from './workload';

export interface Tables {
  catalog: Catalog;
  /** Rows written in the window, by "schema.table". */
  writes: Map<string, TableWrites>;
  /** The columns UPDATE statements set, by "schema.table". */
  updatedColumns: Map<string, Set<string>>;
}

/** The catalog of the tables the workload names, and the rows written to them (table counters and statements). */
export async function loadTables(run: AdvisorRun, scan: WorkloadScan): Promise<Tables> {
  const catalog = await loadCatalog(run.pool, run.input.schemas, scan.names);
  const updatedColumns = new Map<string, Set<string>>();
  const writes = new Map<string, TableWrites>();
  for (const w of run.input.tableWrites ?? []) writes.set(`${w.schema}.${w.table}`, w);
  const derived = writesOfStatements(scan.writes, catalog, updatedColumns);
  scan.writes.clear();
  // The statements' own row counts when the table counters saw fewer (counters lag by up to a second).
  for (const [k, d] of derived) {
    const w = writes.get(k);
    if (!w) writes.set(k, d);
    else
      writes.set(k, {
        ...w,
        inserted: Math.max(w.inserted, d.inserted),
        updated: Math.max(w.updated, d.updated),
        deleted: Math.max(w.deleted, d.deleted),
      });
  }
  return { catalog, writes, updatedColumns };
}

/** The statements' writes by table (resolved in the catalog); the columns UPDATEs set go to `updatedColumns`. */
function writesOfStatements(
  statementWrites: Map<string, StatementWrites>,
  catalog: Catalog,
  updatedColumns: Map<string, Set<string>>,
): Map<string, TableWrites> {
  const derived = new Map<string, TableWrites>();
  for (const w of statementWrites.values()) {
    const tbl = catalog.resolve(w.writeTarget);
    if (!tbl) continue;
    const k = tableKey(tbl);
    const d = derived.get(k) ?? { schema: tbl.schema, table: tbl.name, inserted: 0, updated: 0, hotUpdated: 0, deleted: 0 };
    d.inserted += w.inserted;
    d.updated += w.updated;
    d.deleted += w.deleted;
    if (w.updated > 0 || w.updatedColumns.size > 0) {
      const set = updatedColumns.get(k) ?? new Set<string>();
      for (const c of w.updatedColumns) set.add(c);
      updatedColumns.set(k, set);
    }
    derived.set(k, d);
  }
  return derived;
}

/** Index maintenance in the window (ms): the rows written to the table that the index must follow. */
export function writeCostMs(c: Candidate, w: TableWrites | undefined, updatedColumns: Set<string> | undefined, msPerRow: number): number {
  if (!w) return 0;
  const cols = [...c.keys.map((k) => k.name), ...c.include];
  // HOT updates stay HOT unless they change an indexed column (one an expression key reads counts); without
  // UPDATE texts, assume they do.
  const reads = (k: Candidate['keys'][number], col: string) => (k.expression ? expressionReads(k.name, col) : k.name === col);
  const indexed = (col: string) => c.keys.some((k) => reads(k, col)) || c.include.includes(col);
  const hotBroken = updatedColumns === undefined || [...updatedColumns].some(indexed) ? w.hotUpdated : 0;
  const rows = w.inserted + Math.max(0, w.updated - w.hotUpdated) + hotBroken;
  const width = 1 + 0.15 * (cols.length - 1);
  return rows * msPerRow * width;
}

/** Whether an expression's text names the column (as a whole word, quoted or not; string literals aside). */
export function expressionReads(expression: string, column: string): boolean {
  const code = expression.replace(/'(?:[^']|'')*'/g, "''");
  const escaped = column.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^A-Za-z0-9_$"])"?${escaped}"?($|[^A-Za-z0-9_$"])`).test(code);
}
