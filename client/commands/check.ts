import type { Command } from 'commander';
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowFailedError } from '@temporalio/client';
import { ProfileError } from '../../common/profile';
import { exitCodeOf } from '../../common/gate/check-verdict';
import type { CheckInput, CheckResult } from '../../common/gate/types';
import { TASK_QUEUE } from '../../common/run';
import { PERF_TARGET } from '../../common/search-attributes';
import { temporalConfig, webUiLink, type TemporalConfig } from '../../common/temporal-config';
import { performanceCheck } from '../../workflows/check';
import { connectClient } from '../connect';
import { UsageError } from '../errors';
import { buildCheckInput, collect, type CheckOptions } from '../gate/check-input';
import { writeCheckReports } from '../gate/check-reports';
import { checkText } from '../gate/check-text';
import { followCheck } from '../gate/follow-check';
import { loadProfileFile } from '../profile-file';
import { overrideBaseUrl } from './run';

interface CheckCommandOptions extends CheckOptions {
  target?: string;
  baseUrl?: string;
  wait?: boolean;
  junit?: string;
  markdown?: string;
  failOnWarn?: boolean;
}

/** Checks profiles without starting anything: `ok FILE` for each valid one, the refusal for each other; exit 2 if any is refused. */
function checkProfiles(files: string[]): void {
  let refused = 0;
  for (const file of files) {
    try {
      const p = loadProfileFile(file);
      console.log(`ok ${file}: target ${p.name}, ${p.http.endpoints.length} endpoint(s)`);
    } catch (err) {
      if (!(err instanceof ProfileError)) throw err;
      console.error(`error: ${err.message}`);
      refused++;
    }
  }
  if (refused) process.exitCode = 2;
}

export function registerCheck(program: Command): void {
  program
    .command('check')
    .description(
      'the CI gate: measure the target (no analysis, no changes), hold it to thresholds and a baseline; exit 0 pass, 1 fail, 2 usage error.\n' +
        'With profile files and no --target: only check the profiles (exit 2 naming the wrong fields).',
    )
    .argument('[files...]', 'profiles to check without starting anything, e.g. demo/targets/shop.yaml')
    .option('-t, --target <file>', 'target profile (YAML or JSON) to measure')
    .option('--base-url <url>', "override the profile's http.baseUrl (the deployment under test)")
    .option(
      '--threshold <expr>',
      'k6-style threshold, repeatable: p95<300, p(99)<800, error_rate<1%, throughput>500, p95{endpoint}<200',
      collect,
    )
    .option('--baseline <which>', 'compare with: pinned (default), pinned:ID, recent:N (last N passing checks) or none')
    .option(
      '--baseline-url <url>',
      'compare with a live baseline deployment instead, both measured in the same window taking turns (the robust choice on a busy host)',
    )
    .option('--slice-ms <ms>', "with --baseline-url: each side's turn, 10 to 250 (default 50)")
    .option('--pairs <n>', 'with --baseline-url: alternate pairs of blocks instead of turns (default 5)')
    .option('--block-seconds <s>', 'with --pairs: measured seconds per block (default 4)')
    .option('--max-p95-ratio <r>', 'fail above this p95 ratio (candidate / baseline) when its 95% interval is above 1 (default 1.05)')
    .option('--wait', 'follow the check, print its table and exit with its verdict')
    .option('--fail-on-warn', 'exit 1 on a warning too')
    .option('--junit <file>', 'with --wait: write a JUnit XML report here')
    .option('--markdown <file>', 'with --wait: write a Markdown summary here (e.g. for $GITHUB_STEP_SUMMARY)')
    .action(async (files: string[], opts: CheckCommandOptions) => {
      if (!opts.target) {
        if (!files.length) throw new UsageError('give --target <profile> to run the gate, or profile files to check them');
        return checkProfiles(files);
      }
      if (files.length) throw new UsageError(`unexpected arguments ${files.join(' ')}: with --target, the gate takes no profile files`);
      if ((opts.junit || opts.markdown) && !opts.wait)
        throw new UsageError('--junit and --markdown need --wait (the reports are written when the check ends)');
      let target = loadProfileFile(opts.target);
      if (opts.baseUrl) target = overrideBaseUrl(target, opts.baseUrl, opts.target);
      const input = buildCheckInput(target, opts);
      // The baseline deployment is held to the same rules as --base-url (no credentials, a clean URL).
      if (input.baseline.kind === 'interleaved') overrideBaseUrl(target, input.baseline.baseUrl, `${opts.target} (--baseline-url)`);
      const result = await startCheck(input, { wait: Boolean(opts.wait) });
      if (!result) return;
      console.log(`\n${checkText(result)}\n`);
      for (const written of writeCheckReports(result, opts)) console.log(written);
      process.exitCode = exitCodeOf(result.verdict, Boolean(opts.failOnWarn));
    });
}

/** The message of a missing or wrong baseline somewhere in a failed check's causes, or null. */
function baselineMissing(err: WorkflowFailedError): string | null {
  for (let c: Error | undefined = err.cause; c; c = (c as { cause?: Error }).cause) {
    if (c instanceof ApplicationFailure && (c.type === 'BaselineMissing' || c.type === 'BaselineNotFound')) return c.message;
  }
  return null;
}

/** Starts a check; with `wait`, follows it and returns its result. */
export async function startCheck(input: CheckInput, opts: { wait: boolean; temporal?: TemporalConfig }): Promise<CheckResult | null> {
  const cfg = opts.temporal ?? temporalConfig();
  const { client, close } = await connectClient(cfg);
  try {
    const workflowId = `perf-check-${input.target.name}-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    const handle = await client.workflow.start(performanceCheck, {
      taskQueue: TASK_QUEUE,
      workflowId,
      args: [input],
      typedSearchAttributes: [{ key: PERF_TARGET, value: input.target.name }],
      staticSummary: `Check of ${input.target.name}: ${input.thresholds.map((t) => t.text).join(', ') || 'no thresholds'}; baseline ${input.baseline.kind}`,
    });
    console.log(
      `started ${workflowId} (run ${handle.firstExecutionRunId})\nWeb UI: ${webUiLink(cfg, workflowId, handle.firstExecutionRunId)}`,
    );
    if (!opts.wait) return null;
    return await followCheck(client, handle).catch((err: unknown) => {
      // Nothing to compare with is the caller's setup, not the target's fault: a usage error (exit 2) with the fix.
      const missing = err instanceof WorkflowFailedError ? baselineMissing(err) : null;
      throw missing ? new UsageError(missing) : err;
    });
  } finally {
    await close();
  }
}
