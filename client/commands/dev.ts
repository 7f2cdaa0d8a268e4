// `perf-orch dev demo`: the whole stack on this machine, one orchestration run, then shut down.
// `perf-orch dev server`: only the embedded Temporal dev server, in the foreground.
import type { Command } from 'commander';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Pool } from 'pg';
import { request } from 'undici';
import { seedShop } from '../../demo/seed';
import { ensureDatabase } from '../../activities/store/database';
import { DEFAULT_APPROVAL_TIMEOUT_MS } from '../../common/run';
import { temporalConfig } from '../../common/temporal-config';
import { loadProfileFile } from '../profile-file';
import { startRun } from './run';
import { PROJECT_ROOT } from '../dev/temporal-cli';
import { startProcess, stopProcess, waitUntil, type Started } from '../dev/processes';
import { startDevServer, temporalAnswers } from '../dev/temporal-server';
import { devServerLines, devServerPorts } from '../dev/dev-server-env';

const DATA_DIR = join(PROJECT_ROOT, '.data');
const LOG_DIR = join(DATA_DIR, 'logs');
const TSX = ['--import', 'tsx'];

export function registerDev(program: Command): void {
  const dev = program.command('dev').description('run perf-orchestrator and its demo target on this machine');

  dev
    .command('server')
    .description('start the embedded Temporal dev server (Web UI on 8233, or --port + 1000) and keep it in the foreground')
    .option('--port <n>', 'gRPC port', '7233')
    .option('--ui-port <n>', 'Web UI port (default: --port + 1000)')
    .action(async (opts: { port: string; uiPort?: string }) => {
      const ports = devServerPorts(opts);
      const p = await startDevServer({ ...ports, dataDir: join(DATA_DIR, 'temporal'), logDir: LOG_DIR });
      for (const line of devServerLines(ports, p.log)) console.log(line);
      await new Promise<void>((resolve) => {
        const stop = () => void stopProcess(p).then(resolve);
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });

  dev
    .command('demo')
    .description('seed the demo shop, start Temporal (unless TEMPORAL_ADDRESS is set), the shop and a worker, and run one orchestration')
    .option('--keep-up', 'leave the stack running afterwards to browse the Web UI (or PERF_KEEP_UP=1)')
    .option('--products <n>', 'products to seed', '200000')
    .option('--reports <dir>', 'where the report files go', 'reports')
    .action(async (opts: { keepUp?: boolean; products: string; reports: string }) => {
      const keepUp = Boolean(opts.keepUp) || process.env.PERF_KEEP_UP === '1';
      const started: Started[] = [];
      const stopAll = async () => {
        for (const p of started.reverse()) await stopProcess(p);
      };
      // Ctrl-C, kill or a closed terminal: the children go too (they would outlive us otherwise).
      for (const [sig, code] of [
        ['SIGINT', 130],
        ['SIGTERM', 143],
        ['SIGHUP', 129],
      ] as const)
        process.once(sig, () => void stopAll().then(() => process.exit(code)));
      try {
        const env = demoEnv();
        let cfg = temporalConfig();
        if (!process.env.TEMPORAL_ADDRESS) {
          if (await temporalAnswers(cfg.address)) {
            console.log(`using the Temporal server already answering on ${cfg.address}`);
          } else {
            const ports = devServerPorts({ port: '7233' });
            cfg = { ...cfg, uiUrl: `http://127.0.0.1:${ports.uiPort}` };
            console.log(`starting the Temporal dev server (SQLite in .data/temporal, Web UI on ${cfg.uiUrl})`);
            started.push(await startDevServer({ ...ports, dataDir: join(DATA_DIR, 'temporal'), logDir: LOG_DIR }));
          }
        } else if (!(await temporalAnswers(cfg.address))) {
          throw new Error(`TEMPORAL_ADDRESS=${cfg.address} does not answer`);
        }

        console.log(`seeding the demo database (${env.SHOP_DATABASE_URL})`);
        await ensureDatabase(env.SHOP_DATABASE_URL!);
        const pool = new Pool({ connectionString: env.SHOP_DATABASE_URL });
        try {
          const s = await seedShop(pool, { products: Number(opts.products) });
          console.log(`demo data ready: ${s.products} products, ${s.reviews} reviews (${s.seconds}s)`);
        } finally {
          await pool.end();
        }

        const profile = loadProfileFile(join(PROJECT_ROOT, 'demo/targets/shop.yaml'));
        // The inspector on loopback only: shop.yaml's process.inspectorUrl, for the CPU profile and event-loop delay.
        const shop = startProcess(
          'shop',
          process.execPath,
          ['--inspect=127.0.0.1:9229', ...TSX, join(PROJECT_ROOT, 'demo/server/main.ts')],
          { env, logDir: LOG_DIR, cwd: PROJECT_ROOT },
        );
        started.push(shop);
        await waitUntil('demo shop', async () => (await request(new URL('/health', profile.http.baseUrl))).statusCode === 200, {
          timeoutMs: 30_000,
          process: shop,
        });
        console.log(`demo shop listening on ${profile.http.baseUrl} (log ${shop.log})`);

        const worker = startProcess('worker', process.execPath, [...TSX, join(PROJECT_ROOT, 'worker/main.ts')], {
          env,
          logDir: LOG_DIR,
          cwd: PROJECT_ROOT,
        });
        started.push(worker);
        await waitUntil('worker', async () => (await import('node:fs')).readFileSync(worker.log, 'utf8').includes('worker serving'), {
          timeoutMs: 90_000,
          process: worker,
        });
        console.log(`worker started (log ${worker.log})\n`);

        const result = await startRun(
          {
            target: profile,
            tier: 'auto',
            autoApprove: true,
            approvalTimeoutMs: DEFAULT_APPROVAL_TIMEOUT_MS,
            onApprovalTimeout: 'escalate',
            requestedBy: 'npm run demo',
          },
          { wait: true, reports: opts.reports, temporal: cfg },
        );
        if (keepUp) {
          console.log(`\nthe stack stays up (--keep-up): Web UI ${cfg.uiUrl}, shop ${profile.http.baseUrl}. Ctrl-C stops it.`);
          await new Promise(() => undefined);
        }
        process.exitCode = result ? 0 : 1;
      } finally {
        if (!keepUp) await stopAll();
      }
    });
}

export const DEMO_RULES_DIR = '/tmp/perf-orchestrator-prometheus/rules';

/** The demo's secrets live in the environment of the shop and the worker only; a fresh admin token and login password per session. */
function demoEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    SHOP_DATABASE_URL: process.env.SHOP_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/shop_demo',
    SHOP_REDIS_URL: process.env.SHOP_REDIS_URL || 'redis://127.0.0.1:6379/0',
    SHOP_ADMIN_TOKEN: process.env.SHOP_ADMIN_TOKEN || randomBytes(16).toString('hex'),
    // The profile's login step reads it as {{env:SHOP_DEMO_PASSWORD}}.
    SHOP_DEMO_PASSWORD: process.env.SHOP_DEMO_PASSWORD || randomBytes(12).toString('hex'),
    // The rule directory of the Prometheus scripts/prepare-services.sh starts: the worker may install the alert rules there.
    PERF_PROMETHEUS_RULES_DIRS: process.env.PERF_PROMETHEUS_RULES_DIRS || DEMO_RULES_DIR,
  };
}
