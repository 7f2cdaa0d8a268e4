import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { buildTrend } from '../../common/gate/trend';
import { trendRows } from '../../activities/store/queries/trend-rows';
import { UsageError } from '../errors';
import { withStore } from '../store';
import { trendHtml } from '../trend-html';
import { trendText } from '../trend-text';

export function registerTrend(program: Command): void {
  program
    .command('trend')
    .description("a target's p95/p99, throughput and errors over its runs and checks, with the runs' changes marked (--html: charts)")
    .option('--target <name>', "the target profile's name")
    .option('--html <file>', 'also write a self-contained HTML page with the charts')
    .option('--last <n>', 'the last N points', '50')
    .option('--json', 'print the series as JSON')
    .action(async (opts: { target?: string; html?: string; last: string; json?: boolean }) => {
      if (!opts.target?.trim()) throw new UsageError("trend needs --target NAME: the target profile's name (e.g. --target shop)");
      const last = Number(opts.last);
      if (!Number.isInteger(last) || last < 1 || last > 10_000)
        throw new UsageError(`--last must be a whole number from 1 to 10000 (got "${opts.last}")`);
      const rows = await withStore((pool) => trendRows(pool, opts.target!, last));
      const trend = buildTrend(rows.runs, rows.checks, last);
      console.log(opts.json ? JSON.stringify(trend, null, 2) : trendText(opts.target, trend));
      if (opts.html) {
        writeFileSync(opts.html, trendHtml(opts.target, trend, new Date().toISOString()));
        console.error(`trend: ${opts.html}`);
      }
    });
}
