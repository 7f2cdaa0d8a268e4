// A Prometheus of the test's own (Debian's prometheus binary, installed by scripts/prepare-services.sh):
// on a free port, scraping the given addresses every second, its data in a temporary directory; with
// `rulesDir`, reading the rule files *.yml there (reloaded by POST /-/reload, which is enabled).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports';

export interface TestPrometheus {
  url: string;
  stop(): Promise<void>;
}

export async function startPrometheus(jobs: Record<string, string[]>, opts: { rulesDir?: string } = {}): Promise<TestPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), 'perf-test-prometheus-'));
  const port = await freePort();
  const scrape = Object.entries(jobs).map(([job, targets]) => ({ job_name: job, static_configs: [{ targets }] }));
  writeFileSync(
    join(dir, 'prometheus.yml'),
    JSON.stringify({
      global: { scrape_interval: '1s', evaluation_interval: '1s' },
      ...(opts.rulesDir ? { rule_files: [join(opts.rulesDir, '*.yml')] } : {}),
      scrape_configs: scrape,
    }),
  );
  let child: ChildProcess;
  try {
    child = spawn(
      'prometheus',
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--web.enable-lifecycle',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
  } catch (err) {
    throw new Error(`cannot start prometheus (${(err as Error).message}); install it with: bash scripts/prepare-services.sh`, {
      cause: err,
    });
  }
  let log = '';
  child.stderr?.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  const url = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  };
  for (let i = 0; i < 100; i++) {
    const failed = await Promise.race([spawnError, new Promise<null>((r) => setTimeout(() => r(null), 100))]);
    if (failed) {
      await stop();
      throw new Error(`cannot start prometheus (${failed.message}); install it with: bash scripts/prepare-services.sh`);
    }
    if (
      await fetch(`${url}/-/ready`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return { url, stop };
  }
  await stop();
  throw new Error(`prometheus did not get ready on ${url} within 10 s:\n${log}`);
}
