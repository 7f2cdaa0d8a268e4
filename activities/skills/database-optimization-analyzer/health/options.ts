// The health checks' thresholds (PgHero's where it has one).
export interface HealthOptions {
  /** PgHero: an index scanned at most this many times since the statistics reset is unused. */
  unusedIndexMaxScans: number;
  /**
   * Scan counters younger than this many days (since stats_reset, or the server's start) prove nothing: an index
   * that looks unused gets no drop, only advice to re-check. 0 judges counters of any age.
   */
  minCounterAgeDays: number;
  /** Cache hit ratio below this (%) is low (PgHero: 99). */
  cacheHitRatioMinPct: number;
  /** Buffer accesses the ratio needs to mean something. */
  cacheMinBlockAccesses: number;
  /** Estimated wasted space (fraction of the relation) that counts as bloat... */
  bloatMinFraction: number;
  /** ...and at least this many bytes of it. */
  bloatMinBytes: number;
  /** Dead tuples share that means VACUUM is behind... */
  deadTupleMinFraction: number;
  deadTupleMinCount: number;
  /** Connections above this share of max_connections (minus reserved) are pressure. */
  connectionsMaxFraction: number;
  /** A session idle in transaction this long holds locks and blocks vacuum. */
  idleInTransactionMs: number;
  /** PgHero: a query running this long is long-running. */
  longRunningMs: number;
  /** A lock wait this long is contention. */
  lockWaitMs: number;
  /** A sequence (or its column's type) this much used is near exhaustion (PgHero: 0.9). */
  sequenceMaxFraction: number;
  /** Modified rows since the last analyze above this multiple of autovacuum's analyze trigger: stale. */
  staleStatsFactor: number;
  staleStatsMinRows: number;
  /** Transaction ID age above this is a wraparound risk (half of the 2^31 limit)... */
  xidAgeWarn: number;
  /** ...or above this multiple of autovacuum_freeze_max_age (autovacuum is not keeping up). */
  xidAgeFreezeFactor: number;
  /** Tables at least this big whose window scans are mostly sequential. */
  seqScanMinRows: number;
  seqScanMinShare: number;
  seqScanMinCount: number;
  /** Tables at least this big (reltuples)... */
  partitionMinRows: number;
  /** ...that account for at least this share of the rows the window's sequential scans read: partition them (architectural). */
  partitionMinSeqShare: number;
  /** Objects listed per finding (the rest is counted). */
  maxItems: number;
}

export const DEFAULT_HEALTH_OPTIONS: HealthOptions = {
  unusedIndexMaxScans: 50,
  minCounterAgeDays: 7,
  cacheHitRatioMinPct: 99,
  cacheMinBlockAccesses: 10_000,
  bloatMinFraction: 0.3,
  bloatMinBytes: 10 * 1024 * 1024,
  deadTupleMinFraction: 0.2,
  deadTupleMinCount: 10_000,
  connectionsMaxFraction: 0.8,
  idleInTransactionMs: 5_000,
  longRunningMs: 60_000,
  lockWaitMs: 1_000,
  sequenceMaxFraction: 0.75,
  staleStatsFactor: 1.5,
  staleStatsMinRows: 1_000,
  xidAgeWarn: 1_000_000_000,
  xidAgeFreezeFactor: 2,
  seqScanMinRows: 10_000,
  seqScanMinShare: 0.5,
  seqScanMinCount: 5,
  partitionMinRows: 10_000_000,
  partitionMinSeqShare: 0.5,
  maxItems: 15,
};

/** The defaults under `options`; a bad value is an error naming the field and the fix. */
export function healthOptionsFrom(options: Partial<HealthOptions> = {}): HealthOptions {
  const o = { ...DEFAULT_HEALTH_OPTIONS, ...options };
  const days = o.minCounterAgeDays as unknown;
  if (typeof days !== 'number' || !Number.isFinite(days) || days < 0) {
    throw new Error(
      `health option minCounterAgeDays must be a finite number of days >= 0 (got ${JSON.stringify(days) ?? String(days)}): ` +
        `use ${DEFAULT_HEALTH_OPTIONS.minCounterAgeDays} (the default) or 0 to judge scan counters of any age`,
    );
  }
  return o;
}
