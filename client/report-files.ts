import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LaterRollback } from '../common/later-rollback';
import type { OutputContract } from '../common/output-contract';
import { renderPlaybook } from './playbook';
import { summary } from './render';
import { renderHtmlReport } from './report-html';

/**
 * Writes <dir>/<workflow>-<run>.json (the output contract), .html (charts), .playbook.md and a .txt
 * summary; returns the JSON path.
 */
export function writeReport(result: OutputContract, dir: string, later: LaterRollback | null = null): string {
  mkdirSync(dir, { recursive: true });
  const base = join(dir, `${result.target_system_details.workflow_id}-${result.target_system_details.run_id}`);
  writeFileSync(`${base}.json`, `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(`${base}.html`, renderHtmlReport(result));
  writeFileSync(`${base}.playbook.md`, renderPlaybook(result, later));
  writeFileSync(`${base}.txt`, `${summary(result)}\n`);
  return `${base}.json`;
}
