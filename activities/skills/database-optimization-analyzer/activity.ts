// The database-optimization-analyzer skill: over the load window's statements, a workload-wide index
// advisor (PostgreSQL's parser + generic plans + hypopg, greedy choice with write costs), N+1 lookups,
// health checks (PgHero's list and more) and the extensions that would deepen the analysis. Every
// finding has evidence, an estimate, effort, risk, an action (CREATE INDEX CONCURRENTLY; DROP INDEX
// CONCURRENTLY of an unused or duplicate index, approved by id only; everything else is a manual
// step) and its rollback.
import { Context } from '@temporalio/activity';
import type { Pool } from 'pg';
import type { TargetProfile } from '../../../common/profile';
import type { ActionSpec, DatabaseProfile, Finding, StatementStat } from '../../../common/types';
import type { ActivityDeps } from '../../deps';
import { indexColumnList, indexNameFor, qualifiedName, quoteIdent, safeToken } from '../../postgres/sql-ident';
import { loadArtifact } from '../../store/artifacts';
import { statementCacheFigures, type DatabaseWindow, type StatementDelta } from '../../postgres/statistics';
import {
  adviseIndexes,
  DEFAULT_ADVISOR_OPTIONS,
  type AdvisorOptions,
  type AdvisorResult,
  type IndexRecommendation,
  type TableWrites,
} from './advisor';
import { extensionStates, missingExtensionsFinding, usable } from './extensions';
import { collectHealth } from './health';
import { DEFAULT_HEALTH_OPTIONS, healthFindings, type HealthOptions, type HealthWindow } from './health';
import { prepareHypopg } from '../../postgres/hypopg';
import { nPlusOneFindings, shorten } from './n-plus-one';
import { qualstatEvidence, readQualstats, type QualStat } from './qualstats';
import { ensureParser, parserProblem, tryParse } from '../../postgres/sql-parse';
import { actualEvidence, explainAnalyzeTop, type ActualFigures } from './explain-analyze';
import { matchSamples, planSamples, sampleEvidence, type SamplePlan } from './sample-queries';
import { round } from '../../../common/round';

export const SOURCE = 'database-optimization-analyzer';

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
      }
    : {};
  const health: Partial<HealthOptions> = { ...(a ? { partitionMinRows: a.partitionMinRows } : {}), ...(options.health ?? {}) };
  return { ...DEFAULT_ANALYZER_OPTIONS, ...fromProfile, ...options, health };
}

export interface AnalysisResult {
  findings: Finding[];
  /** Why statements or candidates were skipped; logged by the activity. */
  notes: string[];
  /** The advisor's figures (timings, counts, rejected candidates); null when it did not run. */
  advisor: AdvisorResult | null;
}

export interface DatabaseAnalyzerRequest {
  runId: string;
  target: TargetProfile;
  profile: DatabaseProfile;
}

function describeColumns(cols: { name: string; desc?: boolean }[]): string {
  return cols.map((c) => `${c.name}${c.desc ? ' DESC' : ''}`).join(', ');
}

function heartbeat(details: unknown): void {
  try {
    Context.current().heartbeat(details);
  } catch {
    // not running as an activity (tests, scripts, benchmarks)
  }
}

/** `orders`, `public.orders`, `audit_*`: matched against schema.table and table. */
export function tableMatcher(patterns: string[]): (schema: string | null, table: string) => boolean {
  const res = patterns.map(
    (p) =>
      new RegExp(
        `^${p
          .split('*')
          .map((x) => x.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
          .join('.*')}$`,
        'i',
      ),
  );
  return (schema, table) => res.some((re) => re.test(table) || (schema !== null && re.test(`${schema}.${table}`)));
}

/** The window's statements after the filters, largest total time first. */
export function filterStatements(statements: StatementDelta[], opts: AnalyzerOptions, notes: string[]): StatementDelta[] {
  const include = opts.includeTables.length ? tableMatcher(opts.includeTables) : null;
  const exclude = opts.excludeTables.length ? tableMatcher(opts.excludeTables) : null;
  let dropped = 0;
  const out = statements.filter((s) => {
    const keep = s.calls >= opts.minCalls && s.totalMs / Math.max(1, s.calls) >= opts.minMeanMs && s.totalMs >= opts.minTotalMs;
    if (!keep) {
      dropped++;
      return false;
    }
    if (!include && !exclude) return true;
    const parsed = tryParse(s.query, { fingerprint: false });
    if ('error' in parsed) return !include; // unknown tables: kept only without an include list
    const rels = parsed.facts.scopes.flatMap((sc) => sc.relations);
    if (parsed.facts.writeTarget) rels.push(parsed.facts.writeTarget);
    if (exclude && rels.some((r) => exclude(r.schema, r.name))) return false;
    if (include && !rels.some((r) => include(r.schema, r.name))) return false;
    return true;
  });
  if (dropped > 0) {
    notes.push(
      `${dropped} statements below the filters (calls >= ${opts.minCalls}, mean >= ${opts.minMeanMs} ms, total >= ${opts.minTotalMs} ms) were not analyzed`,
    );
  }
  out.sort((a, b) => b.totalMs - a.totalMs);
  if (out.length > opts.maxStatements) {
    notes.push(`${out.length - opts.maxStatements} statements beyond the ${opts.maxStatements} slowest in total were not analyzed`);
    out.length = opts.maxStatements;
  }
  return out;
}

function indexFinding(
  r: IndexRecommendation,
  target: TargetProfile,
  windowRequests: number,
  qual: QualStat[],
  opts: AnalyzerOptions,
  actual: Map<string, ActualFigures> = new Map(),
  samplePlans: Map<string, SamplePlan> = new Map(),
): Finding {
  const keyNames = r.keys.map((c) => c.name);
  const indexName = indexNameFor(r.table, r.include.length ? [...keyNames, 'inc', ...r.include] : keyNames);
  const columns = r.keys.map((c) => (c.desc ? { name: c.name, desc: true } : { name: c.name }));
  const include = r.include.length ? ` INCLUDE (${r.include.map(quoteIdent).join(', ')})` : '';
  const ddl = `CREATE INDEX CONCURRENTLY ${qualifiedName(r.schema, indexName)} ON ${qualifiedName(r.schema, r.table)} (${indexColumnList(columns)})${include}`;
  const perRequest = windowRequests > 0 ? r.savedMs / windowRequests : 0;
  const hypothetical = (s: string) => s.replace(/<\d+>btree_[A-Za-z0-9_]+/g, '(the proposed index)');
  const evidence: string[] = [
    r.verified
      ? `${r.statementCount} statement${r.statementCount > 1 ? 's' : ''} of the window ${r.statementCount > 1 ? 'use' : 'uses'} it: each was re-planned (generic plan) with it as a hypothetical index, verified with hypopg` +
        `; estimated ${round(r.savedMs, 1)} ms of database time saved over the window (${round(perRequest, 3)} ms per request)`
      : `NOT verified with hypopg (not available): the plan scans the table sequentially and the index matches its predicates; saving assumed ${round(opts.unverifiedSavingFraction * 100, 3)}% (${round(r.savedMs, 1)} ms over the window)`,
  ];
  for (const s of r.statements.slice(0, 3)) {
    const saving = s.costBefore > 0 ? (100 * (s.costBefore - s.costAfter)) / s.costBefore : 0;
    evidence.push(
      `statement (${s.calls} calls in the window, mean ${round(s.totalMs / Math.max(1, s.calls), 3)} ms${s.queryids.length > 1 ? `, ${s.queryids.length} texts with one fingerprint` : ''}): ${shorten(s.query, 200)}`,
      `plan before: ${s.planBefore}`,
    );
    if (r.verified) {
      evidence.push(
        `generic plan cost ${round(s.costBefore, 2)} -> ${round(s.costAfter, 2)} with the index (-${round(saving, 1)}%, verified with hypopg); plan after: ${hypothetical(s.planAfter)}`,
      );
    }
    for (const q of qual.filter((x) => s.queryids.includes(x.queryid) && x.table === r.table).slice(0, 2))
      evidence.push(qualstatEvidence(q));
    const sp = s.queryids.map((id) => samplePlans.get(id)).find((x) => x !== undefined);
    if (sp) evidence.push(sampleEvidence(sp, r));
    const a = s.queryids.map((id) => actual.get(id)).find((x) => x !== undefined);
    if (a) evidence.push(actualEvidence(a));
  }
  if (r.statementCount > 3) evidence.push(`... and ${r.statementCount - 3} more statements`);
  evidence.push(`column order: ${r.columnNotes.join('; ')}`);
  const wrote = r.writes && r.writes.inserted + r.writes.updated + r.writes.deleted > 0;
  evidence.push(
    wrote && r.writes
      ? `${r.schema}.${r.table} has ${Math.round(r.reltuples)} rows; writes in the window: ${r.writes.inserted} inserted, ${r.writes.updated} updated (${r.writes.hotUpdated} HOT), ${r.writes.deleted} deleted -> ` +
          `estimated index maintenance ${round(r.writeCostMs, 1)} ms, below the ${round(r.savedMs, 1)} ms saved`
      : `${r.schema}.${r.table} has ${Math.round(r.reltuples)} rows; no writes to it in the window`,
  );
  const verifyQueries = r.statements
    .map((s) => s.query)
    .filter((q) => q.length <= 2_000)
    .slice(0, 3);
  const action: ActionSpec =
    target.actions?.createIndexes === false
      ? { type: 'manual', steps: [`run: ${ddl}`, `then: ANALYZE ${qualifiedName(r.schema, r.table)}`] }
      : {
          type: 'create_index',
          schema: r.schema,
          table: r.table,
          columns,
          indexName,
          ...(r.include.length ? { include: r.include } : {}),
          ...(verifyQueries.length ? { verifyQueries } : {}),
        };
  const heavyWrites = r.writeCostMs > 0.25 * r.savedMs;
  return {
    id: `idx-${[r.schema, r.table, ...keyNames, ...(r.include.length ? ['inc', ...r.include] : [])].map(safeToken).join('-')}`,
    layer: 'database',
    rootCause: 'missing_index',
    title: `Missing index on ${r.schema}.${r.table} (${describeColumns(r.keys)})${r.include.length ? ` INCLUDE (${r.include.join(', ')})` : ''}`,
    evidence,
    estimatedLatencyReductionMs: round(perRequest, 3),
    effortDays: 0.5,
    risk: r.verified && !heavyWrites && r.reltuples < 10_000_000 ? 'low' : 'medium',
    action,
    rollback: `DROP INDEX CONCURRENTLY ${qualifiedName(r.schema, indexName)}`,
    source: SOURCE,
  };
}

/** The analysis itself, usable outside an activity. `store` lets it read the profile's window. */
export async function analyzeDatabase(
  pool: Pool,
  target: TargetProfile,
  profile: DatabaseProfile,
  options: Partial<AnalyzerOptions> = {},
  ctx: { store?: Pool } = {},
): Promise<AnalysisResult> {
  const opts = analyzerOptionsFor(target, options);
  const notes: string[] = [];
  if (!profile.available) return { findings: [], notes: ['database profile not available: nothing to analyze'], advisor: null };
  const schemas = target.database?.schemas ?? ['public'];
  if (!(await ensureParser())) notes.push(`the SQL parser could not be loaded (${parserProblem()}); N+1 detection falls back on patterns`);

  // The window: every statement with its figures, table counters, activity samples.
  let window: DatabaseWindow | null = null;
  if (profile.windowArtifactId && ctx.store) {
    try {
      window = await loadArtifact<DatabaseWindow>(ctx.store, profile.windowArtifactId);
    } catch (err) {
      notes.push(
        `the window's figures (${profile.windowArtifactId}) could not be loaded (${(err as Error).message}); only the top statements are analyzed`,
      );
    }
  }
  const windowRequests = window?.windowRequests ?? profile.windowRequests;
  const all: StatementDelta[] = window
    ? window.statements
    : profile.topStatements.map((s) => ({
        queryid: s.queryid,
        query: s.query,
        calls: s.calls,
        totalMs: s.totalMs,
        rows: s.rows,
        sharedBlksHit: 0,
        sharedBlksRead: 0,
      }));
  const statements = filterStatements(all, opts, notes);

  // Extensions: hypopg verifies the advice, pg_qualstats adds the predicates really evaluated.
  const hypopg = await prepareHypopg(pool, opts.installHypopg);
  if (hypopg.note) notes.push(hypopg.note);
  let ext: Awaited<ReturnType<typeof extensionStates>> | null = null;
  try {
    ext = await extensionStates(pool);
  } catch (err) {
    notes.push(`extensions could not be listed: ${(err as Error).message}`);
  }
  const qualstatsState = ext?.states.find((e) => e.name === 'pg_qualstats');
  let qual: QualStat[] = [];
  if (qualstatsState && usable(qualstatsState) && qualstatsState.schema) {
    try {
      qual = await readQualstats(
        pool,
        qualstatsState.schema,
        statements.map((s) => s.queryid),
      );
    } catch (err) {
      notes.push(`pg_qualstats could not be read: ${(err as Error).message}`);
    }
  }

  // 1. Indexes, workload-wide.
  heartbeat({ phase: 'advisor', statements: statements.length });
  const tableWrites: TableWrites[] | undefined = window?.tables?.map((t) => ({
    schema: t.schema,
    table: t.table,
    inserted: t.nTupIns,
    updated: t.nTupUpd,
    hotUpdated: t.nTupHotUpd,
    deleted: t.nTupDel,
  }));
  let advisor: AdvisorResult | null = null;
  const findings: Finding[] = [];
  try {
    advisor = await adviseIndexes(
      pool,
      { statements, schemas, tableWrites },
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
    for (const r of advisor.rejected) notes.push(`index ${r.candidate} not proposed: ${r.reason}`);
    // Sample queries: custom plans with real values next to the generic plans (EXPLAIN only).
    const samples = matchSamples(opts.sampleQueries, statements, notes);
    let samplePlans = new Map<string, SamplePlan>();
    if (samples.size > 0) {
      try {
        samplePlans = await planSamples(
          pool,
          hypopg.schema,
          advisor.recommendations,
          samples,
          { statementTimeout: opts.statementTimeout },
          notes,
        );
      } catch (err) {
        notes.push(`the sample queries could not be planned: ${(err as Error).message}`);
      }
    }
    // EXPLAIN ANALYZE only on request, only SELECTs without parameters or with a sample (see explain-analyze.ts).
    let actual = new Map<string, ActualFigures>();
    if (opts.explainAnalyze) {
      try {
        const ea = await explainAnalyzeTop(
          pool,
          statements,
          { max: opts.explainAnalyzeMax, statementTimeout: opts.statementTimeout },
          samples,
        );
        actual = ea.figures;
        notes.push(...ea.notes);
      } catch (err) {
        notes.push(`EXPLAIN ANALYZE failed: ${(err as Error).message}`);
      }
    }
    for (const r of advisor.recommendations) findings.push(indexFinding(r, target, windowRequests, qual, opts, actual, samplePlans));
  } catch (err) {
    notes.push(`the index advisor failed: ${(err as Error).message}`);
  }

  // 2. N+1 lookups (grouped by fingerprint).
  const stats: StatementStat[] = statements.map((s) => ({
    queryid: s.queryid,
    query: s.query,
    calls: s.calls,
    totalMs: s.totalMs,
    meanMs: s.calls > 0 ? s.totalMs / s.calls : 0,
    rows: s.rows,
    callsPerRequest: windowRequests > 0 ? s.calls / windowRequests : 0,
  }));
  findings.push(
    ...nPlusOneFindings(stats, target, {
      minCallsPerRequest: opts.nPlusOneMinCallsPerRequest,
      maxRowsPerCall: opts.nPlusOneMaxRowsPerCall,
    }),
  );

  // 3. Health checks.
  if (opts.healthChecks) {
    heartbeat({ phase: 'health' });
    try {
      const snapshot = await collectHealth(pool, schemas);
      const w: HealthWindow | null = window
        ? {
            tables: window.tables,
            activity: window.activity,
            cache: statementCacheFigures(window.statements),
            statements: window.statements.map((s) => ({ query: s.query, totalMs: s.totalMs, calls: s.calls })),
          }
        : null;
      if (!window) notes.push('health checks without the window figures: activity, cache and scan checks use the cumulative statistics');
      findings.push(
        ...healthFindings(
          snapshot,
          w,
          findings.filter((f) => f.rootCause === 'missing_index'),
          { ...DEFAULT_HEALTH_OPTIONS, ...opts.health },
        ),
      );
    } catch (err) {
      notes.push(`health checks failed: ${(err as Error).message}`);
    }
  }

  // 4. What would make the analysis better.
  if (opts.reportMissingExtensions && ext) {
    const preload = await pool.query(`SELECT current_setting('shared_preload_libraries') AS p, current_database() AS db`).then((r) => ({
      list: String(r.rows[0].p)
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
      db: String(r.rows[0].db),
    }));
    const optional = ext.states.filter((e) => e.name !== 'pg_stat_statements');
    const f = missingExtensionsFinding(optional, preload.list, preload.db);
    if (f) findings.push(f);
  }

  return {
    findings: findings.sort((a, b) => b.estimatedLatencyReductionMs - a.estimatedLatencyReductionMs),
    notes,
    advisor,
  };
}

export function createDatabaseAnalyzerActivities(deps: ActivityDeps, options: Partial<AnalyzerOptions> = {}) {
  async function databaseOptimizationAnalyzer(req: DatabaseAnalyzerRequest): Promise<Finding[]> {
    if (!req.target.database || !req.profile.available) return [];
    const pool = deps.connections.database(req.target);
    const { findings, notes, advisor } = await analyzeDatabase(pool, req.target, req.profile, options, { store: deps.store });
    try {
      const log = Context.current().log;
      for (const n of notes) log.info(`database-optimization-analyzer: ${n}`, { runId: req.runId });
      if (advisor) log.info('database-optimization-analyzer: advisor figures', { runId: req.runId, ...advisor.stats });
    } catch {
      // not running as an activity
    }
    return findings;
  }
  return { databaseOptimizationAnalyzer };
}
