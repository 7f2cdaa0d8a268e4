// The database-optimization-analyzer skill: missing indexes (generic plans + hypopg) and N+1
// lookups, from the database profile's top statements.
import { Context } from '@temporalio/activity';
import type { Pool } from 'pg';
import type { TargetProfile } from '../../../common/profile';
import type { ActionSpec, DatabaseProfile, Finding, StatementStat } from '../../../common/types';
import type { ActivityDeps } from '../../deps';
import { indexColumnList, indexNameFor, qualifiedName, safeToken } from '../../actions/sql-ident';
import { whyNotPlannable, withPlanSession, type PlanSession } from './generic-plan';
import { prepareHypopg, verifyWithHypotheticalIndex, type HypopgStatus, type Verification } from './hypopg';
import { candidateColumnLists, coveringIndex, tableInfo, type IndexColumn } from './index-candidates';
import { nPlusOneFinding, shorten } from './n-plus-one';
import { findSeqScans, planCost, type PlanNode, type SeqScanSite } from './plan-walk';

export const SOURCE = 'database-optimization-analyzer';

export interface AnalyzerOptions {
  /** A Seq Scan is worth an index only on a table with more rows than this (pg_class.reltuples). */
  minTableRows: number;
  /** Dexter's anchors: the statement's plan must cost at least this... */
  minPlanCost: number;
  /** ...and the hypothetical index must cut the cost by at least this fraction. */
  minSavingFraction: number;
  /** Saving assumed for an index that could not be verified (no hypopg). */
  unverifiedSavingFraction: number;
  nPlusOneMinCallsPerRequest: number;
  nPlusOneMaxRowsPerCall: number;
  /** statement_timeout of each planning transaction. */
  statementTimeout: string;
  /** CREATE EXTENSION hypopg when it is available but not created (it only adds functions). */
  installHypopg: boolean;
}

export const DEFAULT_ANALYZER_OPTIONS: AnalyzerOptions = {
  minTableRows: 10_000,
  minPlanCost: 100,
  minSavingFraction: 0.5,
  unverifiedSavingFraction: 0.5,
  nPlusOneMinCallsPerRequest: 5,
  nPlusOneMaxRowsPerCall: 10,
  statementTimeout: '5s',
  installHypopg: true,
};

export interface AnalysisResult {
  findings: Finding[];
  /** Why statements or candidates were skipped; logged by the activity. */
  notes: string[];
}

export interface DatabaseAnalyzerRequest {
  runId: string;
  target: TargetProfile;
  profile: DatabaseProfile;
}

const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;

function describeColumns(cols: IndexColumn[]): string {
  return cols.map((c) => `${c.name}${c.desc ? ' DESC' : ''}`).join(', ');
}

interface Proposal {
  site: SeqScanSite;
  schema: string;
  table: string;
  reltuples: number;
  columns: IndexColumn[];
  costBefore: number;
  verification: Verification | null; // null: not verified (no hypopg)
}

async function proposeForStatement(
  session: PlanSession,
  stat: StatementStat,
  plan: PlanNode,
  schemas: string[],
  hypopg: HypopgStatus,
  opts: AnalyzerOptions,
  notes: string[],
): Promise<Proposal[]> {
  const costBefore = planCost(plan);
  const out: Proposal[] = [];
  for (const site of findSeqScans(plan)) {
    const where = `${site.schema ?? '?'}.${site.relation}`;
    if (!site.schema || !schemas.includes(site.schema)) continue;
    if (site.equalityColumns.length === 0) continue;
    const info = await tableInfo(session.client, site.schema, site.relation);
    if (!info || info.reltuples <= opts.minTableRows) continue;
    if (costBefore < opts.minPlanCost) {
      notes.push(`${stat.queryid}: Seq Scan on ${where} skipped: plan cost ${round(costBefore, 1)} < ${opts.minPlanCost}`);
      continue;
    }
    const sortCount = (site.sortColumns ?? []).length;
    for (const [i, columns] of candidateColumnLists(site).entries()) {
      if (!columns.every((c) => info.columns.has(c.name))) continue;
      const covering = coveringIndex(columns, i === 0 ? sortCount : 0, info.indexes);
      if (covering) {
        notes.push(`${stat.queryid}: (${describeColumns(columns)}) on ${where} skipped: index ${covering} already starts with it`);
        continue;
      }
      if (!hypopg.schema) {
        out.push({ site, schema: site.schema, table: site.relation, reltuples: info.reltuples, columns, costBefore, verification: null });
        break;
      }
      const v = await verifyWithHypotheticalIndex(session, hypopg.schema, { schema: site.schema, table: site.relation, columns }, stat.query, costBefore);
      if (v.usesIndex && v.savingFraction >= opts.minSavingFraction) {
        out.push({ site, schema: site.schema, table: site.relation, reltuples: info.reltuples, columns, costBefore, verification: v });
        break;
      }
      notes.push(
        `${stat.queryid}: (${describeColumns(columns)}) on ${where} rejected: ` +
          (v.usesIndex ? `saves ${round(v.savingFraction * 100, 1)}% < ${opts.minSavingFraction * 100}%` : 'the planner does not use it'),
      );
    }
  }
  return out;
}

function indexFinding(stat: StatementStat, p: Proposal, target: TargetProfile, opts: AnalyzerOptions): Finding {
  const colNames = p.columns.map((c) => c.name);
  const indexName = indexNameFor(p.table, colNames);
  const columns = p.columns.map((c) => (c.desc ? { name: c.name, desc: true } : { name: c.name }));
  const saving = p.verification ? p.verification.savingFraction : opts.unverifiedSavingFraction;
  const ddl = `CREATE INDEX CONCURRENTLY ${qualifiedName(p.schema, indexName)} ON ${qualifiedName(p.schema, p.table)} (${indexColumnList(columns)})`;
  const evidence = [
    `${p.site.nodeType} on ${p.schema}.${p.table} (${Math.round(p.reltuples)} rows in the table), plan estimates ${p.site.planRows} rows` +
      (p.site.filter ? ` after Filter ${p.site.filter}` : '') +
      (p.site.sortKeyText ? `; Sort Key ${p.site.sortKeyText.join(', ')}` : ''),
    p.verification
      ? `generic plan cost ${round(p.costBefore, 2)} -> ${round(p.verification.costAfter, 2)} with a hypothetical index on (${describeColumns(p.columns)}) (-${round(saving * 100, 1)}%, verified with hypopg)`
      : `generic plan cost ${round(p.costBefore, 2)}; NOT verified with hypopg (not available), saving assumed ${round(saving * 100)}%`,
    `statement: ${shorten(stat.query, 200)}`,
    `${round(stat.callsPerRequest, 2)} calls per request, mean ${round(stat.meanMs, 3)} ms, ${stat.calls} calls in the window`,
  ];
  const action: ActionSpec =
    target.actions?.createIndexes === false
      ? { type: 'manual', steps: [`run: ${ddl}`, `then: ANALYZE ${qualifiedName(p.schema, p.table)}`] }
      : { type: 'create_index', schema: p.schema, table: p.table, columns, indexName };
  return {
    id: `idx-${[p.schema, p.table, ...colNames].map(safeToken).join('-')}`,
    layer: 'database',
    rootCause: 'missing_index',
    title: `Missing index on ${p.schema}.${p.table} (${describeColumns(p.columns)})`,
    evidence,
    estimatedLatencyReductionMs: round(stat.meanMs * saving * stat.callsPerRequest),
    effortDays: 0.5,
    risk: p.verification ? 'low' : 'medium',
    action,
    rollback: `DROP INDEX CONCURRENTLY ${qualifiedName(p.schema, indexName)}`,
    source: SOURCE,
  };
}

function merge(into: Map<string, Finding>, f: Finding): void {
  const prev = into.get(f.id);
  if (!prev) {
    into.set(f.id, f);
    return;
  }
  // The same index helps several statements: the gains add up.
  into.set(f.id, {
    ...prev,
    evidence: [...prev.evidence, ...f.evidence.filter((e) => !prev.evidence.includes(e))],
    estimatedLatencyReductionMs: round(prev.estimatedLatencyReductionMs + f.estimatedLatencyReductionMs),
    risk: prev.risk === 'low' && f.risk === 'low' ? 'low' : 'medium',
  });
}

function heartbeat(details: unknown): void {
  try {
    Context.current().heartbeat(details);
  } catch {
    // not running as an activity (tests, scripts)
  }
}

/** The analysis itself, usable outside an activity. */
export async function analyzeDatabase(
  pool: Pool,
  target: TargetProfile,
  profile: DatabaseProfile,
  options: Partial<AnalyzerOptions> = {},
): Promise<AnalysisResult> {
  const opts = { ...DEFAULT_ANALYZER_OPTIONS, ...options };
  const notes: string[] = [];
  if (!profile.available) return { findings: [], notes: ['database profile not available: nothing to analyze'] };
  const schemas = target.database?.schemas ?? ['public'];
  const findings = new Map<string, Finding>();

  const hypopg = await prepareHypopg(pool, opts.installHypopg);
  if (hypopg.note) notes.push(hypopg.note);

  for (const [i, stat] of profile.topStatements.entries()) {
    heartbeat({ statement: i + 1, of: profile.topStatements.length });
    const n1 = nPlusOneFinding(stat, target, {
      minCallsPerRequest: opts.nPlusOneMinCallsPerRequest,
      maxRowsPerCall: opts.nPlusOneMaxRowsPerCall,
    });
    if (n1) merge(findings, n1);

    const why = whyNotPlannable(stat.query);
    if (why) {
      notes.push(`${stat.queryid}: not planned (${why})`);
      continue;
    }
    try {
      const proposals = await withPlanSession(
        pool,
        async (session) => {
          const plan = await session.explain(stat.query);
          return proposeForStatement(session, stat, plan, schemas, hypopg, opts, notes);
        },
        { statementTimeout: opts.statementTimeout },
      );
      for (const p of proposals) merge(findings, indexFinding(stat, p, target, opts));
    } catch (err) {
      notes.push(`${stat.queryid}: skipped, it could not be planned: ${(err as Error).message} (statement: ${shorten(stat.query, 120)})`);
    }
  }
  return {
    findings: [...findings.values()].sort((a, b) => b.estimatedLatencyReductionMs - a.estimatedLatencyReductionMs),
    notes,
  };
}

export function createDatabaseAnalyzerActivities(deps: ActivityDeps, options: Partial<AnalyzerOptions> = {}) {
  async function databaseOptimizationAnalyzer(req: DatabaseAnalyzerRequest): Promise<Finding[]> {
    if (!req.target.database || !req.profile.available) return [];
    const pool = deps.connections.database(req.target);
    const { findings, notes } = await analyzeDatabase(pool, req.target, req.profile, options);
    try {
      const log = Context.current().log;
      for (const n of notes) log.info(`database-optimization-analyzer: ${n}`, { runId: req.runId });
    } catch {
      // not running as an activity
    }
    return findings;
  }
  return { databaseOptimizationAnalyzer };
}
