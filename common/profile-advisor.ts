// The profile's `database.advisor` section: the database-optimization-analyzer's thresholds
// (defaults: Dexter's anchors or stricter) and its opt-ins (EXPLAIN ANALYZE, query rewrites).
import { z } from 'zod';
import { sqlName } from './profile-checks';

export const DatabaseAdvisorSchema = z.strictObject({
  // A statement's generic plan must cost at least this for an index to be considered...
  minPlanCost: z.number().min(0).default(100),
  // A statement measured at least this slow per call (ms) is analyzed even when its plan costs less than
  // minPlanCost: the plan can underestimate it (a LIMIT over an expression the planner has no statistics for).
  slowMeanMs: z.number().min(0).default(5),
  // ...and an index must cut that cost by at least this percentage.
  minSavingPct: z.number().gt(0, 'must be above 0').max(100, 'is a percentage (at most 100)').default(50),
  // Tables with fewer rows (pg_class.reltuples) get no index.
  minTableRows: z.number().int().min(0).default(10_000),
  // Statements called fewer times in the load window are not analyzed...
  minCalls: z.number().int().min(1).default(5),
  // ...nor those faster on average, or taking less time in all over the window (ms).
  minMeanMs: z.number().min(0).default(0),
  minTotalMs: z.number().min(0).default(0),
  // N+1: a statement of one fingerprint run at least this many times per request.
  nPlusOneMinCallsPerRequest: z.number().positive().default(5),
  // Only statements touching these tables (`table`, `schema.table`, `*` wildcards); empty: all.
  includeTables: z.array(sqlName.min(1)).default([]),
  // Statements touching these tables are ignored.
  excludeTables: z.array(sqlName.min(1)).default([]),
  // Run EXPLAIN (ANALYZE, BUFFERS) on the top parameterless SELECTs (READ ONLY, statement_timeout) and
  // add the actual time, rows and buffers to the evidence. Off by default: it executes the statements.
  explainAnalyze: z.boolean().default(false),
  // Statements with real values (e.g. from the application's log), each an instance of a statement
  // of the window (matched by fingerprint). Their custom plans (EXPLAIN, not run) go next to the
  // generic plans in the evidence, before and with the proposed index; with explainAnalyze, a sample
  // of a SELECT is also run with EXPLAIN ANALYZE (READ ONLY). Writes are never run.
  sampleQueries: z.array(z.string().min(1).max(20_000, 'a sample query is at most 20,000 characters')).max(200).default([]),
  // Query rewrites for what no index fixes (a count over joins that cannot change it, a deep OFFSET page):
  // each proposal is run with its rewrite on the real data (READ ONLY, statement_timeout) to measure the
  // saving and prove the same result. Off by default: it executes the heaviest SELECTs.
  rewrites: z.boolean().default(false),
  // OFFSET pagination is flagged from this many skipped rows on.
  rewriteMinOffset: z.number().int().min(1).default(1000),
  // Tables with at least this many rows (reltuples) that dominate the window's sequential-scan reads
  // get an architectural partitioning finding (tier T4).
  partitionMinRows: z.number().int().min(1).default(10_000_000),
  // An index that looks unused is proposed for dropping only once the scan counters have run this many days
  // (since pg_stat_database.stats_reset, or the server's start); before that, advice to re-check. 0: any age.
  minCounterAgeDays: z.number().min(0, 'is a number of days (0 or more; 0 judges scan counters of any age)').default(7),
  // Candidates whose window savings are within this percentage of the best one are a near tie: the one whose plan
  // removes a sort at the statement's real LIMIT or a heap fetch wins, else the smaller index.
  tieMarginPct: z.number().min(0).lt(100, 'is a percentage (below 100)').default(2),
  // GIN/GiST index candidates (jsonb @>, arrays &&, full text, trigram ILIKE, ranges): hypopg cannot model
  // them, so with `enabled` each is verified on a sample of its table (at most maxRows rows copied into
  // a TEMPORARY table in a transaction that is rolled back, bounded by timeoutMs). Off: proposed unverified.
  sampleVerify: z
    .strictObject({
      enabled: z.boolean().default(false),
      maxRows: z.number().int().min(100, 'at least 100 rows').max(10_000_000, 'at most 10,000,000 rows').default(100_000),
      timeoutMs: z.number().int().min(100, 'at least 100 ms').max(600_000, 'at most 600,000 ms (10 minutes)').default(10_000),
    })
    .optional(),
});
export type DatabaseAdvisorProfile = z.infer<typeof DatabaseAdvisorSchema>;
