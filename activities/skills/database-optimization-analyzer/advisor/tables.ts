// The workload's tables: what writing to them costs an index.
import type { Candidate } from '../../../postgres/index-model';
import type { TableWrites } from './types';

/** Index maintenance in the window (ms): the rows written to the table that the index must follow. */
export function writeCostMs(c: Candidate, w: TableWrites | undefined, updatedColumns: Set<string> | undefined, msPerRow: number): number {
  if (!w) return 0;
  const cols = [...c.keys.map((k) => k.name), ...c.include];
  // HOT updates stay HOT unless they change an indexed column; without UPDATE texts, assume they do.
  const hotBroken = updatedColumns === undefined || cols.some((n) => updatedColumns.has(n)) ? w.hotUpdated : 0;
  const rows = w.inserted + Math.max(0, w.updated - w.hotUpdated) + hotBroken;
  const width = 1 + 0.15 * (cols.length - 1);
  return rows * msPerRow * width;
}
