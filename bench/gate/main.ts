// npm run bench:gate [-- --trials 40 --minutes 45 ...]: measures the CI gate's own statistics on this
// host: planted regressions of 5, 10 and 20% of the client's p95 (PUT /admin/planted-delay on the demo
// shop, own database perf_bench_gate, fast state; sized by plant-size.ts) and an A/A condition, judged
// as `perf-orch check --baseline-url` judges (the whole mix's p95 ratio and each endpoint's); every
// other trial set runs with a one-core busy loop beside. Three designs:
//   --design alternating (the default, run-alt.ts): two shops taking turns every --slice-ms in one
//     window per condition, as the check does by default;
//   --design interleaved (measure.ts): one shop, blocks of the baseline (A) and the conditions in
//     rounds of six where each condition sits next to its A (schedule.ts), as `check --pairs` does;
//   --design simultaneous (run-sim.ts): two shops under load at once, half the connections each.
// Prints the detection power and the false-alarm rate with Wilson intervals and the targets as MET /
// MISSED (interleaved: also the same blocks judged against a stored baseline). A measurement: exits 0
// whatever the figures (1 only when it cannot run, with what is missing); Ctrl-C stops cleanly and
// prints what was measured.
//   PG_ADMIN_URL (default postgres://postgres@127.0.0.1:5432/postgres), BENCH_GATE_DATABASE (default perf_bench_gate),
//   BENCH_GATE_BLOCKS (a file to write every block (or window) and trial to, as JSON)
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { Client } from 'pg';
import Redis from 'ioredis';
import { parseGateBenchArgs, USAGE, type GateBenchOptions } from './args';
import { runBlock } from './block';
import { storedTrials } from './evaluate';
import { measure, type Measured } from './measure';
import { formatTallies, formatTargets } from './report';
import { gainLine } from './plant-size';
import { CONDITIONS, type Condition } from './schedule';
import { runSimultaneousBench } from './run-sim';
import { runAlternatingBench } from './run-alt';
import { startBenchShop } from './shop';
import { median, tallyCondition } from './tally';

const ADMIN = process.env.PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DATABASE = process.env.BENCH_GATE_DATABASE ?? 'perf_bench_gate';
const BLOCKS_FILE = process.env.BENCH_GATE_BLOCKS; // every block and trial as JSON, for a closer look
const load = (): string =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

async function preflight(): Promise<void> {
  const c = new Client({ connectionString: ADMIN });
  try {
    await c.connect();
    await c.end();
  } catch (err) {
    throw new Error(`PostgreSQL does not answer at ${ADMIN} (${(err as Error).message}); start it with: npm run setup:services`, {
      cause: err,
    });
  }
  const redis = new Redis('redis://127.0.0.1:6379/14', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    throw new Error(`Redis does not answer at 127.0.0.1:6379 (${(err as Error).message}); start it with: npm run setup:services`, {
      cause: err,
    });
  } finally {
    redis.disconnect();
  }
}

function printResults(m: Measured, o: GateBenchOptions, hostAtStart: string): void {
  const planted: Partial<Record<Condition, number | null>> = {};
  for (const c of CONDITIONS)
    planted[c] = median(m.blocks.filter((b) => b.arm === c && b.addedPct !== null).map((b) => b.addedPct as number));
  const tallies = CONDITIONS.map((c) => tallyCondition(m.trials, c));
  const stored = storedTrials(m.blocks);
  const storedTallies = CONDITIONS.map((c) => tallyCondition(stored, c));
  const blockP95 = median(m.blocks.filter((b) => b.arm === 'A').map((b) => b.p95Ms));
  console.log(
    [
      '',
      `== The gate, measured: ${m.sets} trial sets (stopped by ${m.stoppedBy}), ${o.rounds} pairs a trial, ${o.blockSeconds} s blocks, ` +
        `closed model, ${o.concurrency} connections; ${m.blocks.length} blocks, ${m.blocks.reduce((s, b) => s + b.requests, 0)} requests, ` +
        `${m.errors} errors; median baseline block p95 ${blockP95 === null ? '-' : blockP95.toFixed(2)} ms`,
      formatTallies(
        'Interleaved design (what `perf-orch check --baseline-url` does), rule: fail when CI low > 1 and ratio > 1.05:',
        tallies,
        planted,
      ),
      formatTargets(tallies),
      formatTallies(
        "Stored-baseline design, for comparison only (no target): per-second p95 of each set against set 1's A blocks (quiet), batch means + Welch:",
        storedTallies,
      ),
      gainLine(m.gains),
      `Host: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), load average at start ${hostAtStart}, at end ${load()}`,
    ].join('\n'),
  );
}

async function main(): Promise<number> {
  const options = parseGateBenchArgs(process.argv.slice(2));
  if (!options) {
    console.log(USAGE);
    return 0;
  }
  await preflight();
  const hostAtStart = load();
  const controller = new AbortController();
  const onSignal = (): void => {
    if (controller.signal.aborted) process.exit(130);
    console.log('\ninterrupted: stopping after this block (Ctrl-C again to leave at once)');
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  if (options.design === 'alternating') {
    await runAlternatingBench({ options, adminUrl: ADMIN, database: DATABASE, signal: controller.signal, windowsFile: BLOCKS_FILE });
    return controller.signal.aborted ? 130 : 0;
  }
  if (options.design === 'simultaneous') {
    await runSimultaneousBench({ options, adminUrl: ADMIN, database: DATABASE, signal: controller.signal, windowsFile: BLOCKS_FILE });
    return controller.signal.aborted ? 130 : 0;
  }
  const shop = await startBenchShop({ adminUrl: ADMIN, database: DATABASE, products: options.products });
  try {
    console.log(
      `shop on ${shop.baseUrl} (database ${DATABASE}, ${options.products} products, seeded in ${shop.seedSeconds} s); load ${hostAtStart}`,
    );
    const deadlineMs = Date.now() + options.minutes * 60_000;
    if (options.warmupSeconds > 0) {
      const w = await runBlock({
        profile: shop.profile,
        seconds: options.warmupSeconds,
        concurrency: options.concurrency,
        signal: controller.signal,
      });
      console.log(`warm-up ${options.warmupSeconds} s: ${w.requests} requests, p95 ${w.p95Ms.toFixed(2)} ms`);
    }
    const m = await measure({ shop, options, signal: controller.signal, deadlineMs, log: (l) => console.log(l) });
    printResults(m, options, hostAtStart);
    if (BLOCKS_FILE) writeFileSync(BLOCKS_FILE, JSON.stringify({ options, blocks: m.blocks, trials: m.trials }, null, 1));
    return controller.signal.aborted ? 130 : 0;
  } finally {
    await shop.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    console.error(`bench:gate could not run: ${err.message}`);
    process.exit(1);
  },
);
