// bench:gate --design alternating (the default): starts the two shops (same database), warms both up
// taking turns, measures the windows and prints the tables (as the other designs do).
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import type { GateBenchOptions } from './args';
import { measureAlternating, takeTurnsWindow, type MeasuredAlt } from './measure-alt';
import { formatTallies, formatTargets } from './report';
import { gainLine } from './plant-size';
import { CONDITIONS, type Condition } from './schedule';
import { loadAverage, withTwoShops, type TwoShopBenchOptions } from './two-shops';
import { median, tallyCondition } from './tally';

const load = loadAverage;

function printAlt(m: MeasuredAlt, o: GateBenchOptions, hostAtStart: string): void {
  const planted: Partial<Record<Condition, number | null>> = {};
  for (const c of CONDITIONS)
    planted[c] = median(m.windows.filter((w) => w.condition === c && w.addedPct !== null).map((w) => w.addedPct as number));
  const tallies = CONDITIONS.map((c) => tallyCondition(m.trials, c));
  const seconds = median(m.windows.map((w) => Math.min(w.intervals.baseline.length, w.intervals.candidate.length)));
  const baseP95 = median(m.windows.map((w) => w.baselineP95Ms));
  const share = median(m.windows.map((w) => w.share.candidate));
  console.log(
    [
      '',
      `== The gate, measured (alternating design): ${m.sets} trial sets (stopped by ${m.stoppedBy}), one ${o.windowSeconds} s window ` +
        `a condition, baseline and candidate shops taking turns every ${o.sliceMs} ms (random order per pair), closed model, ` +
        `${o.concurrency} connections; ${m.windows.length} windows, ${m.windows.reduce((s, w) => s + w.requests, 0)} requests, ` +
        `${m.errors} errors; median paired seconds a window ${seconds ?? '-'}; candidate's share of the turns ${share ?? '-'}; ` +
        `median baseline window p95 ${baseP95 === null ? '-' : baseP95.toFixed(2)} ms`,
      formatTallies(
        'Alternating design (what `perf-orch check --baseline-url` does), paired t on the per-second log p95 ratios, ' +
          "and each endpoint's; rule: fail when CI low > 1 and ratio > 1.05:",
        tallies,
        planted,
      ),
      formatTargets(tallies, 'alternating'),
      gainLine(m.gains),
      `Host: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), load average at start ${hostAtStart}, at end ${load()}`,
    ].join('\n'),
  );
}

export async function runAlternatingBench(opts: TwoShopBenchOptions): Promise<void> {
  const { options } = opts;
  const hostAtStart = loadAverage();
  await withTwoShops(opts, async (ctx) => {
    if (options.warmupSeconds > 0) {
      const w = await takeTurnsWindow(ctx, options.warmupSeconds, 0);
      console.log(
        `warm-up ${options.warmupSeconds} s, taking turns: ${w.baseline.requests} + ${w.candidate.requests} requests, ` +
          `p95 ${w.baseline.latencyMs.p95} / ${w.candidate.latencyMs.p95} ms`,
      );
    }
    const m = await measureAlternating(ctx);
    printAlt(m, options, hostAtStart);
    if (opts.windowsFile) writeFileSync(opts.windowsFile, JSON.stringify({ options, windows: m.windows, trials: m.trials }, null, 1));
  });
}
