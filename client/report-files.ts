import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OutputContract } from '../common/output-contract';
import { summary } from './render';

/** Writes <dir>/<workflow>-<run>.json (the output contract) and a .txt summary; returns the JSON path. */
export function writeReport(result: OutputContract, dir: string): string {
  mkdirSync(dir, { recursive: true });
  const base = join(dir, `${result.target_system.workflow_id}-${result.target_system.run_id}`);
  writeFileSync(`${base}.json`, `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(`${base}.txt`, `${summary(result)}\n`);
  return `${base}.json`;
}
