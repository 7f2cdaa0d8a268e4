// The embedded Temporal dev server: SQLite file under .data/, Web UI, our search attributes.
import { Connection } from '@temporalio/client';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { devServerSearchAttributeArgs } from '../../common/search-attributes';
import { findTemporalCli, PROJECT_ROOT } from './temporal-cli';
import { startProcess, waitUntil, type Started } from './processes';

export async function temporalAnswers(address: string): Promise<boolean> {
  try {
    const c = await Connection.connect({ address, connectTimeout: '1s' });
    await c.healthService.check({});
    await c.close();
    return true;
  } catch {
    return false;
  }
}

export async function startDevServer(opts: { port: number; uiPort: number; dataDir: string; logDir: string }): Promise<Started> {
  mkdirSync(opts.dataDir, { recursive: true });
  const cli = findTemporalCli();
  const p = startProcess(
    'temporal',
    cli,
    [
      'server',
      'start-dev',
      '--ip',
      '127.0.0.1',
      '--port',
      String(opts.port),
      '--ui-port',
      String(opts.uiPort),
      '--db-filename',
      join(opts.dataDir, 'temporal.db'),
      '--log-level',
      'warn',
      ...devServerSearchAttributeArgs(),
    ],
    { logDir: opts.logDir, cwd: PROJECT_ROOT },
  );
  await waitUntil('Temporal dev server', () => temporalAnswers(`127.0.0.1:${opts.port}`), { timeoutMs: 60_000, process: p });
  return p;
}
