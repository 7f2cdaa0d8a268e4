import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { BaselineFileError } from '../../common/gate/baseline-file';
import { printable } from '../../common/printable';
import {
  baselineFromCheck,
  baselineFromRun,
  BaselineSourceError,
  type SourceRequest,
} from '../../activities/store/queries/baseline-sources';
import { getBaseline, getBaselineHistograms, listBaselines, pinBaseline, unpin } from '../../activities/store/queries/baselines';
import { exportBaseline, importBaseline } from '../../activities/store/queries/baseline-transfer';
import { UsageError } from '../errors';
import { baselineListText, baselineShowText } from '../render-baseline';
import { withStore } from '../store';

const RUN_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const by = () => process.env.USER || 'cli';

/** "WFID" or "WFID/RUNID" (a run id is a UUID: a workflow id may hold slashes of its own). */
export function parseRunRef(text: string, flag: string): { workflowId: string; runId?: string } {
  const cut = text.lastIndexOf('/');
  const tail = cut >= 0 ? text.slice(cut + 1) : '';
  const ref = RUN_ID.test(tail) ? { workflowId: text.slice(0, cut), runId: tail } : { workflowId: text };
  if (!ref.workflowId.trim()) throw new UsageError(`${flag} needs a workflow id, optionally /RUN_ID (got "${printable(text)}")`);
  return ref;
}

function needTarget(target: string | undefined, what: string): string {
  if (!target?.trim()) throw new UsageError(`${what} needs --target NAME: the target profile's name (e.g. --target shop)`);
  return target;
}

function needId(id: string): string {
  if (!/^[1-9][0-9]{0,17}$/.test(id))
    throw new UsageError(`the baseline id must be a number such as 12 (got "${printable(id)}"); see perf-orch baseline list`);
  return id;
}

/** Store lookups that fail for a reason of the user's (no such run, wrong target, bad file) exit 2. */
async function asUsage<T>(p: Promise<T>): Promise<T> {
  return p.catch((err: unknown) => {
    if (err instanceof BaselineSourceError || err instanceof BaselineFileError) throw new UsageError(err.message);
    throw err;
  });
}

interface PinOptions {
  target?: string;
  fromRun?: string | true;
  fromCheck?: string | true;
  note?: string;
}

async function pin(opts: PinOptions): Promise<void> {
  const target = needTarget(opts.target, 'baseline pin');
  if (opts.fromRun && opts.fromCheck) throw new UsageError('give --from-run or --from-check, not both');
  // Without a value: the latest (a finished run; a passing check).
  const given = typeof opts.fromCheck === 'string' ? opts.fromCheck : typeof opts.fromRun === 'string' ? opts.fromRun : null;
  const ref = given === null ? {} : parseRunRef(given, opts.fromCheck ? '--from-check' : '--from-run');
  const req: SourceRequest = { target, ...ref };
  await withStore(async (pool) => {
    const candidate = await asUsage(opts.fromCheck ? baselineFromCheck(pool, req) : baselineFromRun(pool, req));
    const { why, ...rest } = candidate;
    const b = await pinBaseline(pool, { ...rest, note: opts.note ?? null, createdBy: by() });
    console.log(`pinned baseline ${b.id} for target ${b.target}: ${why}\n`);
    console.log(baselineShowText(b, rest.histograms !== null));
  });
}

function registerTransfer(cmd: Command): void {
  cmd
    .command('export <id>')
    .description('write a baseline (summary and histograms) to a JSON file, e.g. to commit it beside the code')
    .option('--file <file>', 'the file to write')
    .action(async (id: string, opts: { file?: string }) => {
      if (!opts.file)
        throw new UsageError('baseline export needs --file FILE: where to write the baseline (e.g. --file perf/baseline.json)');
      await withStore(async (pool) => {
        const f = await exportBaseline(pool, needId(id));
        if (!f) throw new UsageError(`no baseline ${id} in the store; see perf-orch baseline list`);
        writeFileSync(opts.file!, `${JSON.stringify(f, null, 2)}\n`);
        console.log(`wrote baseline ${id} (target ${f.target}) to ${opts.file}`);
      });
    });
  cmd
    .command('import')
    .description("store a baseline file (from baseline export) as the target's newest pinned baseline")
    .option('--file <file>', 'the file to read')
    .action(async (opts: { file?: string }) => {
      if (!opts.file) throw new UsageError('baseline import needs --file FILE: a file written by perf-orch baseline export');
      const raw = readJson(opts.file);
      await withStore(async (pool) => {
        const b = await asUsage(importBaseline(pool, raw, basename(opts.file!), by()));
        console.log(`imported ${opts.file} as baseline ${b.id} of target ${b.target} (pinned)`);
      });
    });
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`--file ${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new UsageError(`--file ${file} is not JSON (${(err as Error).message}); write it with perf-orch baseline export`);
  }
}

export function registerBaseline(program: Command): void {
  const cmd = program
    .command('baseline')
    .description("a target's reference measurements for perf-orch check, in the store (PERF_STORE_URL): pin, list, show, export, import");
  cmd
    .command('pin')
    .description("pin a baseline: a finished run's after window (default: the target's latest run) or what a check measured")
    .option('--target <name>', "the target profile's name")
    .option('--from-run [wfid]', 'WFID[/RUNID]: this run; without a value (the default): the latest finished run of the target')
    .option('--from-check [wfid]', 'WFID[/RUNID]: what this check measured; without a value: the latest passing check')
    .option('--note <text>', 'why this baseline (shown by baseline show)')
    .action(pin);
  cmd
    .command('list')
    .description('baselines, newest first')
    .option('--target <name>', "only this target's")
    .action(async (opts: { target?: string }) => {
      await withStore(async (pool) => console.log(baselineListText(await listBaselines(pool, opts.target))));
    });
  cmd
    .command('show <id>')
    .description("one baseline's figures: p50/p95/p99, throughput, errors, measured seconds, host load, per endpoint")
    .action(async (id: string) => {
      await withStore(async (pool) => {
        const b = await getBaseline(pool, needId(id));
        if (!b) throw new UsageError(`no baseline ${id} in the store; see perf-orch baseline list`);
        console.log(baselineShowText(b, (await getBaselineHistograms(pool, id)) !== null));
      });
    });
  cmd
    .command('unpin <id>')
    .description('keep a baseline but stop offering it as the latest pinned one')
    .action(async (id: string) => {
      await withStore(async (pool) => {
        const b = await unpin(pool, needId(id));
        if (!b) throw new UsageError(`no baseline ${id} in the store; see perf-orch baseline list`);
        console.log(`baseline ${b.id} of target ${b.target} unpinned`);
      });
    });
  registerTransfer(cmd);
}
