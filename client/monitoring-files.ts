// The files the observability skill made (alert rules, Grafana dashboard, Collector config), written beside the report
// from the store (the worker may run elsewhere: the store is where both meet). A store the CLI cannot
// reach is said, with the artifact ids to fetch later; the report itself is written either way.
import { writeFileSync } from 'node:fs';
import type { OutputContract } from '../common/output-contract';
import { monitoringFileText } from '../activities/store/queries/monitoring-files';
import { redactedStoreUrl, withStore } from './store';

/** The report's base path (without extension) + each file's name; the lines to print. */
export async function writeMonitoringFiles(result: OutputContract, reportJsonPath: string): Promise<string[]> {
  const files = result.monitoring_files ?? [];
  if (files.length === 0) return [];
  const base = reportJsonPath.replace(/\.json$/, '');
  try {
    return await withStore(async (store) => {
      const lines: string[] = [];
      for (const f of files) {
        writeFileSync(`${base}.${f.file_name}`, await monitoringFileText(store, f.kind, f.artifact_id));
        lines.push(`${f.kind}: ${base}.${f.file_name}`);
      }
      return lines;
    });
  } catch (err) {
    const ids = files.map((f) => `${f.kind} ${f.artifact_id}`).join(', ');
    return [
      `the monitoring files were not written: the store at ${redactedStoreUrl()} did not answer (${(err as Error).message}); artifacts ${ids}`,
    ];
  }
}
