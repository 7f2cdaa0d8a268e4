// A baseline as a file (perf-orch baseline export / import): a CI job on a fresh machine compares with
// a baseline committed to the user's repository. The file is checked strictly before it is stored:
// a wrong format or version, a missing field or an unknown key is refused, named with its path.
import { z } from 'zod';
import { issueText } from '../zod-issue-text';
import { printable } from '../printable';
import { TargetProfileSchema } from '../profile';
import type { StoredBaseline } from './types';
import { LoadTestSummarySchema } from './summary-schema';

export const BASELINE_FILE_FORMAT = 'perf-orch-baseline';
export const BASELINE_FILE_VERSION = 1;

// The full load-test result is the engine's own record (activities/loadtest LoadTestArtifact): it must
// hold the HDR histograms the gate reads; its other fields are kept as they are.
const HistogramsSchema = z.looseObject({
  result: z.looseObject({
    histograms: z.strictObject({ overall: z.string().min(1), endpoints: z.record(z.string(), z.string()) }),
  }),
});

export const BaselineFileSchema = z.strictObject({
  format: z.literal(BASELINE_FILE_FORMAT),
  version: z.literal(BASELINE_FILE_VERSION),
  target: TargetProfileSchema.shape.name, // a profile's name, as the gate looks it up
  source: z.string().min(1),
  note: z.string().nullable(),
  createdAt: z.iso.datetime({ offset: true }),
  createdBy: z.string().min(1),
  summary: LoadTestSummarySchema,
  histograms: HistogramsSchema.nullable(),
});

export type BaselineFile = z.infer<typeof BaselineFileSchema>;

export class BaselineFileError extends Error {}

/** The file's content for a stored baseline and its full result (null when it has none). */
export function toBaselineFile(b: StoredBaseline, histograms: unknown): BaselineFile {
  return {
    format: BASELINE_FILE_FORMAT,
    version: BASELINE_FILE_VERSION,
    target: b.target,
    source: b.source,
    note: b.note,
    createdAt: b.createdAt,
    createdBy: b.createdBy,
    summary: b.summary as BaselineFile['summary'],
    histograms: (histograms ?? null) as BaselineFile['histograms'],
  };
}

/** Checks an already-parsed file; throws BaselineFileError naming each wrong field. */
export function parseBaselineFile(raw: unknown, source: string): BaselineFile {
  const name = printable(source);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new BaselineFileError(`${name} is not a baseline file: it holds no JSON object (write one with perf-orch baseline export)`);
  }
  const { format, version } = raw as Record<string, unknown>;
  if (format !== BASELINE_FILE_FORMAT) {
    throw new BaselineFileError(
      `${name}: format is ${printable(JSON.stringify(format) ?? 'missing')}, expected "${BASELINE_FILE_FORMAT}": ` +
        'not a perf-orch baseline file (write one with perf-orch baseline export)',
    );
  }
  if (version !== BASELINE_FILE_VERSION) {
    throw new BaselineFileError(
      `${name}: version is ${printable(JSON.stringify(version) ?? 'missing')}; this perf-orch reads version ${BASELINE_FILE_VERSION} ` +
        'baseline files (export it again with this version, or upgrade perf-orch)',
    );
  }
  const result = BaselineFileSchema.safeParse(raw);
  if (result.success) return result.data;
  const lines = result.error.issues.map(
    (i) => `  - ${printable(i.path.length ? i.path.join('.') : '(root)')}: ${printable(issueText(BaselineFileSchema, i))}`,
  );
  throw new BaselineFileError(`Invalid baseline file ${name}:\n${lines.join('\n')}`);
}
