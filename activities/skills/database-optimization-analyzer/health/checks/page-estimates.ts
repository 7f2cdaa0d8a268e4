// The usual page estimates of the bloat check: the pages a relation needs for its rows, from the
// widths in pg_stats and the headers.

/** Estimated pages a table needs for its rows (the usual estimate: row width from pg_stats + headers). */
export function expectedTablePages(
  t: { reltuples: number; rowWidth: number | null; fillfactor: number },
  blockSize: number,
): number | null {
  if (t.rowWidth === null) return null;
  const tuple = Math.ceil((t.rowWidth + 1) / 8) * 8 + 4; // MAXALIGN'd tuple + line pointer
  const perPage = Math.max(1, Math.floor(((blockSize - 24) * t.fillfactor) / 100 / tuple));
  return Math.ceil(t.reltuples / perPage);
}

export function expectedIndexPages(i: { reltuples: number; keyWidth: number | null }, blockSize: number): number | null {
  if (i.keyWidth === null) return null;
  const tuple = 8 + Math.ceil(i.keyWidth / 8) * 8 + 4; // IndexTupleData + data + line pointer
  const perPage = Math.max(1, Math.floor(((blockSize - 24 - 16) * 0.9) / tuple)); // leaf fillfactor 90
  return Math.ceil(i.reltuples / perPage) + 1; // + metapage
}
