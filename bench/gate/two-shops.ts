// The two-shop designs (alternating, simultaneous): a baseline shop and a candidate shop on one
// database, started, handed to the design with the run's context, and closed whatever happens.
import { loadavg } from 'node:os';
import type { GateBenchOptions } from './args';
import { startBenchShop, type BenchShop } from './shop';

export interface TwoShopContext {
  baseline: BenchShop;
  candidate: BenchShop;
  options: GateBenchOptions;
  signal: AbortSignal;
  deadlineMs: number;
  log(line: string): void;
}

export interface TwoShopBenchOptions {
  options: GateBenchOptions;
  adminUrl: string;
  database: string;
  signal: AbortSignal;
  windowsFile?: string;
}

export const loadAverage = (): string =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

export async function withTwoShops(opts: TwoShopBenchOptions, run: (ctx: TwoShopContext) => Promise<void>): Promise<void> {
  const shops: BenchShop[] = [];
  try {
    for (let i = 0; i < 2; i++)
      shops.push(await startBenchShop({ adminUrl: opts.adminUrl, database: opts.database, products: opts.options.products }));
    const [baseline, candidate] = shops;
    console.log(
      `baseline shop on ${baseline.baseUrl}, candidate shop on ${candidate.baseUrl} (database ${opts.database}); load ${loadAverage()}`,
    );
    await run({
      baseline,
      candidate,
      options: opts.options,
      signal: opts.signal,
      deadlineMs: Date.now() + opts.options.minutes * 60_000,
      log: (l) => console.log(l),
    });
  } finally {
    for (const s of shops) await s.close();
  }
}
