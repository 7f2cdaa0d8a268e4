// bench:gate --design alternating (the default): starts the two shops (same database), warms both up
// taking turns, measures the windows and prints the tables (as the other designs do).
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import type { GateBenchOptions } from './args';
import { measureAlternating, takeTurnsWindow, type AltContext, type MeasuredAlt } from './measure-alt';
import { formatTallies, formatTargets } from './report';
import { gainLine } from './plant-size';
import { CONDITIONS, type Condition } from './schedule';
import { startBenchShop, type BenchShop } from './shop';
import { median, tallyCondition } from './tally';

const load = (): string =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

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

export async function runAlternatingBench(opts: {
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
    const ctx: AltContext = {
      baseline,
      candidate,
      options,
      signal: opts.signal,
      deadlineMs: Date.now() + options.minutes * 60_000,
      log: (l) => console.log(l),
    };
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
  } finally {
    for (const s of shops) await s.close();
  }
}
