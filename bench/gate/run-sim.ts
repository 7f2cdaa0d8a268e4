// bench:gate --design simultaneous: starts the two shops (same database), warms both up at once,
// measures the windows and prints the tables (the same as the interleaved design's).
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import type { GateBenchOptions } from './args';
import { measureSimultaneous, runPair, type MeasuredSim } from './measure-sim';
import { formatTallies, formatTargets } from './report';
import { CONDITIONS, type Condition } from './schedule';
import { loadAverage, withTwoShops, type TwoShopBenchOptions } from './two-shops';
import { median, tallyCondition } from './tally';

const load = loadAverage;

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

export async function runSimultaneousBench(opts: TwoShopBenchOptions): Promise<void> {
  const { options } = opts;
  const hostAtStart = loadAverage();
  await withTwoShops(opts, async (ctx) => {
    if (options.warmupSeconds > 0) {
      const w = await runPair(ctx, options.warmupSeconds);
      console.log(
        `warm-up ${options.warmupSeconds} s, both at once: ${w.a.requests} + ${w.b.requests} requests, p95 ${w.a.latencyMs.p95} / ${w.b.latencyMs.p95} ms`,
      );
    }
    const m = await measureSimultaneous(ctx);
    printSim(m, options, hostAtStart);
    if (opts.windowsFile) writeFileSync(opts.windowsFile, JSON.stringify({ options, windows: m.windows, trials: m.trials }, null, 1));
  });
}
