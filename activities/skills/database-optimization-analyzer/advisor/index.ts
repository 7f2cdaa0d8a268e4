// The workload-wide index advisor, a pipeline of steps (one module each) that share the run's state:
//
//  1. workload.ts: the heaviest statements (window time) are analyzed together, the rest (the tail) is
//     streamed; every statement is parsed with PostgreSQL's parser for the tables and writes;
//  2. tables.ts, candidates.ts: resolve relations and columns against the catalog; group the
//     statements by fingerprint; per table access, derive candidate indexes from equality/IN/IS NULL
//     predicates (ordered by selectivity from pg_stats), a range, ORDER BY (+LIMIT) keys and join keys,
//     with covering INCLUDE variants, and shared-prefix variants that one index can serve for several
//     statements; drop candidates an existing index already serves (prefix coverage); expression keys
//     (lower(email) = $1) and prefix-pattern keys (LIKE 'abc%': a pattern operator class unless the
//     collation is C) come from expression-keys.ts, and expression-check.ts drops the expressions
//     PostgreSQL refuses in an index (not immutable) before planning;
//  3. baseline-plans.ts: plan every statement that has a candidate (generic plan) and keep those that
//     cost >= minPlanCost;
//  4. evaluate.ts: with hypopg, plan each relevant statement again with each candidate as a
//     hypothetical index;
//  5. select.ts, greedy.ts: choose a small set greedily by window time saved (statement time x cost
//     saving, only where the statement's plan uses the index and saves >= minSavingFraction) minus the
//     index's write cost (the table's inserted/non-HOT updated rows in the window x a per-row cost);
//     tie-break.ts: in a near tie (net savings within tieMargin) the candidate whose plan removes a sort
//     at the statement's real LIMIT or a heap fetch wins, else the smaller index;
//     combinations.ts: statements only indexes on several tables together serve; or-sets.ts,
//     or-set-choice.ts: ORs over different columns, one index per branch (a BitmapOr), chosen as a set;
//  6. verify.ts: verify the chosen set together (every statement re-planned with all of them at once);
//  7. tail.ts, tail-batches.ts: the tail, streamed in batches against the chosen indexes;
//  8. gin-proposals.ts: GIN/GiST candidates for @> ? && @@ % and LIKE '%x%' (hypopg cannot model them),
//     verified on a sample of the table with the sampleVerify option (sample-verify.ts), else unverified.
// Without hypopg, steps 4-6 fall back on unverified proposals (unverified.ts) for statements whose plan
// scans the table sequentially, and the tail is not analyzed. Nothing here writes to the database
// (the sample verification's TEMPORARY table and index are the session's own and rolled back).
import type { Pool } from 'pg';
import { addPlannerStats, type GenericPlanner } from '../../../postgres/planner';
import { ensureParser, parserProblem } from '../../../postgres/sql-parse';
import { openSessions, planBaseline } from './baseline-plans';
import { collectCandidates } from './candidates';
import { tryCombinations } from './combinations';
import { evaluateAlone, newEvaluation } from './evaluate';
import { ginProposals } from './gin-proposals';
import { dropRefusedExpressions } from './expression-check';
import type { AdvisorOptions } from './options';
import { finishOrSets, tryOrSets } from './or-set-choice';
import { finishRun, phase, startRun, type AdvisorContext } from './run';
import { selectIndexes } from './select';
import { loadTables } from './tables';
import { streamTail } from './tail';
import type { AdvisorInput, AdvisorResult, IndexRecommendation } from './types';
import { unverifiedProposals } from './unverified';
import { verifyTogether } from './verify';
import { scanWorkload, splitByWeight } from './workload';

export type {
  AdvisorInput,
  AdvisorResult,
  AdvisorStats,
  IndexRecommendation,
  ServedStatement,
  TableWrites,
  TailStats,
  WorkloadStatement,
} from './types';
export { DEFAULT_ADVISOR_OPTIONS, type AdvisorOptions } from './options';
export type { AdvisorContext } from './run';
export { NO_SEQ_SCANS, accessSignature, accessesOf, newStmt, rowsPerCall, tableKey, type Access, type Stmt } from './statement';
export { candidatesFor } from './candidates';
export { writeCostMs } from './tables';
export { inParallel } from './parallel';
export { recommendation, servedStatement } from './recommendation';
export { greedySelect, type EvalCandidate, type EvalResult, type EvalStatement, type GreedyChoice, type GreedyOptions } from './greedy';
export { combinationsToTry } from './combinations';
export { orSetNote, orSetsFor, type OrSet } from './or-sets';
export { splitByWeight } from './workload';

export async function adviseIndexes(
  pool: Pool,
  input: AdvisorInput,
  ctx: AdvisorContext,
  options: Partial<AdvisorOptions> = {},
): Promise<AdvisorResult> {
  const run = startRun(pool, input, ctx, options);
  if (!(await ensureParser())) {
    run.notes.push(`the SQL parser (libpg-query) could not be loaded (${parserProblem()}); no index advice`);
    return finishRun(run, []);
  }
  // The heaviest statements (window time) are analyzed together; the rest, the tail, is streamed.
  const split = splitByWeight(input.statements, run.opts.detailedStatements);
  const scan = await phase(run, 'parse', () => scanWorkload(run));
  const { tables, workload } = await phase(run, 'catalog', async () => {
    const tables = await loadTables(run, scan);
    return { tables, workload: collectCandidates(run, split.detailed, tables) };
  });
  const sessions: GenericPlanner[] = [];
  try {
    const planned = await phase(run, 'plan', async () => {
      await openSessions(run, sessions);
      await dropRefusedExpressions(run, sessions[0], workload);
      return planBaseline(run, sessions, workload.stmts);
    });
    const ev = newEvaluation(run, sessions, tables, workload, planned);
    let recs: IndexRecommendation[];
    if (ctx.hypopgSchema) {
      await phase(run, 'evaluate', () => evaluateAlone(ev));
      const selection = await phase(run, 'select', () => selectIndexes(ev));
      await tryCombinations(ev, selection);
      const orSets = await tryOrSets(ev, selection, workload.orSets);
      recs = await phase(run, 'verify', () => verifyTogether(ev, selection.chosen));
      if (split.tail.length > 0) recs = await phase(run, 'tail', () => streamTail(ev, split, recs));
      recs = finishOrSets(recs, orSets, run.rejected);
    } else {
      recs = unverifiedProposals(ev, split);
    }
    recs.push(...(await phase(run, 'gin', () => ginProposals(run, sessions, tables, scan.gin, recs))));
    recs.sort((a, b) => b.savedMs - a.savedMs);
    for (const s of sessions) addPlannerStats(run.stats.planner, s.stats);
    return finishRun(run, recs);
  } finally {
    for (const s of sessions) await s.close();
  }
}
