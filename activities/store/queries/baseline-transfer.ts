// A baseline out of the store into a file's content, and a file's content back in (checked strictly,
// stored pinned with source "import:<file name>").
import type { Pool } from 'pg';
import { parseBaselineFile, toBaselineFile, type BaselineFile } from '../../../common/gate/baseline-file';
import type { StoredBaseline } from '../../../common/gate/types';
import { getBaseline, getBaselineHistograms, pinBaseline } from './baselines';

/** The file's content for baseline `id`; null when there is no such baseline. */
export async function exportBaseline(pool: Pool, id: string): Promise<BaselineFile | null> {
  const b = await getBaseline(pool, id);
  return b ? toBaselineFile(b, await getBaselineHistograms(pool, id)) : null;
}

/**
 * Stores a file's content as the target's newest pinned baseline. `fileName` is the file's base name;
 * the original source, author and date stay in the note. Throws BaselineFileError naming wrong fields.
 */
export async function importBaseline(pool: Pool, raw: unknown, fileName: string, createdBy: string): Promise<StoredBaseline> {
  const f = parseBaselineFile(raw, fileName);
  const origin = `imported from ${f.source}, created ${f.createdAt} by ${f.createdBy}`;
  return pinBaseline(pool, {
    target: f.target,
    source: `import:${fileName}`,
    summary: f.summary,
    histograms: f.histograms,
    note: f.note ? `${f.note} (${origin})` : origin,
    createdBy,
  });
}
