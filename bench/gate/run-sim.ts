// bench:gate --design simultaneous: starts the two shops (same database), warms both up at once,
// measures the windows and prints the tables (the same as the interleaved design's).
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import type { GateBenchOptions } from './args';
import { measureSimultaneous, runPair, type MeasuredSim, type SimContext } from './measure-sim';
import { formatTallies, formatTargets } from './report';
import { CONDITIONS, type Condition } from './schedule';
import { startBenchShop, type BenchShop } from './shop';
import { median, tallyCondition } from './tally';

const load = (): string =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

function printSim(m: MeasuredSim, o: GateBenchOptions, hostAtStart: string): void {
  const planted: Partial<Record<Condition, number | null>> = {};
  for (const c of CONDITIONS)
    planted[c] = median(m.windows.filter((w) => w.condition === c && w.addedPct !== null).map((w) => w.addedPct as number));
  const tallies = CONDITIONS.map((c) => tallyCondition(m.trials, c));
  const seconds = median(m.windows.map((w) => w.baseline.filter((x, i) => x !== null && w.candidate[i] !== null).length));
  const baseP95 = median(m.windows.map((w) => w.baselineP95Ms));
  console.log(
    [
      '',
      `== The gate, measured (simultaneous design): ${m.sets} trial sets (stopped by ${m.stoppedBy}), one ${o.windowSeconds} s window ` +
        `a condition, baseline and candidate shops under load at the same time, closed model, ${Math.max(1, Math.floor(o.concurrency / 2))} ` +
        `connections each; ${m.windows.length} windows, ${m.windows.reduce((s, w) => s + w.requests, 0)} requests, ${m.errors} errors; ` +
        `median paired half-second points a window ${seconds ?? '-'}; median baseline window p95 ${baseP95 === null ? '-' : baseP95.toFixed(2)} ms`,
      formatTallies(
        'Simultaneous design, per-half-second log p95 ratios in 5 batches, t on the batch means; rule: fail when CI low > 1 and ratio > 1.05:',
        tallies,
        planted,
      ),
      formatTargets(tallies, 'simultaneous'),
      `Host: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), load average at start ${hostAtStart}, at end ${load()}`,
    ].join('\n'),
  );
}

export async function runSimultaneousBench(opts: {
  options: GateBenchOptions;
  adminUrl: string;
  database: string;
  signal: AbortSignal;
  windowsFile?: string;
}): Promise<void> {
  const { options } = opts;
  const hostAtStart = load();
  const shops: BenchShop[] = [];
  try {
    for (let i = 0; i < 2; i++)
      shops.push(await startBenchShop({ adminUrl: opts.adminUrl, database: opts.database, products: options.products }));
    const [baseline, candidate] = shops;
    console.log(
      `baseline shop on ${baseline.baseUrl}, candidate shop on ${candidate.baseUrl} (database ${opts.database}); load ${hostAtStart}`,
    );
    const ctx: SimContext = {
      baseline,
      candidate,
      options,
      signal: opts.signal,
      deadlineMs: Date.now() + options.minutes * 60_000,
      log: (l) => console.log(l),
    };
    if (options.warmupSeconds > 0) {
      const w = await runPair(ctx, options.warmupSeconds);
      console.log(
        `warm-up ${options.warmupSeconds} s, both at once: ${w.a.requests} + ${w.b.requests} requests, p95 ${w.a.latencyMs.p95} / ${w.b.latencyMs.p95} ms`,
      );
    }
    const m = await measureSimultaneous(ctx);
    printSim(m, options, hostAtStart);
    if (opts.windowsFile) writeFileSync(opts.windowsFile, JSON.stringify({ options, windows: m.windows, trials: m.trials }, null, 1));
  } finally {
    for (const s of shops) await s.close();
  }
}
