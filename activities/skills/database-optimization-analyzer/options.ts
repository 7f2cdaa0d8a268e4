// The database analyzer's options: defaults, then the profile's `database.advisor` section (its zod
// schema, DatabaseAdvisorSchema, is in common/profile.ts: the CLI checks profiles before a run
// starts), then explicit overrides (tests, scripts).
import type { TargetProfile } from '../../../common/profile';
import { DEFAULT_ADVISOR_OPTIONS, type AdvisorOptions } from './advisor';
import { healthOptionsFrom, type HealthOptions } from './health';

export interface AnalyzerOptions {
  /** A table needs more rows than this (pg_class.reltuples) to get an index. */
  minTableRows: number;
  /** Dexter's anchors: the statement's generic plan must cost at least this... */
  minPlanCost: number;
  /** ...and the index must cut the cost by at least this fraction. */
  minSavingFraction: number;
  /** Saving assumed for an index that could not be verified (no hypopg). */
  unverifiedSavingFraction: number;
  nPlusOneMinCallsPerRequest: number;
  nPlusOneMaxRowsPerCall: number;
  /** statement_timeout of each planning transaction. */
  statementTimeout: string;
  /** CREATE EXTENSION hypopg when it is available but not created (it only adds functions). */
  installHypopg: boolean;
  /** Workload filters (the window's figures): statements called fewer times are ignored... */
  minCalls: number;
  /** ...or faster on average (ms)... */
  minMeanMs: number;
  /** ...or taking less time in total (ms). */
  minTotalMs: number;
  /** Only statements touching one of these tables (`table`, `schema.table`, `*` wildcards); empty: all. */
  includeTables: string[];
  /** Statements touching one of these tables are ignored. */
  excludeTables: string[];
  /** At most this many statements (by window time) are analyzed. */
  maxStatements: number;
  /** The index advisor's other options (candidates, greedy choice, write cost, parallelism). */
  advisor: Partial<AdvisorOptions>;
  healthChecks: boolean;
  health: Partial<HealthOptions>;
  reportMissingExtensions: boolean;
  /** EXPLAIN (ANALYZE, BUFFERS) the top parameterless SELECTs (READ ONLY, statement_timeout): it runs them. */
  explainAnalyze: boolean;
  /** At most this many statements (by window time) are run with EXPLAIN ANALYZE. */
  explainAnalyzeMax: number;
  /** Statements with real values, matched to the window's statements by fingerprint (sample-queries.ts). */
  sampleQueries: string[];
  /** Query rewrites (rewrites/): proposes them, and runs each with its rewrite (READ ONLY, statement_timeout) to measure and prove it. */
  rewrites: boolean;
  /** At most this many statements (by window time; the calls filter does not apply) are examined for a rewrite; only those with one are run. */
  rewritesMax: number;
  /** OFFSET pagination is flagged from this many skipped rows on. */
  rewriteMinOffset: number;
  /** A measured rewrite saving less than this percentage of the statement's time is a note, not a finding. */
  rewriteMinSavingPct: number;
  /** ...or less than this many ms per call (sub-millisecond differences are noise). */
  rewriteMinSavingMs: number;
  /** wide_columns: a column is wide from this many bytes per value (pg_stats.avg_width, or the stored size when TOASTed)... */
  rewriteWideMinWidth: number;
  /** ...in a statement returning at least this many rows per call (a list). */
  rewriteWideMinRowsPerCall: number;
}

export const DEFAULT_ANALYZER_OPTIONS: AnalyzerOptions = {
  minTableRows: DEFAULT_ADVISOR_OPTIONS.minTableRows,
  minPlanCost: DEFAULT_ADVISOR_OPTIONS.minPlanCost,
  minSavingFraction: DEFAULT_ADVISOR_OPTIONS.minSavingFraction,
  unverifiedSavingFraction: DEFAULT_ADVISOR_OPTIONS.unverifiedSavingFraction,
  nPlusOneMinCallsPerRequest: 5,
  nPlusOneMaxRowsPerCall: 10,
  statementTimeout: '5s',
  installHypopg: true,
  minCalls: 5,
  minMeanMs: 0,
  minTotalMs: 0,
  includeTables: [],
  excludeTables: [],
  maxStatements: 10_000,
  advisor: {},
  healthChecks: true,
  health: {},
  reportMissingExtensions: true,
  explainAnalyze: false,
  explainAnalyzeMax: 10,
  sampleQueries: [],
  rewrites: false,
  rewritesMax: 50,
  rewriteMinOffset: 1000,
  rewriteMinSavingPct: 20,
  rewriteMinSavingMs: 1,
  rewriteWideMinWidth: 500,
  rewriteWideMinRowsPerCall: 10,
};

/** The options a target profile sets (`database.advisor`), over the defaults; explicit options win. */
export function analyzerOptionsFor(target: TargetProfile, options: Partial<AnalyzerOptions> = {}): AnalyzerOptions {
  const a = target.database?.advisor;
  const fromProfile: Partial<AnalyzerOptions> = a
    ? {
        minPlanCost: a.minPlanCost,
        minSavingFraction: a.minSavingPct / 100,
        minTableRows: a.minTableRows,
        minCalls: a.minCalls,
        minMeanMs: a.minMeanMs,
        minTotalMs: a.minTotalMs,
        nPlusOneMinCallsPerRequest: a.nPlusOneMinCallsPerRequest,
        includeTables: a.includeTables,
        excludeTables: a.excludeTables,
        explainAnalyze: a.explainAnalyze,
        sampleQueries: a.sampleQueries,
        rewrites: a.rewrites,
        rewriteMinOffset: a.rewriteMinOffset,
      }
    : {};
  const health: Partial<HealthOptions> = {
    ...(a ? { partitionMinRows: a.partitionMinRows, minCounterAgeDays: a.minCounterAgeDays } : {}),
    ...(options.health ?? {}),
  };
  healthOptionsFrom(health); // a bad explicit value fails here, naming the field, not later as a note of the health checks
  const advisor: Partial<AdvisorOptions> = {
    ...(a ? { tieMargin: a.tieMarginPct / 100, slowMeanMs: a.slowMeanMs } : {}),
    ...(a?.sampleVerify ? { sampleVerify: a.sampleVerify } : {}),
    ...(options.advisor ?? {}),
  };
  return { ...DEFAULT_ANALYZER_OPTIONS, ...fromProfile, ...options, health, advisor };
}
