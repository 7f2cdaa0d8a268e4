// The load window's figures (deltas and samples taken during the load), which some checks use with or instead of the snapshot.
import type { ActivitySummary, TableCounters } from '../../../postgres/statistics';

export interface HealthWindow {
  tables: TableCounters[] | null;
  activity: ActivitySummary | null;
  /** Shared buffer hits/reads of the window's statements (pg_stat_statements). */
  cache: { hit: number; read: number } | null;
  /** The window's statements (normalized), to point at the ones behind a sequential scan. */
  statements: { query: string; totalMs: number; calls: number }[];
}
