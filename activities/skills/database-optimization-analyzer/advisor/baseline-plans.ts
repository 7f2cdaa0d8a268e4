// Generic plans before: the planning sessions are opened and every statement with a candidate is
// planned once; those that cost at least minPlanCost go on to the evaluation.
import { GenericPlanner } from '../../../postgres/planner';
import { costAt, costModel, planExcerpt, seqScannedRelations } from '../../../postgres/plan-walk';
import { gatePlanned } from './cost-gate';
import { planSamplesBefore } from './custom-plans';
import { inParallel } from './parallel';
import type { AdvisorRun } from './run';
import { rowsPerCall, type Stmt } from './statement';

/** Opens `parallelism` planning sessions into `sessions` (the caller closes them, also those opened before a failure). */
export async function openSessions(run: AdvisorRun, sessions: GenericPlanner[]): Promise<void> {
  for (let i = 0; i < Math.max(1, run.opts.parallelism); i++)
    sessions.push(await GenericPlanner.open(run.pool, run.ctx.hypopgSchema, run.opts.planner));
}

/** The planned statements that cost at least minPlanCost, by statement index. */
export async function planBaseline(run: AdvisorRun, sessions: GenericPlanner[], stmts: Stmt[]): Promise<Map<number, Stmt>> {
  const { ctx, opts, stats } = run;
  const byIdx = new Map<number, Stmt>();
  const planErrors: string[] = [];
  let done = 0;
  await inParallel(stmts, sessions.length, async (s, w) => {
    try {
      const plan = await sessions[w].explain(s.text, s.nParams, { verbose: true, paramTypes: s.paramTypes });
      s.beforeModel = costModel(plan);
      s.costBefore = costAt(s.beforeModel, rowsPerCall(s));
      const passes = gatePlanned(s, opts);
      await planSamplesBefore(sessions[w], s);
      stats.planned++;
      if (s.scansToEnd) stats.slowBelowMinCost++;
      if (passes) {
        // Plan excerpts are kept only for the statements of a proposal (re-planned in step 6, verify.ts, with
        // hypopg); without hypopg the unverified proposals need them and the sequential scans now.
        if (!ctx.hypopgSchema) {
          s.planBefore = planExcerpt(plan);
          s.seqScans = seqScannedRelations(plan);
        }
        byIdx.set(s.idx, s);
      } else stats.belowMinCost++;
    } catch (err) {
      stats.planErrors++;
      if (planErrors.length < 3) planErrors.push(`${s.queryids[0]}: ${(err as Error).message}`);
    }
    if (++done % 500 === 0) ctx.heartbeat?.({ phase: 'plan', done, of: stmts.length });
  });
  if (stats.planErrors > 0) run.notes.push(`${stats.planErrors} statements could not be planned (${planErrors.join('; ')})`);
  if (stats.belowMinCost > 0)
    run.notes.push(`${stats.belowMinCost} statements cost less than ${opts.minPlanCost} (plan cost): no index needed`);
  if (stats.slowBelowMinCost > 0)
    run.notes.push(
      `${stats.slowBelowMinCost} statements cost less than ${opts.minPlanCost} but took >= ${opts.slowMeanMs} ms per call: ` +
        'analyzed anyway, costed as reading to the end (a LIMIT in their plans looked like it stopped early; the time says it did not)',
    );
  return byIdx;
}
