// How long the cumulative scan counters have run, and whether that is long enough to call an index unused.
// PostgreSQL 15 keeps the counters across clean restarts (written at shutdown) and discards them after a
// crash; pg_stat_database.stats_reset stays NULL until this database's counters are first reset.
import type { HealthSnapshot } from '../snapshot';

export type CounterSource = 'stats_reset' | 'server_start' | 'stats_discard';

export interface CounterAge {
  /** The time the counters are known to run from (at the latest). */
  since: string;
  hours: number;
  source: CounterSource;
}

const HOUR_MS = 3_600_000;

/**
 * The counters' age at the snapshot: since this database's stats_reset when set; otherwise (NULL: since the
 * database was created or the cluster's statistics last discarded) the later of the server's start and the
 * cluster's last discard, a lower bound unless the database itself was created after both. Null when unknown.
 */
export function counterAge(s: Pick<HealthSnapshot, 'takenAt' | 'statsReset' | 'serverStart' | 'sharedStatsReset'>): CounterAge | null {
  const at = Date.parse(s.takenAt);
  const age = (since: string, source: CounterSource): CounterAge => ({
    since,
    source,
    hours: Math.max(0, (at - Date.parse(since)) / HOUR_MS),
  });
  if (s.statsReset) return age(s.statsReset, 'stats_reset');
  const bounds: [string, CounterSource][] = [];
  if (s.serverStart) bounds.push([s.serverStart, 'server_start']);
  if (s.sharedStatsReset) bounds.push([s.sharedStatsReset, 'stats_discard']);
  if (bounds.length === 0) return null;
  const [since, source] = bounds.reduce((a, b) => (Date.parse(b[0]) > Date.parse(a[0]) ? b : a));
  return age(since, source);
}

/** Old enough to judge an index by its scans: at least `minDays` (0: always, even when the age is unknown). */
export function countersOldEnough(age: CounterAge | null, minDays: number): boolean {
  if (minDays <= 0) return true;
  return age !== null && age.hours >= minDays * 24;
}

/** When the counters reach `minDays` (from the snapshot when their start is unknown). */
export function recheckAfter(age: CounterAge | null, minDays: number, takenAt: string): string {
  return new Date(Date.parse(age?.since ?? takenAt) + minDays * 24 * HOUR_MS).toISOString();
}

/** Rounded down (a lower bound stays one): 6.99 days read "6.9 days", not "7 days". */
export function ageText(hours: number): string {
  const down = (x: number) => Math.floor(x * 10) / 10;
  return hours < 48 ? `${down(hours)} hours` : `${down(hours / 24)} days`;
}

const SOURCES: Record<CounterSource, string> = {
  stats_reset: "this database's statistics reset (pg_stat_database.stats_reset)",
  server_start:
    "the server's start (pg_postmaster_start_time()): stats_reset is NULL, and PostgreSQL 15 keeps the counters across clean restarts, " +
    'so they may have run longer, unless this database was created since',
  stats_discard:
    "the cluster's last statistics discard or shared reset (pg_stat_bgwriter.stats_reset: first start, crash recovery): stats_reset is NULL, " +
    'so the counters run from then unless this database was created since',
};

/** "the scan counters have run at least N days (since <time>, <source>)". */
export function counterAgeEvidence(age: CounterAge | null): string {
  if (!age) return 'how long the scan counters have run is unknown (no stats_reset, no server start time)';
  const span = `the scan counters have run at least ${ageText(age.hours)} (since ${age.since}, ${SOURCES[age.source]})`;
  return `${span}; an index created since counts only from its creation`;
}
