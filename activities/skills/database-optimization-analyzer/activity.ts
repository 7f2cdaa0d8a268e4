// The database-optimization-analyzer skill: over the load window's statements, a workload-wide index
// advisor (PostgreSQL's parser + generic plans + hypopg, greedy choice with write costs), N+1 lookups,
// health checks (PgHero's list and more) and the extensions that would deepen the analysis. Every
// finding has evidence, an estimate, effort, risk, an action (CREATE INDEX CONCURRENTLY; DROP INDEX
// CONCURRENTLY of an unused or duplicate index, approved by id only; everything else is a manual
// step) and its rollback.
import type { Pool } from 'pg';
import type { AttributionResult } from '../../../common/endpoint-attribution';
import type { TargetProfile } from '../../../common/profile';
import type { DatabaseProfile, Finding } from '../../../common/types';
import type { Skill } from '../skill';
import type { AdvisorResult } from './advisor';
import { analyzeDatabaseEvidence } from './analyze';
import { collectDatabaseEvidence } from './collect';
import { SOURCE, type DatabaseEvidence } from './findings';
import { analyzerOptionsFor, type AnalyzerOptions } from './options';

export const databaseOptimizationAnalyzer: Skill<AnalyzerOptions, DatabaseEvidence> = {
  name: SOURCE,
  skip: ({ target, profiling }) =>
    !target.database
      ? `target ${target.name} has no database section`
      : !profiling.database?.available
        ? 'database profile not available: nothing to analyze'
        : null,
  options: (target) => analyzerOptionsFor(target),
  collect: (deps, { target, profiling }, options) =>
    collectDatabaseEvidence(deps.connections.database(target), target, profiling.database!, options, deps.store, profiling.attribution),
  analyze: (evidence, options, { target }) => analyzeDatabaseEvidence(evidence, options, target),
  figures: (e) => ({
    statements: e.statements.length,
    windowRequests: e.windowRequests,
    indexesProposed: e.advisor?.recommendations.length ?? null,
    candidatesEvaluated: e.advisor?.stats.evaluations ?? null,
    hypopg: e.advisor?.hypopg ?? false,
    healthChecked: e.health !== null,
  }),
};

/** The same analysis outside an activity (tests, scripts): collect, then analyze. */
export async function analyzeDatabase(
  pool: Pool,
  target: TargetProfile,
  profile: DatabaseProfile,
  options: Partial<AnalyzerOptions> = {},
  ctx: { store?: Pool; attribution?: AttributionResult | null } = {},
): Promise<{ findings: Finding[]; notes: string[]; advisor: AdvisorResult | null }> {
  if (!profile.available) return { findings: [], notes: ['database profile not available: nothing to analyze'], advisor: null };
  const opts = analyzerOptionsFor(target, options);
  const { evidence, notes } = await collectDatabaseEvidence(pool, target, profile, opts, ctx.store, ctx.attribution);
  const analysis = analyzeDatabaseEvidence(evidence, opts, target);
  return { findings: analysis.findings, notes: [...notes, ...analysis.notes], advisor: evidence.advisor };
}
