// One advisor recommendation as a plan finding: the DDL, its rollback, and the evidence it rests on
// (plans before/after, pg_qualstats predicates, sample values, EXPLAIN ANALYZE, write cost). Pure.
import { round } from '../../../common/round';
import type { TargetProfile } from '../../../common/profile';
import type { ActionSpec, Finding } from '../../../common/types';
import { indexBody, indexNameFor, qualifiedName, quoteIdent, safeToken } from '../../postgres/sql-ident';
import type { IndexRecommendation, ServedStatement } from './advisor';
import { actualEvidence } from './explain-analyze';
import { SOURCE, type DatabaseEvidence } from './findings';
import { shorten } from './n-plus-one';
import type { AnalyzerOptions } from './options';
import { qualstatEvidence } from './qualstats';
import { sampleEvidence } from './sample-queries';
import { indexEffortDays } from '../../../common/rules/effort';
import { describeIndexKeys } from '../../../common/index-keys';
import { ginUnverifiedHeadline, sampleHeadline } from './gin-finding';

type StatementEvidence = Pick<DatabaseEvidence, 'qualstats' | 'samplePlans' | 'actual'>;

const hypothetical = (plan: string) => plan.replace(/<\d+>btree_[A-Za-z0-9_]+/g, '(the proposed index)');

function headline(r: IndexRecommendation, perRequest: number, opts: AnalyzerOptions): string {
  if (r.method && r.method !== 'btree' && r.verifiedBy !== 'sample') return ginUnverifiedHeadline(r, opts);
  if (r.verifiedBy === 'sample') return sampleHeadline(r, perRequest);
  if (!r.verified) {
    return (
      'NOT verified with hypopg (not available): the plan scans the table sequentially and the index matches its predicates; ' +
      `saving assumed ${round(opts.unverifiedSavingFraction * 100, 3)}% (${round(r.savedMs, 1)} ms over the window)`
    );
  }
  const many = r.statementCount > 1;
  return (
    `${r.statementCount} statement${many ? 's' : ''} of the window ${many ? 'use' : 'uses'} it: each was re-planned (generic plan) ` +
    `with it as a hypothetical index, verified with hypopg; estimated ${round(r.savedMs, 1)} ms of database time saved over the ` +
    `window (${round(perRequest, 3)} ms per request)`
  );
}

const SOURCE_NAMES = { activity: 'pg_stat_activity', log: "the server's log" } as const;

/** Which plan shapes showed the saving: the generic plan, the custom plans of the sampled real values (values not shown). */
export function planShapesEvidence(p: NonNullable<ServedStatement['planShapes']>): string {
  const c = p.custom!;
  const from = (c.sources ?? ['activity']).map((x) => SOURCE_NAMES[x]).join(' and ');
  const shape = (x: { savingPct: number; used: boolean }) =>
    `${x.savingPct >= 0 ? '-' : '+'}${Math.abs(x.savingPct)}%, ${x.used ? 'uses' : 'does not use'} the index`;
  return (
    `plan shapes: generic plan ${shape(p.generic)}; custom plans with ${c.samples} real value set${c.samples > 1 ? 's' : ''} ` +
    `sampled from ${from} ${shape(c)} (the custom plans decide: the application sends these statements with literals)`
  );
}

function statementEvidence(s: ServedStatement, r: IndexRecommendation, e: StatementEvidence): string[] {
  const mean = round(s.totalMs / Math.max(1, s.calls), 3);
  const texts = s.queryids.length > 1 ? `, ${s.queryids.length} texts with one fingerprint` : '';
  const lines = [
    `statement (${s.calls} calls in the window, mean ${mean} ms${texts}): ${shorten(s.query, 200)}`,
    `plan before: ${s.planBefore}`,
  ];
  if (r.verifiedBy === 'sample' && s.sampleCosts) {
    const saving = (100 * (s.sampleCosts.before - s.sampleCosts.after)) / Math.max(1e-9, s.sampleCosts.before);
    lines.push(
      `on the sample: generic plan cost ${round(s.sampleCosts.before, 2)} -> ${round(s.sampleCosts.after, 2)} with the index ` +
        `(-${round(saving, 1)}%); plan after (sample): ${s.planAfter}`,
    );
  } else if (r.verified) {
    const saving = s.costBefore > 0 ? (100 * (s.costBefore - s.costAfter)) / s.costBefore : 0;
    lines.push(
      `generic plan cost ${round(s.costBefore, 2)} -> ${round(s.costAfter, 2)} with the index (-${round(saving, 1)}%, ` +
        `verified with hypopg); plan after: ${hypothetical(s.planAfter)}`,
    );
  }
  if (r.verified && s.planShapes?.custom) lines.push(planShapesEvidence(s.planShapes));
  for (const q of e.qualstats.filter((x) => s.queryids.includes(x.queryid) && x.table === r.table).slice(0, 2))
    lines.push(qualstatEvidence(q));
  const sample = s.queryids.map((id) => e.samplePlans[id]).find((x) => x !== undefined);
  if (sample) lines.push(sampleEvidence(sample, r));
  const actual = s.queryids.map((id) => e.actual[id]).find((x) => x !== undefined);
  if (actual) lines.push(actualEvidence(actual));
  return lines;
}

function writesEvidence(r: IndexRecommendation): string {
  const w = r.writes;
  if (!w || w.inserted + w.updated + w.deleted === 0)
    return `${r.schema}.${r.table} has ${Math.round(r.reltuples)} rows; no writes to it in the window`;
  return (
    `${r.schema}.${r.table} has ${Math.round(r.reltuples)} rows; writes in the window: ${w.inserted} inserted, ${w.updated} updated ` +
    `(${w.hotUpdated} HOT), ${w.deleted} deleted -> estimated index maintenance ${round(r.writeCostMs, 1)} ms, below the ` +
    `${round(r.savedMs, 1)} ms saved`
  );
}

function indexAction(r: IndexRecommendation, target: TargetProfile, indexName: string): ActionSpec {
  const columns = r.keys.map((c) => ({ ...c }));
  if (target.actions?.createIndexes === false || r.needsExtension) {
    const ddl =
      `CREATE INDEX CONCURRENTLY ${qualifiedName(r.schema, indexName)} ON ${qualifiedName(r.schema, r.table)} ` +
      indexBody(r.method, columns, r.include);
    // The create_index action cannot create an extension: both steps are the operator's.
    const first = r.needsExtension ? [`run: CREATE EXTENSION IF NOT EXISTS ${quoteIdent(r.needsExtension)}`] : [];
    return { type: 'manual', steps: [...first, `run: ${ddl}`, `then: ANALYZE ${qualifiedName(r.schema, r.table)}`] };
  }
  const verifyQueries = r.statements
    .map((s) => s.query)
    .filter((q) => q.length <= 2_000)
    .slice(0, 3);
  return {
    type: 'create_index',
    schema: r.schema,
    table: r.table,
    columns,
    ...(r.method && r.method !== 'btree' ? { method: r.method } : {}),
    indexName,
    ...(r.include.length ? { include: r.include } : {}),
    ...(verifyQueries.length ? { verifyQueries } : {}),
  };
}

export function indexFinding(r: IndexRecommendation, target: TargetProfile, e: DatabaseEvidence, opts: AnalyzerOptions): Finding {
  const keyNames = r.keys.map((c) => c.name);
  const suffix = r.include.length ? ['inc', ...r.include] : [];
  const indexName = indexNameFor(r.table, [...keyNames, ...suffix]);
  const perRequest = e.windowRequests > 0 ? r.savedMs / e.windowRequests : 0;
  const evidence = [headline(r, perRequest, opts), ...r.statements.slice(0, 3).flatMap((s) => statementEvidence(s, r, e))];
  if (r.statementCount > 3) evidence.push(`... and ${r.statementCount - 3} more statements`);
  evidence.push(`column order: ${r.columnNotes.join('; ')}`, writesEvidence(r));
  const heavyWrites = r.writeCostMs > 0.25 * r.savedMs;
  const using = r.method && r.method !== 'btree' ? `USING ${r.method} ` : '';
  return {
    id: `idx-${[r.schema, r.table, ...keyNames, ...suffix].map(safeToken).join('-')}`,
    layer: 'database',
    rootCause: 'missing_index',
    title: `Missing index on ${r.schema}.${r.table} ${using}(${describeIndexKeys(r.keys)})${r.include.length ? ` INCLUDE (${r.include.join(', ')})` : ''}`,
    evidence,
    estimatedLatencyReductionMs: round(perRequest, 3),
    effortDays: indexEffortDays(r.reltuples),
    risk: r.verified && !heavyWrites && r.reltuples < 10_000_000 ? 'low' : 'medium',
    action: indexAction(r, target, indexName),
    rollback: `DROP INDEX CONCURRENTLY ${qualifiedName(r.schema, indexName)}`,
    source: SOURCE,
  };
}
