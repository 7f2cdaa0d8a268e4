// All the database analyzer's I/O: the window's statements from the store, the extensions, the
// index advisor (the planner with hypothetical indexes answers its what-if questions), sample plans,
// opt-in EXPLAIN ANALYZE, and the catalog's health snapshot. It gathers; analyze.ts decides.
import type { Pool } from 'pg';
import type { TargetProfile } from '../../../common/profile';
import type { AttributionResult } from '../../../common/endpoint-attribution';
import type { DatabaseProfile } from '../../../common/types';
import { activityContext } from '../../activity-context';
import { prepareHypopg, type HypopgStatus } from '../../postgres/hypopg';
import { ensureParser, parserProblem } from '../../postgres/sql-parse';
import { statementCacheFigures, type DatabaseWindow, type StatementDelta } from '../../postgres/statistics';
import { loadArtifact } from '../../store/artifacts';
import type { ValueSample } from '../../postgres/value-samples';
import type { Collected } from '../skill';
import { adviseIndexes, type AdvisorResult, type TableWrites } from './advisor';
import { explainAnalyzeTop } from './explain-analyze';
import { extensionStates, usable, type ExtensionStates } from '../../postgres/extensions';
import type { DatabaseEvidence } from './findings';
import { collectHealth, type HealthWindow } from './health';
import type { AnalyzerOptions } from './options';
import { readQualstats, type QualStat } from './qualstats';
import { matchSamples, planSamples, type SamplesByQueryid } from './sample-queries';
import { collectRewrites } from './rewrites';
import { filterStatements } from './workload';
import { loadEndpointStatements } from './orm-n-plus-one/endpoints';

function heartbeat(details: unknown): void {
  activityContext()?.heartbeat(details);
}

/** The profile's window: every statement with its figures, table counters, activity samples. */
async function loadWindow(store: Pool | undefined, profile: DatabaseProfile, notes: string[]): Promise<DatabaseWindow | null> {
  if (!profile.windowArtifactId || !store) return null;
  try {
    return await loadArtifact<DatabaseWindow>(store, profile.windowArtifactId);
  } catch (err) {
    notes.push(
      `the window's figures (${profile.windowArtifactId}) could not be loaded (${(err as Error).message}); only the top statements are analyzed`,
    );
    return null;
  }
}

/** The window's value samples with where each was seen, pg_stat_activity's first (at most 3 per statement are planned). */
function windowValueSamples(window: DatabaseWindow | null): ValueSample[] {
  return [
    ...(window?.valueSamples ?? []).map((text) => ({ text, source: 'activity' as const })),
    ...(window?.logValueSamples ?? []).map((text) => ({ text, source: 'log' as const })),
  ];
}

function topStatementsOnly(profile: DatabaseProfile): StatementDelta[] {
  return profile.topStatements.map((s) => ({
    queryid: s.queryid,
    query: s.query,
    calls: s.calls,
    totalMs: s.totalMs,
    rows: s.rows,
    sharedBlksHit: 0,
    sharedBlksRead: 0,
  }));
}

/** hypopg verifies the advice; pg_qualstats adds the predicates really evaluated. */
async function readExtensions(pool: Pool, statements: StatementDelta[], opts: AnalyzerOptions, notes: string[]) {
  const hypopg = await prepareHypopg(pool, opts.installHypopg);
  if (hypopg.note) notes.push(hypopg.note);
  let ext: ExtensionStates | null = null;
  try {
    ext = await extensionStates(pool);
  } catch (err) {
    notes.push(`extensions could not be listed: ${(err as Error).message}`);
  }
  const qualstatsState = ext?.states.find((e) => e.name === 'pg_qualstats');
  let qualstats: QualStat[] = [];
  if (qualstatsState && usable(qualstatsState) && qualstatsState.schema) {
    try {
      qualstats = await readQualstats(
        pool,
        qualstatsState.schema,
        statements.map((s) => s.queryid),
      );
    } catch (err) {
      notes.push(`pg_qualstats could not be read: ${(err as Error).message}`);
    }
  }
  return { hypopg, ext, qualstats };
}

function tableWrites(window: DatabaseWindow | null): TableWrites[] | undefined {
  return window?.tables?.map((t) => ({
    schema: t.schema,
    table: t.table,
    inserted: t.nTupIns,
    updated: t.nTupUpd,
    hotUpdated: t.nTupHotUpd,
    deleted: t.nTupDel,
  }));
}

interface AdvisorEvidence {
  advisor: AdvisorResult | null;
  samplePlans: DatabaseEvidence['samplePlans'];
  actual: DatabaseEvidence['actual'];
}

/** Sample queries: custom plans with real values next to the generic plans (EXPLAIN only). */
async function planSampleQueries(
  pool: Pool,
  hypopg: HypopgStatus,
  advisor: AdvisorResult,
  samples: SamplesByQueryid,
  opts: AnalyzerOptions,
  notes: string[],
) {
  if (samples.size === 0) return {};
  try {
    const plans = await planSamples(
      pool,
      hypopg.schema,
      advisor.recommendations,
      samples,
      { statementTimeout: opts.statementTimeout },
      notes,
    );
    return Object.fromEntries(plans);
  } catch (err) {
    notes.push(`the sample queries could not be planned: ${(err as Error).message}`);
    return {};
  }
}

/** EXPLAIN ANALYZE only on request, only SELECTs without parameters or with a sample (see explain-analyze.ts). */
async function explainAnalyze(pool: Pool, statements: StatementDelta[], samples: SamplesByQueryid, opts: AnalyzerOptions, notes: string[]) {
  if (!opts.explainAnalyze) return {};
  try {
    const ea = await explainAnalyzeTop(pool, statements, { max: opts.explainAnalyzeMax, statementTimeout: opts.statementTimeout }, samples);
    notes.push(...ea.notes);
    return Object.fromEntries(ea.figures);
  } catch (err) {
    notes.push(`EXPLAIN ANALYZE failed: ${(err as Error).message}`);
    return {};
  }
}

/** The candidates with a gain that were not proposed, in one line: the evidence holds them all. */
function rejectedNote(rejected: AdvisorResult['rejected']): string {
  const shown = rejected.slice(0, 3).map((r) => `${r.candidate}: ${r.reason}`);
  const more = rejected.length > 3 ? `; ${rejected.length - 3} more in the stored evidence` : '';
  return `${rejected.length} candidate index${rejected.length > 1 ? 'es' : ''} with a gain not proposed (${shown.join('; ')}${more})`;
}

/** Indexes, workload-wide; then the sample plans and EXPLAIN ANALYZE of what they serve. */
async function runAdvisor(
  pool: Pool,
  target: TargetProfile,
  statements: StatementDelta[],
  window: DatabaseWindow | null,
  hypopg: HypopgStatus,
  opts: AnalyzerOptions,
  notes: string[],
): Promise<AdvisorEvidence> {
  heartbeat({ phase: 'advisor', statements: statements.length });
  try {
    const advisor = await adviseIndexes(
      pool,
      {
        statements,
        schemas: target.database?.schemas ?? ['public'],
        tableWrites: tableWrites(window),
        samples: windowValueSamples(window),
      },
      { hypopgSchema: hypopg.schema, heartbeat },
      {
        minTableRows: opts.minTableRows,
        minPlanCost: opts.minPlanCost,
        minSavingFraction: opts.minSavingFraction,
        unverifiedSavingFraction: opts.unverifiedSavingFraction,
        ...opts.advisor,
        planner: { statementTimeout: opts.statementTimeout, ...(opts.advisor.planner ?? {}) },
      },
    );
    notes.push(...advisor.notes);
    if (advisor.rejected.length > 0) notes.push(rejectedNote(advisor.rejected));
    const samples = matchSamples(opts.sampleQueries, statements, notes);
    const samplePlans = await planSampleQueries(pool, hypopg, advisor, samples, opts, notes);
    const actual = await explainAnalyze(pool, statements, samples, opts, notes);
    return { advisor, samplePlans, actual };
  } catch (err) {
    notes.push(`the index advisor failed: ${(err as Error).message}`);
    return { advisor: null, samplePlans: {}, actual: {} };
  }
}

/** Query rewrites on request: proposed, then measured and proven with the statement's values (rewrites/). */
async function readRewrites(pool: Pool, target: TargetProfile, statements: StatementDelta[], opts: AnalyzerOptions, notes: string[]) {
  if (!opts.rewrites) return undefined;
  heartbeat({ phase: 'rewrites' });
  try {
    const samples = matchSamples(opts.sampleQueries, statements, []);
    const limits = {
      statementTimeout: opts.statementTimeout,
      lockTimeout: '1s',
      max: opts.rewritesMax,
      minOffset: opts.rewriteMinOffset,
      wideMinWidth: opts.rewriteWideMinWidth,
      wideMinRowsPerCall: opts.rewriteWideMinRowsPerCall,
    };
    return await collectRewrites(pool, statements, samples, { ...limits, schemas: target.database?.schemas ?? ['public'] }, notes);
  } catch (err) {
    notes.push(`query rewrites failed: ${(err as Error).message}`);
    return undefined;
  }
}

async function readHealth(pool: Pool, target: TargetProfile, window: DatabaseWindow | null, opts: AnalyzerOptions, notes: string[]) {
  if (!opts.healthChecks) return null;
  heartbeat({ phase: 'health' });
  try {
    const snapshot = await collectHealth(pool, target.database?.schemas ?? ['public']);
    const w: HealthWindow | null = window
      ? {
          tables: window.tables,
          activity: window.activity,
          cache: statementCacheFigures(window.statements),
          statements: window.statements.map((s) => ({ query: s.query, totalMs: s.totalMs, calls: s.calls })),
        }
      : null;
    if (!window) notes.push('health checks without the window figures: activity, cache and scan checks use the cumulative statistics');
    return { snapshot, window: w };
  } catch (err) {
    notes.push(`health checks failed: ${(err as Error).message}`);
    return null;
  }
}

/** Gathers the evidence of one analysis; `store` lets it read the profile's window. */
export async function collectDatabaseEvidence(
  pool: Pool,
  target: TargetProfile,
  profile: DatabaseProfile,
  opts: AnalyzerOptions,
  store?: Pool,
  attribution?: AttributionResult | null,
): Promise<Collected<DatabaseEvidence>> {
  const notes: string[] = [];
  if (!(await ensureParser())) notes.push(`the SQL parser could not be loaded (${parserProblem()}); N+1 detection falls back on patterns`);
  const window = await loadWindow(store, profile, notes);
  const windowRequests = window?.windowRequests ?? profile.windowRequests;
  const statements = filterStatements(window ? window.statements : topStatementsOnly(profile), opts, notes);
  const { hypopg, ext, qualstats } = await readExtensions(pool, statements, opts, notes);
  const { advisor, samplePlans, actual } = await runAdvisor(pool, target, statements, window, hypopg, opts, notes);
  // Rewrites rank by total time alone: a heavy statement called a few times in a short window still costs its endpoint.
  const rewriteCandidates = opts.rewrites
    ? filterStatements(window ? window.statements : topStatementsOnly(profile), { ...opts, minCalls: 1 }, [])
    : [];
  const rewrites = await readRewrites(pool, target, rewriteCandidates, opts, notes);
  const health = await readHealth(pool, target, window, opts, notes);
  const endpoints = await loadEndpointStatements(store, attribution, notes);
  const extensions =
    opts.reportMissingExtensions && ext
      ? { states: ext.states.filter((e) => e.name !== 'pg_stat_statements'), preload: ext.preload, database: ext.database }
      : null;
  return {
    evidence: {
      windowRequests,
      statements,
      advisor,
      qualstats,
      samplePlans,
      actual,
      ...(rewrites ? { rewrites } : {}),
      health,
      extensions,
      endpoints,
    },
    notes,
  };
}
