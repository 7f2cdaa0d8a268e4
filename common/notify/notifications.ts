// The notifications the workflows send, built from what they know (pure: the time is passed in).
import type { EscalationInput } from '../run';
import type { CheckResult } from '../gate/types';
import type { Notification } from './types';

const REASONS: Record<EscalationInput['reason'], string> = {
  targets_missed: 'targets still missed after tuning',
  approval_timeout: 'plan not approved in time',
  tier_t4: 'no automatic optimization reaches the targets (T4)',
  check_failed: 'a scheduled check found a regression',
};

export function escalationNotification(input: EscalationInput, escalationWorkflowId: string, ticketId: string, at: Date): Notification {
  return {
    id: `${escalationWorkflowId}:escalation`,
    event: 'escalation',
    target: input.target,
    title: `Architecture review opened for ${input.target}: ${REASONS[input.reason]}`,
    text: input.summary,
    severity: 'warning',
    details: { reason: input.reason, ticket: ticketId, run: input.parentWorkflowId },
    at: at.toISOString(),
  };
}

export interface RollbackFacts {
  workflowId: string;
  runId: string;
  target: string;
  /** The metrics that regressed, e.g. `p95Ms 12 -> 30`. */
  worse: string[];
  thresholdPct: number;
  rolledBack: number;
}

export function rollbackNotification(f: RollbackFacts, at: Date): Notification {
  return {
    id: `${f.workflowId}:${f.runId}:rollback`,
    event: 'rollback',
    target: f.target,
    title: `Changes rolled back on ${f.target}: regression over ${f.thresholdPct}%`,
    text: `The applied changes made ${f.worse.join(', ') || 'the measurements'} worse; ${f.rolledBack} change(s) were rolled back.`,
    severity: 'critical',
    details: { outcome: 'regressed_rolled_back', regressed: f.worse.join('; ') || '-', rolled_back: f.rolledBack, run: f.workflowId },
    at: at.toISOString(),
  };
}

/** A failed perf-orch check: what broke, the p95 ratio when a baseline was compared. */
export function checkFailedNotification(r: CheckResult, workflowId: string, runId: string, at: Date): Notification {
  const b = r.baseline;
  return {
    id: `${workflowId}:${runId}:check_failed`,
    event: 'check_failed',
    target: r.target,
    title: `Performance check failed for ${r.target}`,
    text: r.reasons.join('; ') || 'the check failed',
    severity: 'critical',
    details: {
      p95_ms: r.measured.latencyMs.p95,
      throughput_rps: r.measured.throughputRps,
      error_rate_pct: r.measured.errorRatePct,
      ...(b?.p95Ratio != null
        ? { p95_ratio: `${b.p95Ratio.toFixed(3)} (95% CI ${b.p95RatioLow?.toFixed(3)} to ${b.p95RatioHigh?.toFixed(3)})` }
        : {}),
      check: workflowId,
    },
    at: at.toISOString(),
  };
}
