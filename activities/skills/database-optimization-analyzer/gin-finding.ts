// The headlines of GIN/GiST index findings: verified on a sample of the table (advisor/sample-verify.ts),
// or proposed NOT verified (hypopg cannot model these methods). Pure.
import { round } from '../../../common/round';
import type { IndexRecommendation } from './advisor';
import type { AnalyzerOptions } from './options';

export function sampleHeadline(r: IndexRecommendation, perRequest: number): string {
  const many = r.statementCount > 1;
  const sample = r.sample ? `verified on a sample of ${r.sample.rows} rows in ${r.sample.ms} ms` : 'verified on a sample';
  return (
    `${r.statementCount} statement${many ? 's' : ''} of the window ${many ? 'use' : 'uses'} it: ${sample} ` +
    `(hypopg cannot model ${r.method} indexes: the rows were copied into a TEMPORARY table in a rolled-back transaction, ` +
    `the index built there, each statement's generic plan EXPLAINed against it without and with the index); ` +
    `estimated ${round(r.savedMs, 1)} ms of database time saved over the window (${round(perRequest, 3)} ms per request)`
  );
}

export function ginUnverifiedHeadline(r: IndexRecommendation, opts: AnalyzerOptions): string {
  const ext = r.needsExtension
    ? `; the operator class needs the ${r.needsExtension} extension, which this database does not have yet: CREATE EXTENSION comes first`
    : '';
  return (
    `NOT verified: hypopg cannot model ${r.method} indexes; enable the advisor option sampleVerify to verify it on a sample of ` +
    `the table. The plan scans the table sequentially and the index serves its predicate; saving assumed ` +
    `${round(opts.unverifiedSavingFraction * 100, 3)}% (${round(r.savedMs, 1)} ms over the window)${ext}`
  );
}
