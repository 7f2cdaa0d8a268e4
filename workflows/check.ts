// perf-orch check: a validation-only run for CI and scheduled watches. Measure the target (no
// analysis, no changes), read the thresholds, compare with a baseline, and give pass / warn / fail.
// A watch's failed check opens an architecture review. Everything it measured is recorded in the
// store's checks table (the trend and later comparisons read it).
import {
  ApplicationFailure,
  ParentClosePolicy,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { checkVerdict, interleavedComparison, storedComparison } from '../common/gate/check-verdict';
import { evaluateThresholds } from '../common/gate/thresholds';
import type { BaselineComparison, CheckInput, CheckResult } from '../common/gate/types';
import type { LoadTestSummary } from '../common/types';
import { measureAlternating, measureCandidate, measureInterleaved, medianCandidate } from './check-load';
import { alternatingPairs } from '../common/gate/alternating';
import { architectureEscalation } from './escalation';
import { checkStepQuery } from './messages';
import { sendNotifications, wantsNotification } from './notify';
import { checkFailedNotification } from '../common/notify/notifications';

function storeActivities(summary: string) {
  return proxyActivities<Activities>({
    startToCloseTimeout: '1 minute',
    retry: { maximumAttempts: 5, initialInterval: '2 seconds' },
    summary,
  });
}

const ESCALATION_TIMEOUT_MS = 30 * 24 * 3600 * 1000;

export async function performanceCheck(input: CheckInput): Promise<CheckResult> {
  const { workflowId, runId } = workflowInfo();
  const startedAt = new Date().toISOString();
  let current = 'starting';
  setHandler(checkStepQuery, () => current);
  const step = (text: string): void => {
    current = text;
    setCurrentDetails(`**${text}**`);
  };
  step('pre-check: the target answers');
  await storeActivities('pre-check: the target, its database and its cache answer').precheck(input.target);
  const { measured, baseline } = await measureAndCompare(input, runId, step);
  const thresholds = evaluateThresholds(input.thresholds, measured);
  const v = checkVerdict(thresholds, baseline, measured);
  const result: CheckResult = {
    target: input.target.name,
    verdict: v.verdict,
    reasons: v.reasons,
    startedAt,
    finishedAt: new Date().toISOString(),
    measured,
    thresholds,
    baseline,
    lowConfidence: v.lowConfidence,
  };
  step(`verdict: ${result.verdict}${result.reasons.length ? ` (${result.reasons.join('; ')})` : ''}`);
  if (result.verdict === 'fail') {
    if (input.watch) result.escalationWorkflowId = await escalate(input, result, workflowId);
    if (wantsNotification(input.target, 'check_failed')) {
      result.notifications = await sendNotifications(input.target, checkFailedNotification(result, workflowId, runId, new Date()));
    }
  }
  await storeActivities(`record the check: ${result.verdict}`).recordCheck({ workflowId, runId, result });
  return result;
}

async function measureAndCompare(
  input: CheckInput,
  runId: string,
  step: (text: string) => void,
): Promise<{ measured: LoadTestSummary; baseline: BaselineComparison | null }> {
  const choice = input.baseline;
  if (choice.kind === 'interleaved') {
    if (choice.sliceMs !== undefined && patched('check-alternating')) {
      step(`taking turns with ${choice.baseUrl} every ${choice.sliceMs} ms`);
      const run = await measureAlternating(runId, input.target, choice.baseUrl, choice.sliceMs);
      const comparison = interleavedComparison(alternatingPairs(run), input.maxP95Ratio, true, { sliceMs: run.sliceMs });
      return { measured: run.candidate, baseline: comparison };
    }
    step(`interleaved blocks against ${choice.baseUrl}`);
    const run = await measureInterleaved(runId, input.target, choice);
    // Endpoint by endpoint: a verdict a check started before could not reach (its escalation and notifications follow the verdict).
    const withEndpoints = patched('check-endpoint-ratios');
    return { measured: medianCandidate(run), baseline: interleavedComparison(run.pairs, input.maxP95Ratio, withEndpoints) };
  }
  const stored = await storedBaselines(input);
  step(`measuring ${input.target.http.baseUrl}`);
  const measured = await measureCandidate(runId, input.target);
  if (stored === null) return { measured, baseline: null };
  return {
    measured,
    baseline: storedComparison(choice.kind as 'pinned' | 'recent', stored, measured.perSecond?.p95Ms ?? [], input.maxP95Ratio),
  };
}

/** The stored per-second p95 series to compare with; null: none asked for. Fails when the asked one is missing. */
async function storedBaselines(input: CheckInput): Promise<{ id: string; perSecondP95Ms: number[] }[] | null> {
  const choice = input.baseline;
  const name = input.target.name;
  if (choice.kind === 'pinned') {
    const b = await storeActivities('read the pinned baseline').loadBaseline({ target: name, id: choice.id });
    if (!b) throw missing(`no pinned baseline for target ${name}: pin one (perf-orch baseline pin --target ${name}) or import one`);
    return [{ id: b.id, perSecondP95Ms: b.summary.perSecond?.p95Ms ?? [] }];
  }
  if (choice.kind === 'recent') {
    const checks = await storeActivities(`read the last ${choice.n} passing checks`).recentPassingChecks({ target: name, n: choice.n });
    if (!checks.length) throw missing(`no passing check of target ${name} on record yet: run one with --baseline none first`);
    return checks.map((c, i) => ({ id: c.id ?? `recent-${i + 1}`, perSecondP95Ms: c.perSecond?.p95Ms ?? [] }));
  }
  return null;
}

const missing = (message: string): Error => ApplicationFailure.nonRetryable(message, 'BaselineMissing');

async function escalate(input: CheckInput, result: CheckResult, workflowId: string): Promise<string> {
  const id = `${workflowId}:escalation`;
  const summary = `scheduled check failed for ${input.target.name}: ${result.reasons.join('; ')}`;
  await startChild(architectureEscalation, {
    workflowId: id,
    parentClosePolicy: ParentClosePolicy.ABANDON,
    staticSummary: `Regression found by a scheduled check: ${input.target.name}`,
    args: [
      {
        target: input.target.name,
        parentWorkflowId: workflowId,
        reason: 'check_failed',
        summary,
        details: { scheduleId: input.watch?.scheduleId, baseline: result.baseline, thresholds: result.thresholds },
        ...(wantsNotification(input.target, 'escalation') ? { profile: input.target } : {}),
        timeoutMs: ESCALATION_TIMEOUT_MS,
      },
    ],
  });
  return id;
}
