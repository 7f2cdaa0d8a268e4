// The advisor's input and result: the workload's statements and table writes, the recommendations
// with their evidence, and the figures of a run.
import type { IndexColumn } from '../../../postgres/index-model';
import type { IndexMethod } from '../../../../common/index-keys';
import type { PlannerStats } from '../../../postgres/planner';
import type { ValueSample, ValueSampleSource } from '../../../postgres/value-samples';

export interface WorkloadStatement {
  queryid: string;
  query: string; // normalized text ($1 parameters), as pg_stat_statements shows it
  calls: number;
  totalMs: number;
  rows: number;
}

/** Rows written to a table during the window (pg_stat_user_tables deltas). */
export interface TableWrites {
  schema: string;
  table: string;
  inserted: number;
  updated: number;
  hotUpdated: number;
  deleted: number;
}

export interface AdvisorInput {
  statements: WorkloadStatement[];
  /**
   * Literal-bearing instances of the statements (e.g. from pg_stat_activity): matched by fingerprint,
   * a few value sets per statement are costed with custom plans too. They may hold personal data:
   * planned only, never copied into the result.
   */
  samples?: (string | ValueSample)[];
  schemas: string[];
  tableWrites?: TableWrites[];
}

export interface ServedStatement {
  queryids: string[];
  query: string;
  calls: number;
  totalMs: number;
  rows: number;
  costBefore: number;
  costAfter: number;
  planBefore: string;
  planAfter: string;
  /** Verified by sample: the generic plan's cost on the sampled TEMPORARY table without and with the index. */
  sampleCosts?: { before: number; after: number };
  /** Which plan shapes showed the saving (saving in %, whether the plans use the index). */
  planShapes?: {
    generic: { savingPct: number; used: boolean };
    /** sources: where the planned value sets were seen (absent in results recorded before: pg_stat_activity). */
    custom: { savingPct: number; used: boolean; samples: number; sources?: ValueSampleSource[] } | null;
  };
}

export interface IndexRecommendation {
  schema: string;
  table: string;
  reltuples: number;
  /** Absent: btree. */
  method?: IndexMethod;
  keys: IndexColumn[];
  eqCount: number;
  include: string[];
  verified: boolean;
  /** How it was verified: hypothetical index (hypopg), built on a sample of the table (GIN/GiST), or not at all. */
  verifiedBy?: 'hypopg' | 'sample' | null;
  /** verifiedBy 'sample': rows copied into the TEMPORARY table and the time the verification took. */
  sample?: { rows: number; ms: number };
  /** An extension to create in the database before the index can be built (pg_trgm for gin_trgm_ops). */
  needsExtension?: string;
  /** Window time saved (ms) over the statements that use it. */
  savedMs: number;
  writeCostMs: number;
  writes: { inserted: number; updated: number; hotUpdated: number; deleted: number } | null;
  /** The statements it serves, heaviest first (from the tail, only the heaviest few are listed). */
  statements: ServedStatement[];
  /** How many statements it serves in all. */
  statementCount: number;
  /** Why the columns are in this order (selectivity, sort, range). */
  columnNotes: string[];
}

export interface AdvisorStats {
  statementsIn: number;
  fingerprints: number;
  parseErrors: number;
  analyzable: number;
  planned: number;
  planErrors: number;
  belowMinCost: number;
  /** Below minPlanCost but measured at least slowMeanMs per call: analyzed anyway. */
  slowBelowMinCost: number;
  candidates: number;
  evaluations: number;
  /** Candidates never planned with all their statements because the choice did not need them. */
  lazyPending: number;
  ms: {
    parse: number;
    catalog: number;
    plan: number;
    evaluate: number;
    select: number;
    verify: number;
    tail: number;
    gin: number;
    total: number;
  };
  planner: PlannerStats;
  /** The streamed part beyond the detailedStatements heaviest (null when there was none). */
  tail: TailStats | null;
}

export interface TailStats {
  statements: number;
  /** Distinct fingerprints per batch, summed. */
  fingerprints: number;
  /** With a table access an index could serve. */
  analyzable: number;
  planned: number;
  belowMinCost: number;
  /** Tail statements the indexes chosen from the heavy statements serve. */
  served: number;
  evaluations: number;
  /** Distinct tail candidates with a saving, and whether the smallest were dropped to bound memory. */
  candidates: number;
  pruned: boolean;
}

export interface AdvisorResult {
  recommendations: IndexRecommendation[];
  /** Candidates that had a gain but were not chosen, with the reason (write cost, thresholds). */
  rejected: { candidate: string; reason: string }[];
  notes: string[];
  stats: AdvisorStats;
  hypopg: boolean;
}
