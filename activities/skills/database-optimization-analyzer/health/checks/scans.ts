// Scan checks: the buffer cache hit ratio, large tables read mostly sequentially, and the ones to partition.
import type { Finding } from '../../../../../common/types';
import { round } from '../../../../../common/round';
import type { HealthOptions } from '../options';
import type { HealthSnapshot, HealthTable } from '../snapshot';
import type { HealthWindow } from '../window';
import { bytes, count, since } from './format';
import { manualFinding } from './manual-finding';

export function cacheHitRatio(s: HealthSnapshot, w: HealthWindow | null, o: HealthOptions): Finding | null {
  let hit: number;
  let read: number;
  let scope: string;
  if (w?.cache && w.cache.hit + w.cache.read >= o.cacheMinBlockAccesses) {
    ({ hit, read } = w.cache);
    scope = 'during the load window (pg_stat_statements shared_blks_hit/read of its statements)';
  } else {
    hit = s.tables.reduce((x, t) => x + t.heapBlksHit + t.idxBlksHit, 0);
    read = s.tables.reduce((x, t) => x + t.heapBlksRead + t.idxBlksRead, 0);
    scope = `${since(s)} (pg_statio_user_tables, heap and index blocks)`;
    if (hit + read < o.cacheMinBlockAccesses) return null;
  }
  const ratio = (100 * hit) / (hit + read);
  if (ratio >= o.cacheHitRatioMinPct) return null;
  const worst = [...s.tables]
    .map((t) => ({ t, reads: t.heapBlksRead + t.idxBlksRead, total: t.heapBlksRead + t.idxBlksRead + t.heapBlksHit + t.idxBlksHit }))
    .filter((x) => x.reads > 0)
    .sort((a, b) => b.reads - a.reads);
  const shared = s.settings.shared_buffers ?? '?';
  return manualFinding(
    {
      kind: 'cache-hit-ratio',
      rootCause: 'low_cache_hit_ratio',
      title: `Buffer cache hit ratio ${round(ratio, 2)}% < ${o.cacheHitRatioMinPct}%: reads go to disk (or the OS cache)`,
      summary: [
        `${count(hit)} hits, ${count(read)} reads ${scope}; shared_buffers = ${shared}`,
        'the tables read most from outside shared_buffers:',
      ],
      items: worst.map(
        (x) =>
          `${x.t.schema}.${x.t.name}: ${count(x.reads)} blocks read ` +
          `(${round((100 * (x.total - x.reads)) / Math.max(1, x.total), 2)}% hit), ${bytes(x.t.sizeBytes)}`,
      ),
      steps: [
        'first remove needless reads: apply the missing-index findings (sequential scans read whole tables)',
        `raise shared_buffers (typically 25% of the server's RAM; now ${shared}): ALTER SYSTEM SET shared_buffers = '<size>'; then restart PostgreSQL`,
        "set effective_cache_size to about 75% of RAM: ALTER SYSTEM SET effective_cache_size = '<size>'; SELECT pg_reload_conf();",
        'if the working set is larger than the RAM: more memory, or archive/partition cold data',
      ],
      rollback: 'ALTER SYSTEM RESET shared_buffers; ALTER SYSTEM RESET effective_cache_size; then restart PostgreSQL',
      risk: 'medium',
      effort: 'config_restart',
    },
    o.maxItems,
  );
}

/** The snapshot's tables by schema.name, to join the window's table counters with. */
function tablesByName(s: HealthSnapshot): Map<string, HealthTable> {
  return new Map(s.tables.map((t) => [`${t.schema}.${t.name}`, t]));
}

/** The window's two costliest statements that name the table (as a word), on one line, at most 140 characters each. */
function statementsNaming(statements: HealthWindow['statements'], table: string): string[] {
  const re = new RegExp(`\\b${table.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`, 'i');
  return statements
    .filter((x) => re.test(x.query))
    .sort((a, b) => b.totalMs - a.totalMs)
    .slice(0, 2)
    .map((x) => x.query.replace(/\s+/g, ' ').slice(0, 140));
}

export function seqScans(s: HealthSnapshot, w: HealthWindow | null, o: HealthOptions, indexFindings: Finding[]): Finding | null {
  if (!w?.tables) return null;
  const sizes = tablesByName(s);
  const list = w.tables
    .map((d) => ({ d, t: sizes.get(`${d.schema}.${d.table}`) }))
    .filter(
      (x) =>
        x.t &&
        x.t.reltuples >= o.seqScanMinRows &&
        x.d.seqScan >= o.seqScanMinCount &&
        x.d.seqScan / Math.max(1, x.d.seqScan + x.d.idxScan) >= o.seqScanMinShare,
    )
    .sort((a, b) => b.d.seqTupRead - a.d.seqTupRead);
  if (list.length === 0) return null;
  const items: string[] = [];
  for (const { d, t } of list) {
    const fix = indexFindings.find((f) => f.action.type === 'create_index' && f.action.schema === d.schema && f.action.table === d.table);
    const stmts = statementsNaming(w.statements, d.table);
    items.push(
      `${d.schema}.${d.table} (${count(t!.reltuples)} rows): ${count(d.seqScan)} sequential scans in the window ` +
        `(${round((100 * d.seqScan) / (d.seqScan + d.idxScan), 1)}% of its scans), ${count(d.seqTupRead)} rows read by them` +
        (fix ? `; addressed by ${fix.id}` : stmts.length ? `; statements: ${stmts.join(' | ')}` : '') +
        (t!.reltuples >= o.partitionMinRows
          ? `; over ${count(o.partitionMinRows)} rows: consider partitioning it by the column its queries range over (architectural, T4)`
          : ''),
    );
  }
  return manualFinding(
    {
      kind: 'seq-scans',
      rootCause: 'seq_scan_large_table',
      title: `Sequential scans dominate on ${list.length} large table${list.length > 1 ? 's' : ''}`,
      summary: [
        `tables with at least ${count(o.seqScanMinRows)} rows where at least ${round(o.seqScanMinShare * 100, 1)}% of the ` +
          `window's scans were sequential (pg_stat_user_tables deltas)`,
      ],
      items,
      steps: [
        'apply the missing-index findings listed; for the other statements, EXPLAIN them and add the index their filter needs (or a LIMIT / a narrower query)',
        'a table read whole on purpose (reports, exports) belongs on a replica or in a summary table',
      ],
      rollback: 'nothing to undo (review only)',
      risk: 'low',
      effort: 'investigation',
    },
    o.maxItems,
  );
}

/**
 * Partitioning (architectural): a table of at least partitionMinRows rows whose sequential scans
 * read at least partitionMinSeqShare of all the rows the window's sequential scans read.
 */
export function partitioning(s: HealthSnapshot, w: HealthWindow | null, o: HealthOptions): Finding | null {
  if (!w?.tables) return null;
  const total = w.tables.reduce((n, d) => n + Math.max(0, d.seqTupRead), 0);
  if (total <= 0) return null;
  const sizes = tablesByName(s);
  const list = w.tables
    .map((d) => ({ d, t: sizes.get(`${d.schema}.${d.table}`), share: Math.max(0, d.seqTupRead) / total }))
    .filter((x) => x.t && x.t.reltuples >= o.partitionMinRows && x.d.seqScan > 0 && x.share >= o.partitionMinSeqShare)
    .sort((a, b) => b.share - a.share);
  if (list.length === 0) return null;
  const items = list.map(({ d, t, share }) => {
    const stmts = statementsNaming(w.statements, d.table);
    return (
      `${d.schema}.${d.table} (${count(t!.reltuples)} rows, ${bytes(t!.sizeBytes)}): ` +
      `its ${count(d.seqScan)} sequential scans read ${count(d.seqTupRead)} rows, ` +
      `${round(share * 100, 1)}% of all rows read sequentially in the window` +
      (stmts.length ? `; statements: ${stmts.join(' | ')}` : '')
    );
  });
  const f = manualFinding(
    {
      kind: 'partitioning',
      rootCause: 'partitioning',
      title:
        `Partition ${list.map((x) => `${x.d.schema}.${x.d.table}`).join(', ')}: ` +
        `${list.length > 1 ? 'tables' : 'a table'} over ${count(o.partitionMinRows)} rows read whole (architectural)`,
      summary: [
        `tables with at least ${count(o.partitionMinRows)} rows whose sequential scans read at least ` +
          `${round(o.partitionMinSeqShare * 100, 1)}% of the rows the window's sequential scans read ` +
          `(pg_stat_user_tables deltas); an index alone rarely fixes scans of a whole table this size`,
      ],
      items,
      steps: [
        'choose the partition key: the column the heavy statements filter or range over (often a timestamp); check that every unique key includes it',
        'create a partitioned copy (CREATE TABLE ... PARTITION BY RANGE (key)) with its partitions and indexes, ' +
          'copy the data in batches (or use pg_partman), then swap the names in a short transaction',
        'rewrite the statements so their WHERE clause names the partition key (partition pruning), and plan the retention (DROP/DETACH old partitions)',
      ],
      rollback: 'keep the original table until the partitioned one is validated; swap the names back',
      risk: 'high',
      effort: 'partitioning',
    },
    o.maxItems,
  );
  return { ...f, architectural: true };
}
