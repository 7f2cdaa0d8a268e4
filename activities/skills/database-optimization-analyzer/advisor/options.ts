// The advisor's options and their defaults.
import type { PlannerOptions } from '../../../postgres/planner';
import { DEFAULT_SAMPLE_VERIFY, type SampleVerifyOptions } from './sample-verify';

export interface AdvisorOptions {
  /** Tables with fewer rows than this (pg_class.reltuples) get no index. */
  minTableRows: number;
  /** Dexter's anchors: a statement's generic plan must cost at least this... */
  minPlanCost: number;
  /** ...and an index must cut it by at least this fraction to count for that statement. */
  minSavingFraction: number;
  /** A statement measured at least this slow per call (ms) is analyzed whatever its plan costs (cost-gate.ts). */
  slowMeanMs: number;
  /** Saving assumed for an unverified proposal (no hypopg). */
  unverifiedSavingFraction: number;
  maxKeyColumns: number;
  maxIncludeColumns: number;
  /** Summed average width (bytes, pg_stats) the INCLUDE columns may have. */
  maxIncludeWidth: number;
  /** An INCLUDE variant must save this much more window time than the same keys without INCLUDE. */
  includeMinExtraGain: number;
  /**
   * Candidates whose net window savings are within this fraction of the best one are a tie: the one that
   * removes a sort at the statement's real LIMIT or a heap fetch wins, else the smaller (tie-break.ts).
   */
  tieMargin: number;
  /** With other indexes (on other tables) an index counts for a statement if it cuts at least this fraction of its cost. */
  minMarginalSavingFraction: number;
  maxIndexesPerTable: number;
  maxNewIndexes: number;
  /** Index maintenance cost per written row, in ms (measured ~0.002-0.003 ms on this machine's PostgreSQL 15 for a 2-column btree; 0.01 is conservative). */
  indexWriteCostMsPerRow: number;
  /** A chosen index must save at least this many ms of window time net of its write cost. */
  minNetGainMs: number;
  /** Also plan UPDATE/DELETE (their WHERE clauses; EXPLAIN only, never executed). */
  planWrites: boolean;
  /** Planning sessions used in parallel (each one connection). */
  parallelism: number;
  /** Upper bound of hypothetical plans, to bound the analysis time on huge workloads. */
  maxEvaluations: number;
  /**
   * The heaviest statements (by window time) analyzed together, workload-wide; the others are streamed
   * in batches of tailBatchStatements with only totals kept (tail-batches.ts), so memory stays flat.
   */
  detailedStatements: number;
  tailBatchStatements: number;
  planner: Partial<PlannerOptions>;
  /**
   * GIN/GiST candidates (hypopg cannot model them): verify each on a sample of its table copied into a
   * TEMPORARY table in a rolled-back transaction (sample-verify.ts). Off: they are proposed unverified.
   */
  sampleVerify: SampleVerifyOptions;
}

export const DEFAULT_ADVISOR_OPTIONS: AdvisorOptions = {
  minTableRows: 10_000,
  minPlanCost: 100,
  minSavingFraction: 0.5,
  slowMeanMs: 5,
  unverifiedSavingFraction: 0.5,
  maxKeyColumns: 3,
  maxIncludeColumns: 3,
  maxIncludeWidth: 64,
  includeMinExtraGain: 0.2,
  tieMargin: 0.02,
  minMarginalSavingFraction: 0.1,
  maxIndexesPerTable: 3,
  maxNewIndexes: 10,
  indexWriteCostMsPerRow: 0.01,
  minNetGainMs: 0,
  planWrites: true,
  parallelism: 2,
  maxEvaluations: 200_000,
  detailedStatements: 2000,
  tailBatchStatements: 500,
  planner: {},
  sampleVerify: DEFAULT_SAMPLE_VERIFY,
};
