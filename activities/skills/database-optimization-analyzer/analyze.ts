// The database analyzer's decisions: evidence in, findings out. Pure (the SQL parser it uses is
// loaded by collect); unit-testable with stored evidence.
import type { TargetProfile } from '../../../common/profile';
import type { Finding, StatementStat } from '../../../common/types';
import type { SkillAnalysis } from '../skill';
import { missingExtensionsFinding } from './extensions';
import type { DatabaseEvidence } from './findings';
import { healthFindings } from './health';
import { indexFinding } from './index-finding';
import { nPlusOneFindings } from './n-plus-one';
import { endpointNPlusOneFindings, mixOf } from './orm-n-plus-one/detect';
import { parserReady } from '../../postgres/sql-parse';
import type { AnalyzerOptions } from './options';
import { rewriteFinding, rewriteRejected } from './rewrites/finding';

function statementStats(e: DatabaseEvidence): StatementStat[] {
  return e.statements.map((s) => ({
    queryid: s.queryid,
    query: s.query,
    calls: s.calls,
    totalMs: s.totalMs,
    meanMs: s.calls > 0 ? s.totalMs / s.calls : 0,
    rows: s.rows,
    callsPerRequest: e.windowRequests > 0 ? s.calls / e.windowRequests : 0,
  }));
}

/**
 * N+1 per endpoint from the attribution's statements; without them, over the whole mix (the findings say
 * the figure is an average); without the SQL parser, the pattern-based single-table lookups.
 */
function nPlusOne(e: DatabaseEvidence, opts: AnalyzerOptions, target: TargetProfile): Finding[] {
  const n1 = { minCallsPerRequest: opts.nPlusOneMinCallsPerRequest, maxRowsPerCall: opts.nPlusOneMaxRowsPerCall };
  if (!parserReady()) return nPlusOneFindings(statementStats(e), target, n1);
  return endpointNPlusOneFindings(e.endpoints ?? [mixOf(e)], target, n1);
}

/** One part of the analysis; a part that throws becomes a note and the others still report. */
function part<T>(what: string, notes: string[], fallback: T, run: () => T): T {
  try {
    return run();
  } catch (err) {
    notes.push(`${what} failed: ${(err as Error).message}`);
    return fallback;
  }
}

/** The rewrites' findings; a rewrite whose proof shows other results is only a note. */
function rewriteFindingsOf(e: DatabaseEvidence, opts: AnalyzerOptions, notes: string[]): Finding[] {
  const out: Finding[] = [];
  for (const r of e.rewrites ?? []) {
    const why = rewriteRejected(r, opts.rewriteMinSavingPct, opts.rewriteMinSavingMs);
    if (why) notes.push(`the ${r.kind} rewrite of statement ${r.queryid} is not proposed: ${why}`);
    else out.push(rewriteFinding(r, e.windowRequests)!);
  }
  return out;
}

/** Missing indexes, N+1 lookups (grouped by fingerprint), query rewrites, health checks, extensions; largest gain first. */
export function analyzeDatabaseEvidence(e: DatabaseEvidence, opts: AnalyzerOptions, target: TargetProfile): SkillAnalysis {
  const notes: string[] = [];
  const indexes = part('the index findings', notes, [], () =>
    (e.advisor?.recommendations ?? []).map((r) => indexFinding(r, target, e, opts)),
  );
  const perRow = part('N+1 detection', notes, [], () => nPlusOne(e, opts, target));
  const rewrites = part('query rewrites', notes, [], () => rewriteFindingsOf(e, opts, notes));
  const health = e.health
    ? part('health checks', notes, [], () => healthFindings(e.health!.snapshot, e.health!.window, indexes, opts.health))
    : [];
  const extensions = e.extensions
    ? part('the extensions check', notes, null, () =>
        missingExtensionsFinding(e.extensions!.states, e.extensions!.preload, e.extensions!.database),
      )
    : null;
  const findings: Finding[] = [...indexes, ...perRow, ...rewrites, ...health, ...(extensions ? [extensions] : [])];
  return { findings: findings.sort((a, b) => b.estimatedLatencyReductionMs - a.estimatedLatencyReductionMs), notes };
}
