import { type Command, Option } from 'commander';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { LAYERS, parseTargetProfile, type Layer, type TargetProfile } from '../../common/profile';
import { printable } from '../../common/printable';
import { TASK_QUEUE, workflowIdFor, type RunInput } from '../../common/run';
import { PERF_TARGET } from '../../common/search-attributes';
import { temporalConfig, webUiLink, type TemporalConfig } from '../../common/temporal-config';
import { connectClient } from '../connect';
import { loadProfileFile } from '../profile-file';
import { parseDuration } from '../duration';
import { summary } from '../render';
import { writeReport } from '../report-files';
import { writeMonitoringFiles } from '../monitoring-files';
import { watchRun } from '../watch';
import { UsageError } from '../errors';
import type { OutputContract } from '../../common/output-contract';
import { runExitCode } from '../../common/run-exit';
import { performanceOrchestration } from '../../workflows/orchestration';

export interface RunOptions {
  target: string;
  scope?: string;
  tier: string;
  autoApprove?: boolean;
  wait?: boolean;
  approvalTimeout: string;
  onApprovalTimeout: 'escalate' | 'end';
  regressionThreshold?: string;
  reports: string;
  baseUrl?: string;
  prometheusUrl?: string;
  pinBaseline?: boolean;
  watchEvery?: string;
}

/** The same profile against another deployment (staging, a container network), checked like the field it replaces. */
export function overrideBaseUrl(profile: TargetProfile, baseUrl: string, file: string): TargetProfile {
  if (!URL.canParse(baseUrl) || !/^https?:$/.test(new URL(baseUrl).protocol)) {
    throw new UsageError(`--base-url must be an absolute http(s) URL such as http://shop:3100 (got "${printable(baseUrl)}")`);
  }
  const target = structuredClone(profile);
  const movedHost = new URL(baseUrl).host !== new URL(target.http.baseUrl).host;
  target.http.baseUrl = baseUrl;
  // The process section (local port, inspector) and the Prometheus describe the deployment the profile
  // was written for (--prometheus-url names the other one's).
  if (movedHost) {
    target.process = {};
    delete target.observability;
  }
  // No credentials (they would enter the workflow input), no look-alike or dropped characters.
  return parseTargetProfile(target, `${file} with --base-url ${JSON.stringify(baseUrl)}`);
}

/** The Prometheus of the deployment under test; its host joins http.allowedHosts (the worker's PERF_TARGET_HOSTS still decides). */
export function overridePrometheusUrl(profile: TargetProfile, prometheusUrl: string, file: string): TargetProfile {
  if (!URL.canParse(prometheusUrl) || !/^https?:$/.test(new URL(prometheusUrl).protocol)) {
    throw new UsageError(
      `--prometheus-url must be an absolute http(s) URL such as http://prometheus:9090 (got "${printable(prometheusUrl)}")`,
    );
  }
  const target = structuredClone(profile);
  const host = new URL(prometheusUrl).hostname;
  if (host !== new URL(target.http.baseUrl).hostname && !target.http.allowedHosts.includes(host)) target.http.allowedHosts.push(host);
  target.observability = { ...target.observability, prometheusUrl };
  return parseTargetProfile(target, `${file} with --prometheus-url ${JSON.stringify(prometheusUrl)}`);
}

export function buildRunInput(opts: RunOptions): RunInput {
  let target = loadProfileFile(opts.target);
  if (opts.baseUrl) target = overrideBaseUrl(target, opts.baseUrl, opts.target);
  if (opts.prometheusUrl) target = overridePrometheusUrl(target, opts.prometheusUrl, opts.target);
  let scope: Layer[] | undefined;
  if (opts.scope) {
    scope = opts.scope.split(',').map((s) => s.trim()) as Layer[];
    const bad = scope.filter((s) => !LAYERS.includes(s));
    if (bad.length) throw new UsageError(`--scope: unknown layer(s) ${bad.join(', ')}; use a comma list of ${LAYERS.join(', ')}`);
  }
  if (!['auto', 'T1', 'T2', 'T3', 'T4'].includes(opts.tier))
    throw new UsageError(`--tier must be auto, T1, T2, T3 or T4 (got "${opts.tier}")`);
  const threshold = opts.regressionThreshold === undefined ? undefined : Number(opts.regressionThreshold);
  if (threshold !== undefined && !(threshold > 0 && threshold < 100))
    throw new UsageError('--regression-threshold must be a percentage between 0 and 100');
  const watchEveryMs = opts.watchEvery ? parseDuration(opts.watchEvery, '--watch-every') : null;
  if (watchEveryMs !== null && watchEveryMs < 60_000)
    throw new UsageError('--watch-every must be at least 1m (a check takes tens of seconds)');
  return {
    target,
    scope,
    tier: opts.tier as RunInput['tier'],
    autoApprove: Boolean(opts.autoApprove),
    approvalTimeoutMs: parseDuration(opts.approvalTimeout, '--approval-timeout'),
    onApprovalTimeout: opts.onApprovalTimeout,
    requestedBy: process.env.USER || 'cli',
    regressionThresholdPct: threshold,
    ...(opts.pinBaseline || opts.watchEvery
      ? {
          regressionPrevention: {
            pinBaseline: Boolean(opts.pinBaseline),
            watchEveryMs,
          },
        }
      : {}),
  };
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('start an orchestration run against a target profile')
    .requiredOption('-t, --target <file>', 'target profile (YAML or JSON), e.g. demo/targets/shop.yaml')
    .option('--base-url <url>', "override the profile's http.baseUrl (same service, another deployment)")
    .option('--prometheus-url <url>', "the Prometheus of that deployment (overrides the profile's observability.prometheusUrl)")
    .option('--scope <layers>', `comma list overriding the profile's scope (${LAYERS.join(', ')})`)
    .option('--tier <tier>', 'auto, or force T1..T4', 'auto')
    .option('--auto-approve', 'approve the plan without a human (demos and CI; recorded in the result)')
    .option('--wait', 'follow the run with a progress bar and print the before/after table')
    .option('--approval-timeout <duration>', 'how long to wait for approval (e.g. 30m, 24h)', '24h')
    .addOption(
      new Option('--on-approval-timeout <what>', 'escalate to an architecture review, or end')
        .choices(['escalate', 'end'])
        .default('escalate'),
    )
    .option('--regression-threshold <pct>', 'roll back when a target metric gets worse by more than this', '10')
    .option('--reports <dir>', 'where --wait writes the report files', 'reports')
    .option(
      '--pin-baseline',
      "when the run keeps its changes: pin its last measured window as the target's baseline (perf-orch check compares with it)",
    )
    .option('--watch-every <duration>', 'when the run keeps its changes: run perf-orch check on a schedule, e.g. 1w')
    .action(async (opts: RunOptions) => {
      const result = await startRun(buildRunInput(opts), { wait: Boolean(opts.wait), reports: opts.reports });
      if (result && runExitCode(result) !== 0) {
        console.error(`the run ended ${result.validation_results.improvement_summary.outcome}: exit 1`);
        process.exitCode = 1;
      }
    });
}

/** Starts a run; with `wait`, follows it, prints the before/after table and writes the report. */
export async function startRun(
  input: RunInput,
  opts: { wait: boolean; reports: string; temporal?: TemporalConfig },
): Promise<OutputContract | null> {
  const cfg = opts.temporal ?? temporalConfig();
  const { client, close } = await connectClient(cfg);
  try {
    const workflowId = workflowIdFor(input.target.name);
    let handle;
    try {
      handle = await client.workflow.start(performanceOrchestration, {
        taskQueue: TASK_QUEUE,
        workflowId,
        args: [input],
        typedSearchAttributes: [{ key: PERF_TARGET, value: input.target.name }],
      });
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) {
        throw new UsageError(
          `a run for target "${input.target.name}" is already in progress (workflow ${workflowId}).\n` +
            `Follow it with: perf-orch status ${workflowId}   or end it with: perf-orch reject ${workflowId} --reason "..."`,
        );
      }
      throw err;
    }
    const link = webUiLink(cfg, workflowId, handle.firstExecutionRunId);
    console.log(`started ${workflowId} (run ${handle.firstExecutionRunId})\nWeb UI: ${link}`);
    if (!opts.wait) return null;
    const result = await watchRun(client, handle, handle.firstExecutionRunId);
    console.log(`\n${summary(result)}\n`);
    const report = writeReport(result, opts.reports);
    console.log(`report: ${report}`);
    for (const line of await writeMonitoringFiles(result, report)) console.log(line);
    console.log(`Web UI: ${link}`);
    return result;
  } finally {
    await close();
  }
}
